"""What an attachment may be, judged by its content: the kinds a form accepts with their size
limits, the type read from the first bytes (with `filetype`), and the polyglots refused (issue 11):
a file that is an accepted kind by its first bytes and also markup a browser would run, or a zip.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable

import filetype

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
# Polyglots (issue 11): a file that is an accepted kind by its first bytes and also another format,
# read by whatever opens it by its name or sniffs it. Markup a browser would run is refused
# anywhere in the file (tokens long enough never to turn up by chance in compressed data); the
# shorter tags only in the head, where a browser sniffing the content looks. A zip archive is
# recognised by its end record in the last 64 KB (where zip readers look for it).
MARKUP_ANYWHERE = (b"<script", b"<iframe", b"<!doctype", b"javascript:")  # matched in lower case
MARKUP_IN_HEAD = re.compile(rb"<(?:html|head|body|svg|object|embed|meta)[\s>/]", re.IGNORECASE)
_MARKUP_CARRY = 32  # bytes kept from a chunk's end, so a token split across two chunks is seen
ZIP_END = b"PK\x05\x06"
ZIP_TAIL = 65535 + 22  # a zip's end record (22 bytes) and its longest comment


class AttachmentRejected(ValueError):
    """Carries the catalogue key of the reason, and its parameters."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params


def allowed_types(kinds: Iterable[str]) -> frozenset[str]:
    return frozenset().union(*(KINDS[kind][0] for kind in kinds))


def detect(head: bytes) -> str | None:
    kind = filetype.guess(head)
    return kind.mime if kind else None


def limit_for(content_type: str) -> int:
    return next(limit for types, limit in KINDS.values() if content_type in types)


class Riders:
    """Watches a file's bytes, as they arrive, for another format riding along (see MARKUP_ANYWHERE)."""

    def __init__(self) -> None:
        self._carry = b""
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        window = (self._carry + chunk).lower()  # bytes.lower and `in`: a 200 MB video in well under a second
        if any(token in window for token in MARKUP_ANYWHERE):
            raise AttachmentRejected("attachments.bad_type")
        self._carry = window[-_MARKUP_CARRY:]
        self._tail = (self._tail + chunk)[-ZIP_TAIL:] if len(chunk) < ZIP_TAIL else chunk[-ZIP_TAIL:]

    def finish(self, head: bytes) -> None:
        if MARKUP_IN_HEAD.search(head) or has_zip_end(self._tail):
            raise AttachmentRejected("attachments.bad_type")


def has_zip_end(tail: bytes) -> bool:
    """Whether `tail` (a file's last bytes) holds a zip's end-of-central-directory record: its
    signature, the same disk numbers, as many entries on this disk as in all, and a comment that
    fits in the file (so that four bytes of compressed data do not pass for one)."""
    at = tail.rfind(ZIP_END)
    while at >= 0:
        if len(tail) - at >= 22:
            disk, cd_disk, here, total, _size, _offset, comment = struct.unpack("<4H2LH", tail[at + 4 : at + 22])
            if disk == cd_disk and here == total and at + 22 + comment <= len(tail):
                return True
        at = tail.rfind(ZIP_END, 0, at)
    return False


def check_type(head: bytes, accepted: frozenset[str]) -> str:
    content_type = detect(head)
    if content_type is None or content_type not in accepted:
        raise AttachmentRejected("attachments.bad_type")
    return content_type
