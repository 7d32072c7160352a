"""Attachments of requests: type checked by content (magic bytes, with `filetype`), size limits
checked while the bytes arrive, stored outside Reflex's public upload folder under random names.
The client's file name is kept only as a label, never in a path.

A file is first staged (while the user is still filling the form), then attached to a request
when it is submitted; staged files nobody claimed are removed after a day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
import time
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import filetype

from portal.config import settings

MB = 1024 * 1024
# What each kind accepts (detected from the content) and how big it may be.
KINDS: dict[str, tuple[frozenset[str], int]] = {
    "image": (frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic"}), 10 * MB),
    "video": (
        frozenset({"video/mp4", "video/quicktime", "video/webm", "video/x-matroska", "video/x-msvideo", "video/3gpp"}),
        200 * MB,
    ),
    "pdf": (frozenset({"application/pdf"}), 10 * MB),
}
HEAD_BYTES = 8192
CHUNK = 1024 * 1024
STAGING_TTL = dt.timedelta(days=1)


class AttachmentRejected(ValueError):
    """Carries the catalogue key of the reason, and its parameters."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params


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


def allowed_types(kinds: Iterable[str]) -> frozenset[str]:
    return frozenset().union(*(KINDS[kind][0] for kind in kinds))


def detect(head: bytes) -> str | None:
    kind = filetype.guess(head)
    return kind.mime if kind else None


def limit_for(content_type: str) -> int:
    return next(limit for types, limit in KINDS.values() if content_type in types)


def stage(*, chunks: Iterable[bytes], display_name: str, kinds: Iterable[str], base: Path | None = None) -> StagedFile:
    """Write an upload to the staging folder, refusing it (and leaving nothing behind) when its
    content is not of an allowed kind or it grows past that kind's limit. Files staged more than
    STAGING_TTL ago and never claimed (a form left unsent) go first."""
    purge_staging(base)
    accepted = allowed_types(kinds)
    key = secrets.token_hex(16)
    path = staging(base) / key
    digest = hashlib.sha256()
    size = 0
    head = b""
    content_type = None
    try:
        with open(path, "wb") as out:
            for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                if content_type is None:
                    head += chunk
                    if len(head) >= HEAD_BYTES:
                        content_type = _check_type(head[:HEAD_BYTES], accepted)
                if content_type is not None and size > limit_for(content_type):
                    raise AttachmentRejected("attachments.too_big", limit=limit_for(content_type) // MB)
                out.write(chunk)
                digest.update(chunk)
        if size == 0:
            raise AttachmentRejected("attachments.empty")
        if content_type is None:
            content_type = _check_type(head, accepted)
            if size > limit_for(content_type):
                raise AttachmentRejected("attachments.too_big", limit=limit_for(content_type) // MB)
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


def _check_type(head: bytes, accepted: frozenset[str]) -> str:
    content_type = detect(head)
    if content_type is None or content_type not in accepted:
        raise AttachmentRejected("attachments.bad_type")
    return content_type


def keep(staged: StagedFile, base: Path | None = None) -> None:
    """Move a staged file to the permanent folder (same random key)."""
    (staging(base) / staged.storage_key).replace(stored(base) / staged.storage_key)


def discard(staged: StagedFile, base: Path | None = None) -> None:
    (staging(base) / staged.storage_key).unlink(missing_ok=True)


def path_of(storage_key: str, base: Path | None = None) -> Path:
    if not storage_key.isalnum():
        raise ValueError("not a storage key")
    return stored(base) / storage_key


def purge_staging(base: Path | None = None, now: float | None = None) -> int:
    """Remove the staged files older than STAGING_TTL; how many were removed."""
    cutoff = (now or time.time()) - STAGING_TTL.total_seconds()
    removed = 0
    for path in staging(base).iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
