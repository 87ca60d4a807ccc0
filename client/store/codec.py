"""How records are kept at rest: personal data sealed, the rest plain JSON.

The cipher (client/crypto.py) does the sealing; this codec decides, per kind,
what is sealed, and binds each ciphertext to its record.
"""

from __future__ import annotations

import json
from typing import Any

from client.crypto import DataCipher
from protocol import RECORD_KINDS


class RecordCodec:
    def __init__(self, cipher: DataCipher) -> None:
        self.cipher = cipher

    def encode(self, kind: str, record_id: str, data: dict[str, Any]) -> str:
        spec = RECORD_KINDS.get(kind)
        if spec is not None and spec.sensitive:
            return self.cipher.encrypt(data, f"{kind}/{record_id}")
        return json.dumps(data)

    def decode(self, kind: str, record_id: str, text: str) -> dict[str, Any] | None:
        """The record's data (None for a delete's outbox entry); UnreadableData if this device's key cannot open it."""
        return self.cipher.decrypt(text, f"{kind}/{record_id}")
