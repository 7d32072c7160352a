"""The invoices' own PDF and FatturaPA XML files, as the core system sent them (integration),
stored as request attachments are: outside any public folder, under random names, with their
SHA-256 in the invoice's row.

A file is first written to the staging folder while the import's transaction is open; once the
transaction has committed it is moved to the permanent folder, and the files it replaced are
removed (`settle_after_commit`). If the transaction rolls back, the staged files are removed and
the stored ones stay: no half import, on disk or in the database. A crash between the commit and
the move leaves a row whose file is still staged: `path_of` finishes the move.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import event
from sqlmodel import Session

from portal.config import settings
from portal.models import Invoice


def root(base: Path | None = None) -> Path:
    return (base or settings.private_dir) / "invoice_documents"


def _folder(name: str, base: Path | None) -> Path:
    folder = root(base) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage(data: bytes, base: Path | None = None) -> str:
    """Write `data` to the staging folder under a new random key; returns the key."""
    key = secrets.token_hex(16)
    (_folder("staging", base) / key).write_bytes(data)
    return key


def settle_after_commit(
    *, session: Session, staged: Sequence[str], replaced: Sequence[str], base: Path | None = None
) -> None:
    """Once `session` commits, move the `staged` files to the permanent folder and remove the
    `replaced` ones; if its transaction rolls back instead, remove the staged files. The lists may
    still grow after this call: they are read when the transaction ends."""
    live = {"open": True}

    def committed(_session: Session) -> None:
        if live["open"]:
            live["open"] = False
            for key in staged:
                source = _folder("staging", base) / key
                if source.exists():
                    source.replace(_folder("stored", base) / key)
            for key in replaced:
                (_folder("stored", base) / key).unlink(missing_ok=True)

    def rolled_back(_session: Session, previous) -> None:
        if live["open"] and previous.parent is None:  # the whole transaction, not a savepoint inside it
            live["open"] = False
            for key in staged:
                (_folder("staging", base) / key).unlink(missing_ok=True)

    event.listen(session, "after_commit", committed)
    event.listen(session, "after_soft_rollback", rolled_back)


def path_of(storage_key: str, base: Path | None = None) -> Path:
    """Where a committed document's file is; one whose move was cut short is moved now."""
    if not storage_key.isalnum():
        raise ValueError("not a storage key")
    path = _folder("stored", base) / storage_key
    leftover = _folder("staging", base) / storage_key
    if not path.exists() and leftover.exists():
        leftover.replace(path)
    return path


def stored_bytes(invoice: Invoice, fmt: str, base: Path | None = None) -> bytes | None:
    """The file the core system sent for the invoice as "pdf" or "xml", or None when it sent
    none (or the file is gone): then the portal generates the document."""
    key = invoice.pdf_storage_key if fmt == "pdf" else invoice.xml_storage_key
    if not key:
        return None
    path = path_of(key, base)
    return path.read_bytes() if path.exists() else None
