"""DocumentShelf: documents made on the device (transfer packs, FHIR bundles), sealed at rest.

A document is sealed with the device's key (the one that seals the records)
into an owner-only folder, one subfolder per group (a transfer's record id),
so a transfer's documents go when the transfer ends and all go at sign-out.
File names carry only random ids: no name, no NHS number.

To be opened by the OS viewer (desktop), a document is copied out in plain
form into ``open/`` beside the sealed ones, owner-only; those copies go with
their group, and all of them when the shelf is opened again (the next start).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

from client.crypto import DataCipher, UnreadableData

OWNER_ONLY_DIR = 0o700
OWNER_ONLY_FILE = 0o600
_DOCUMENT_ID = re.compile(r"[0-9a-f]{32}")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class Document:
    id: str
    group: str
    name: str  # the plain file name it is handed over as: 'transfer-pack.pdf'
    media_type: str


def owner_only_dir(path: Path) -> Path:
    """``path`` made (its parents too, with the usual mode), readable by this user only."""
    path.mkdir(mode=OWNER_ONLY_DIR, parents=True, exist_ok=True)
    os.chmod(path, OWNER_ONLY_DIR)
    return path


def write_owner_only(path: Path, data: bytes) -> Path:
    """Write ``data`` so no other user can read it, whole or not at all (a temporary file, then a rename)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


class DocumentShelf:
    def __init__(self, directory: Path, cipher: DataCipher) -> None:
        self.directory = directory
        self._cipher = cipher
        # Plain copies handed to a viewer last time are not left behind, nor the plain packs and FHIR files
        # older versions wrote here (transfer-<resident>-<time>.pdf and .fhir.json).
        shutil.rmtree(self._opened_dir, ignore_errors=True)
        for legacy in directory.glob("transfer-*") if directory.is_dir() else ():
            legacy.unlink(missing_ok=True)

    @property
    def _sealed_dir(self) -> Path:
        return self.directory / "sealed"

    @property
    def _opened_dir(self) -> Path:
        return self.directory / "open"

    def put(self, name: str, data: bytes, *, group: str, media_type: str) -> Document:
        """Seal ``data`` onto the shelf under ``group``; ``name`` is the plain file name it is handed over as."""
        if not _PLAIN_NAME.fullmatch(name):
            raise ValueError(f"not a plain file name: {name!r}")
        document = Document(secrets.token_hex(16), group, name, media_type)
        header = json.dumps({"group": group, "name": name, "media_type": media_type}).encode()
        sealed = self._cipher.seal(struct.pack(">I", len(header)) + header + data, _associated(document.id))
        folder = self._owner_only_folder(self._sealed_dir, group)
        write_owner_only(folder / f"{document.id}.sealed", sealed)
        return document

    def read(self, document_id: str) -> tuple[Document, bytes]:
        """The document and its bytes; KeyError if it is not (or no longer) on the shelf."""
        path = self._path(document_id)
        plain = self._cipher.open(path.read_bytes(), _associated(document_id))
        (size,) = struct.unpack(">I", plain[:4])
        header = json.loads(plain[4:4 + size])
        return Document(document_id, header["group"], header["name"], header["media_type"]), plain[4 + size:]

    def open_copy(self, document_id: str) -> Path:
        """A plain, owner-only copy for the OS viewer (desktop); it goes with its group or at the next start."""
        document, data = self.read(document_id)
        folder = self._owner_only_folder(self._opened_dir, document.group)
        return write_owner_only(folder / document.name, data)

    def documents(self, group: str) -> list[Document]:
        """The documents of ``group`` still on the shelf, oldest first.

        One sealed with a key this device no longer has (a key store that failed) can never be opened: removed.
        """
        folder = self._sealed_dir / _folder(group)
        paths = sorted(folder.glob("*.sealed"), key=lambda p: p.stat().st_mtime_ns) if folder.is_dir() else []
        found = []
        for path in paths:
            try:
                found.append(self.read(path.stem)[0])
            except UnreadableData:
                path.unlink(missing_ok=True)
        return found

    def groups(self) -> set[str]:
        if not self._sealed_dir.is_dir():
            return set()
        return {bytes.fromhex(p.name).decode() for p in self._sealed_dir.iterdir() if p.is_dir()}

    def remove_group(self, group: str) -> None:
        """Every document of ``group`` (a transfer that ended), sealed and opened copies alike."""
        for parent in (self._sealed_dir, self._opened_dir):
            shutil.rmtree(parent / _folder(group), ignore_errors=True)

    def remove_all(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def _owner_only_folder(self, parent: Path, group: str) -> Path:
        for folder in (self.directory, parent, parent / _folder(group)):
            owner_only_dir(folder)
        return folder

    def _path(self, document_id: str) -> Path:
        if not _DOCUMENT_ID.fullmatch(document_id):
            raise KeyError(document_id)
        found = list(self._sealed_dir.glob(f"*/{document_id}.sealed")) if self._sealed_dir.is_dir() else []
        if not found:
            raise KeyError(document_id)
        return found[0]


def _folder(group: str) -> str:
    # Hex: any group id (record ids hold '/') becomes a safe folder name, and back.
    return group.encode().hex()


def _associated(document_id: str) -> str:
    return f"document/{document_id}"
