"""Passwords (argon2) and session tokens (random; only their sha256 is stored)."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Argon2 keeps a core busy for about 0.1 s. A burst of sign-ins hashing all at once would starve
# every other request of CPU (pushes among them), so hashes run on all cores but one (one on a
# one- or two-core machine) and the others wait here, holding no database lock.
HASHING_SLOTS = max(1, (os.cpu_count() or 1) - 1)
_hashing_slots = threading.BoundedSemaphore(HASHING_SLOTS)


def hash_password(password: str) -> str:
    with _hashing_slots:
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        with _hashing_slots:
            return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def spend_verification_time(password: str) -> None:
    """Verify against a decoy so an unknown user name takes as long as a wrong password."""
    verify_password(_decoy_hash(), password)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
