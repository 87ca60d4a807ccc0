"""The sign-in tokens (access and refresh): never in SQLite or a plain file.

Desktop and mobile (CredentialStore): only in the OS key store (keyring).
Where the machine has no key store, the token is held in memory only and
the user signs in again after a restart; nothing else is lost.

Web mode (SealedTokenFile): each browser's tokens in its own folder, sealed
with a key derived from the secret only that browser holds.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import keyring
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SERVICE = "carehome-connect"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tokens:
    access: str
    refresh: str | None = None


class CredentialStore:
    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self._memory: dict[str, str] = {}
        self.persistent = self._keyring_usable()

    @staticmethod
    def _keyring_usable() -> bool:
        backend = keyring.get_keyring()
        # The fail backend (priority 0) and chainer with no backends cannot store anything.
        try:
            return backend.priority > 0  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - a broken backend is an unusable one
            return False

    @staticmethod
    def _key(server_url: str, username: str) -> str:
        return f"{server_url.rstrip('/')}|{username}"

    def get_tokens(self, server_url: str, username: str) -> Tokens | None:
        key = self._key(server_url, username)
        secret = self._memory.get(key)
        if secret is None and self.persistent:
            try:
                secret = keyring.get_password(self.service, key)
            except Exception as exc:  # noqa: BLE001 - any failing backend (even one that prompts) means: memory only
                self._give_up(exc)
        if not secret:
            return None
        try:
            stored = json.loads(secret)
            return Tokens(stored["access"], stored.get("refresh"))
        except (ValueError, KeyError, TypeError):
            return Tokens(secret)  # a bare access token

    def get_token(self, server_url: str, username: str) -> str | None:
        tokens = self.get_tokens(server_url, username)
        return tokens.access if tokens else None

    def set_tokens(self, server_url: str, username: str, tokens: Tokens) -> None:
        self.set_token(server_url, username, json.dumps({"access": tokens.access, "refresh": tokens.refresh}))

    def set_token(self, server_url: str, username: str, token: str) -> None:
        key = self._key(server_url, username)
        self._memory[key] = token
        if self.persistent:
            try:
                keyring.set_password(self.service, key, token)
            except Exception as exc:  # noqa: BLE001 - see get_tokens
                self._give_up(exc)

    def delete_token(self, server_url: str, username: str) -> None:
        key = self._key(server_url, username)
        self._memory.pop(key, None)
        if self.persistent:
            try:
                keyring.delete_password(self.service, key)
            except Exception as exc:  # noqa: BLE001 - nothing stored there, or no usable store
                log.info("nothing deleted from the key store: %s", type(exc).__name__)

    def _give_up(self, exc: Exception) -> None:
        # Never a crash and never a plain file: the tokens stay in memory and the user signs in after a restart.
        log.warning("key store unusable, sign-in kept in memory only: %s", type(exc).__name__)
        self.persistent = False


class SealedTokenFile:
    """Web mode: one browser's tokens, AES-GCM sealed in a file only its owner may read.

    Same calls as CredentialStore. Without the browser's key the file is noise,
    so the app process keeps a browser signed in across restarts without an OS key store.
    """

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self._aead = AESGCM(key)

    def _load(self) -> dict[str, str]:
        try:
            raw = self.path.read_bytes()
            return json.loads(self._aead.decrypt(raw[:12], raw[12:], self.path.name.encode()))
        except FileNotFoundError:
            return {}
        except (InvalidTag, ValueError):
            log.warning("sealed tokens unreadable: this browser signs in again")
            return {}

    def _save(self, stored: dict[str, str]) -> None:
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, json.dumps(stored).encode(), self.path.name.encode())
        partial = self.path.with_suffix(".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(sealed)
        os.replace(partial, self.path)  # a crash leaves the old file or the new one, never half of one

    def get_tokens(self, server_url: str, username: str) -> Tokens | None:
        secret = self._load().get(CredentialStore._key(server_url, username))
        if not secret:
            return None
        stored = json.loads(secret)
        return Tokens(stored["access"], stored.get("refresh"))

    def get_token(self, server_url: str, username: str) -> str | None:
        tokens = self.get_tokens(server_url, username)
        return tokens.access if tokens else None

    def set_tokens(self, server_url: str, username: str, tokens: Tokens) -> None:
        stored = self._load()
        stored[CredentialStore._key(server_url, username)] = json.dumps({"access": tokens.access,
                                                                         "refresh": tokens.refresh})
        self._save(stored)

    def delete_token(self, server_url: str, username: str) -> None:
        stored = self._load()
        if stored.pop(CredentialStore._key(server_url, username), None) is not None:
            self._save(stored)


Credentials = CredentialStore | SealedTokenFile  # where a session keeps its tokens
