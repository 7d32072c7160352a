"""Generated files handed to the browser through a short-lived, single-use ticket.

Files live in the private folder (settings.private_dir), under random names; the ticket's token
travels in the download URL and only its hash is stored. A ticket works for the user it was made
for (the download route checks the session cookie), once, within a few minutes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from pathlib import Path

from sqlmodel import Session, select

from portal.config import settings
from portal.models import DownloadTicket
from portal.services.access.sessions import token_digest

TICKET_TTL = dt.timedelta(minutes=5)
PURGE_GRACE = dt.timedelta(minutes=1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
XML = "application/xml"
JSON = "application/json"


def exports_dir(base: Path | None = None) -> Path:
    folder = (base or settings.private_dir) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_storage_name(suffix: str) -> str:
    return f"{secrets.token_hex(16)}{suffix}"


@dataclasses.dataclass(frozen=True)
class Redeemed:
    path: Path
    filename: str
    content_type: str


def issue_ticket(
    *, session: Session, user_id: int, storage_name: str, filename: str, content_type: str, now: dt.datetime
) -> str:
    purge_expired(session=session, now=now)
    token = secrets.token_urlsafe(24)
    session.add(
        DownloadTicket(
            user_id=user_id,
            token_hash=token_digest(token),
            storage_name=storage_name,
            filename=filename,
            content_type=content_type,
            expires_at=now + TICKET_TTL,
            created_at=now,
        )
    )
    session.flush()
    return token


def redeem(
    *, session: Session, token: str, user_id: int, now: dt.datetime, base: Path | None = None
) -> Redeemed | None:
    """The file behind a ticket, for its own user only, once, before it expires."""
    ticket = session.exec(select(DownloadTicket).where(DownloadTicket.token_hash == token_digest(token))).first()
    if ticket is None or ticket.user_id != user_id or ticket.used_at is not None or now >= ticket.expires_at:
        return None
    path = exports_dir(base) / ticket.storage_name
    if not path.is_file():
        return None
    ticket.used_at = now
    session.add(ticket)
    return Redeemed(path=path, filename=ticket.filename, content_type=ticket.content_type)


def purge_expired(*, session: Session, now: dt.datetime, base: Path | None = None) -> int:
    """Remove the files and rows of tickets that expired a while ago (a file just handed out
    may still be on its way to the browser, so nothing younger than a minute past expiry goes)."""
    stale = session.exec(select(DownloadTicket).where(DownloadTicket.expires_at <= now - PURGE_GRACE)).all()
    for ticket in stale:
        (exports_dir(base) / ticket.storage_name).unlink(missing_ok=True)
        session.delete(ticket)
    return len(stale)
