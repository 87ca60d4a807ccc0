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

    def encrypt(self, data: dict[str, Any], associated: str) -> str:
        # The record's identity is bound in, so a ciphertext cannot be moved to another record.
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, json.dumps(data).encode(), associated.encode())
        return PREFIX + base64.b64encode(nonce + sealed).decode()

    def decrypt(self, text: str, associated: str) -> dict[str, Any]:
        if not text.startswith(PREFIX):
            return json.loads(text)  # not personal data (or an empty tombstone row)
        raw = base64.b64decode(text[len(PREFIX):])
        try:
            return json.loads(self._aead.decrypt(raw[:12], raw[12:], associated.encode()))
        except InvalidTag as exc:
            raise UnreadableData(associated) from exc
