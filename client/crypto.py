"""Encryption at rest for personal data on the device (residents, transfers).

Records of sensitive kinds are stored in the device database as AES-GCM
ciphertext. The key is made on the device and kept only in the OS key store
(keyring), like the sign-in tokens. Without a usable key store the key lives
in memory: personal data then lasts only while the app runs, and is
downloaded again after a restart.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from typing import Any

import keyring
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SERVICE = "carehome-connect-data-key"
PREFIX = "enc1:"
log = logging.getLogger(__name__)


class UnreadableData(Exception):
    """Ciphertext this device's key cannot open (the key was lost): the data must be downloaded again."""


class NotSealed(UnreadableData):
    """Data that should be sealed was found in plain text: it is refused, never read."""


class DataCipher:
    def __init__(self, key: bytes, *, persistent: bool) -> None:
        self._aead = AESGCM(key)
        self.persistent = persistent

    @classmethod
    def for_device(cls, device_id: str) -> "DataCipher":
        """The device's key from the key store, made there on first use."""
        try:
            stored = keyring.get_password(SERVICE, device_id)
            if stored:
                return cls(base64.b64decode(stored), persistent=True)
            key = AESGCM.generate_key(bit_length=256)
            keyring.set_password(SERVICE, device_id, base64.b64encode(key).decode())
            if keyring.get_password(SERVICE, device_id):
                return cls(key, persistent=True)
        except Exception as exc:  # noqa: BLE001 - any failing key store: memory only, never a plain file
            log.warning("key store unusable, personal data kept for this session only: %s", type(exc).__name__)
        return cls(AESGCM.generate_key(bit_length=256), persistent=False)

    def encrypt(self, data: Any, associated: str) -> str:
        """JSON-able data sealed as text (``enc1:`` + base64)."""
        return PREFIX + base64.b64encode(self.seal(json.dumps(data).encode(), associated)).decode()

    def decrypt(self, text: str, associated: str) -> Any:
        """What ``encrypt`` sealed; NotSealed for text without the prefix, UnreadableData for another key's."""
        if not text.startswith(PREFIX):
            raise NotSealed(associated)
        return json.loads(self.open(base64.b64decode(text[len(PREFIX):]), associated))

    def seal(self, data: bytes, associated: str) -> bytes:
        # The identity (a record's, a document's) is bound in, so a ciphertext cannot be moved to another one.
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, associated.encode())

    def open(self, sealed: bytes, associated: str) -> bytes:
        try:
            return self._aead.decrypt(sealed[:12], sealed[12:], associated.encode())
        except (InvalidTag, ValueError) as exc:
            raise UnreadableData(associated) from exc
