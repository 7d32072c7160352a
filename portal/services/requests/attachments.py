"""Attachments of requests: type checked by content (magic bytes, with `filetype`), size limits
checked while the bytes arrive, stored outside Reflex's public upload folder under random names.
The client's file name is kept only as a label, never in a path.

A file is first staged (while the user is still filling the form); the request's transaction
writes its row, and only once that transaction has committed is the file moved from the staging
folder to the permanent one (`keep_after_commit`). A failure before the commit leaves the file
staged and no row; a crash between the commit and the move leaves a row whose file is still
staged: `path_of` and `sweep` finish the move. `sweep` (run by the app's background task, at its
start and hourly, and by `python -m portal.jobs.mail`) also removes stored files no committed row
points to and staged files nobody claimed for a day.

Quotas (per customer, checked before a file is staged and while its bytes arrive): see QUOTA.
What a file may be, and the polyglots refused, are in file_kinds.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import secrets
import time
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, col, select

from portal.config import settings
from portal.models import ComplaintAttachment, DocumentUpload, PublishedDocument, RequestAttachment, ServiceRequest
from portal.services.requests.file_kinds import (
    HEAD_BYTES,
    KINDS,
    MB,
    AttachmentRejected,
    Riders,
    allowed_types,
    check_type,
    limit_for,
)
from portal.services.requests.pause import pause_at

__all__ = ["KINDS", "MB", "AttachmentRejected"]  # what callers name through this module

CHUNK = 1024 * 1024
STAGING_TTL = dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class Quota:
    """What one customer may store. A request holds at most one video at the largest size a video
    may have (200 MB) or a set of photos and PDFs, and at most 10 files; all of a customer's
    requests together hold 500 MB: a few claims with a video, or hundreds of requests with
    photos and PDFs, while a hostile account cannot fill the disk. Files staged but not yet sent
    count too. The service desk's own files count for nobody."""

    files_per_request: int = 10
    bytes_per_request: int = 200 * MB
    bytes_per_customer: int = 500 * MB


QUOTA = Quota()


@dataclasses.dataclass(frozen=True)
class Budget:
    """How many more bytes a file may have, and what to say when it grows past them."""

    bytes_left: int
    key: str
    limit_mb: int


@dataclasses.dataclass(frozen=True)
class StagedFile:
    storage_key: str
    display_name: str
    content_type: str
    size_bytes: int
    sha256: str


def root(base: Path | None = None) -> Path:
    return (base or settings.private_dir) / "attachments"


def staging(base: Path | None = None) -> Path:
    folder = root(base) / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored(base: Path | None = None) -> Path:
    folder = root(base) / "stored"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clean_display_name(name: str) -> str:
    """A label for people: no path parts, no control characters, at most 120 characters."""
    label = name.replace("\\", "/").rsplit("/", 1)[-1]
    label = "".join(ch for ch in unicodedata.normalize("NFC", label) if unicodedata.category(ch)[0] != "C").strip()
    return (label or "allegato")[:120]


def owner_prefix(customer_id: int) -> str:
    """The start of the storage keys of a customer's files: their staged bytes can be counted."""
    return f"c{customer_id}x"


def _used(session: Session, *conditions) -> tuple[int, int]:
    count, size = session.exec(
        select(sa.func.count(col(RequestAttachment.id)), sa.func.coalesce(sa.func.sum(RequestAttachment.size_bytes), 0))
        .join(ServiceRequest, col(ServiceRequest.id) == col(RequestAttachment.request_id))
        .where(*conditions)
    ).one()
    return int(count), int(size)


def budget(
    *,
    session: Session,
    customer_id: int,
    request_id: int | None,
    pending: Sequence[StagedFile],
    base: Path | None = None,
    quota: Quota | None = None,
) -> Budget:
    """The room left for one more file of this customer (on this request, when it exists, with
    the files `pending` in the form); AttachmentRejected when there is none at all."""
    quota = quota or QUOTA
    request_files, request_bytes = _used(session, ServiceRequest.id == request_id) if request_id else (0, 0)
    request_files += len(pending)
    request_bytes += sum(item.size_bytes for item in pending)
    _count, stored_bytes = _used(session, ServiceRequest.customer_id == customer_id)
    staged_bytes = sum(path.stat().st_size for path in staging(base).glob(owner_prefix(customer_id) + "*"))
    if request_files >= quota.files_per_request:
        raise AttachmentRejected("attachments.too_many", count=quota.files_per_request)
    customer_left = quota.bytes_per_customer - stored_bytes - staged_bytes
    request_left = quota.bytes_per_request - request_bytes
    if customer_left <= request_left:
        room = Budget(customer_left, "attachments.quota_customer", quota.bytes_per_customer // MB)
    else:
        room = Budget(request_left, "attachments.quota_request", quota.bytes_per_request // MB)
    if room.bytes_left <= 0:
        raise AttachmentRejected(room.key, limit=room.limit_mb)
    return room


def stage(
    *,
    chunks: Iterable[bytes],
    display_name: str,
    kinds: Iterable[str],
    base: Path | None = None,
    owner: str = "",
    room: Budget | None = None,
) -> StagedFile:
    """Write an upload to the staging folder, refusing it (and leaving nothing behind) when its
    content is not of an allowed kind, it grows past that kind's limit or past the customer's
    `room`. Blocking file work: the app runs it in a worker thread, off the event loop."""
    accepted = allowed_types(kinds)
    key = owner + secrets.token_hex(16)
    path = staging(base) / key
    digest = hashlib.sha256()
    size = 0
    head = b""
    content_type = None
    riders = Riders()
    try:
        with open(path, "wb") as out:
            for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                riders.feed(chunk)
                if content_type is None:
                    head += chunk
                    if len(head) >= HEAD_BYTES:
                        content_type = check_type(head[:HEAD_BYTES], accepted)
                if content_type is not None and size > limit_for(content_type):
                    raise AttachmentRejected("attachments.too_big", limit=limit_for(content_type) // MB)
                if room is not None and size > room.bytes_left:
                    raise AttachmentRejected(room.key, limit=room.limit_mb)
                out.write(chunk)
                digest.update(chunk)
        if size == 0:
            raise AttachmentRejected("attachments.empty")
        if content_type is None:
            content_type = check_type(head, accepted)
            if size > limit_for(content_type):
                raise AttachmentRejected("attachments.too_big", limit=limit_for(content_type) // MB)
        riders.finish(head[:HEAD_BYTES])
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StagedFile(
        storage_key=key,
        display_name=clean_display_name(display_name),
        content_type=content_type,
        size_bytes=size,
        sha256=digest.hexdigest(),
    )


def keep(staged: StagedFile, base: Path | None = None) -> None:
    """Move a staged file to the permanent folder (same random key); a file already moved stays."""
    source = staging(base) / staged.storage_key
    if source.exists():
        source.replace(stored(base) / staged.storage_key)


def keep_after_commit(*, session: Session, staged: Sequence[StagedFile], base: Path | None = None) -> None:
    """Move the files once `session` has committed the rows that point to them; after a rollback
    they stay staged (the form can be sent again, or the sweep removes them after a day)."""
    if not staged:
        return
    live = {"open": True}

    def moved(_session: Session) -> None:
        if live["open"]:
            live["open"] = False
            pause_at("after_commit")
            for item in staged:
                keep(item, base)

    def rolled_back(_session: Session, previous) -> None:
        if previous.parent is None:  # the whole transaction, not a savepoint inside it
            live["open"] = False

    event.listen(session, "after_commit", moved)
    event.listen(session, "after_soft_rollback", rolled_back)


def discard(staged: StagedFile, base: Path | None = None) -> None:
    (staging(base) / staged.storage_key).unlink(missing_ok=True)


# The rows whose files live here: the requests' attachments, and the document area's files (issue 15).
# every table whose rows own a stored file: a key none of them holds is a staged leftover
_KEY_COLUMNS = (
    RequestAttachment.storage_key,
    ComplaintAttachment.storage_key,
    PublishedDocument.storage_key,
    DocumentUpload.storage_key,
)


def unclaimed(*, session: Session, staged: Sequence[StagedFile], base: Path | None = None) -> list[StagedFile]:
    """The files still staged that no committed row points to: after a crash between a commit and
    the move, a form may still list files that already belong to a request; those are not its
    own to send again or to throw away."""
    claimed = claimed_keys(session, [item.storage_key for item in staged])
    return [item for item in staged if item.storage_key not in claimed and (staging(base) / item.storage_key).exists()]


def claimed_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """The storage keys a committed row points to: a request's, a complaint's or a document's file."""
    found: set[str] = set()
    for column in _KEY_COLUMNS:
        found.update(session.exec(select(column).where(col(column).in_(keys))).all())
    return found


def path_of(storage_key: str, base: Path | None = None) -> Path:
    """Where a committed attachment's file is; one whose move was cut short is moved now."""
    if not storage_key.isalnum():
        raise ValueError("not a storage key")
    path = stored(base) / storage_key
    leftover = staging(base) / storage_key
    if not path.exists() and leftover.exists():
        leftover.replace(path)
    return path


@dataclasses.dataclass
class SweepReport:
    finished: int = 0  # committed rows whose file was still staged: moved now
    orphans: int = 0  # stored files no row points to: removed
    abandoned: int = 0  # staged files nobody claimed for STAGING_TTL: removed


def sweep(*, session: Session, base: Path | None = None, now: float | None = None) -> SweepReport:
    """Make the folders agree with the committed rows (see the module's docstring)."""
    report = SweepReport()
    cutoff = (now or time.time()) - STAGING_TTL.total_seconds()

    def committed(keys: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            found.update(claimed_keys(session, keys[start : start + 500]))
        return found

    staged_paths = [path for path in staging(base).iterdir() if path.is_file()]
    with_rows = committed([path.name for path in staged_paths])
    for path in staged_paths:
        with contextlib.suppress(FileNotFoundError):  # moved or removed by the app meanwhile
            if path.name in with_rows:
                path.replace(stored(base) / path.name)
                report.finished += 1
            elif path.stat().st_mtime < cutoff:
                path.unlink()
                report.abandoned += 1
    stored_paths = [path for path in stored(base).iterdir() if path.is_file()]
    with_rows = committed([path.name for path in stored_paths])
    for path in stored_paths:
        if path.name not in with_rows:
            path.unlink(missing_ok=True)
            report.orphans += 1
    return report
