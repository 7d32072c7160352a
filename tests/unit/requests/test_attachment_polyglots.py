"""Issue 11: a file whose first bytes make it an accepted kind but which is also another format
(markup a browser would run, a zip archive) is refused, and nothing stays staged; genuine files,
and binary data that merely contains a zip signature by chance, still pass."""

from __future__ import annotations

import dataclasses
import io
import struct
import zipfile

import pytest

from portal.services.requests import attachments as files
from portal.services.requests import file_kinds

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 3000
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 3000 + b"\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 3000 + b"\xff\xd9"


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", "<p>hi</p>")
    return out.getvalue()


@pytest.fixture
def base(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "portal.services.requests.attachments.settings", dataclasses.replace(files.settings, private_dir=tmp_path)
    )
    return tmp_path


def _refused(base, chunks: list[bytes], kinds=("image", "pdf")) -> str:
    with pytest.raises(files.AttachmentRejected) as refused:
        files.stage(chunks=chunks, display_name="x", kinds=kinds)
    assert list(files.staging(base).iterdir()) == []
    return refused.value.key


@pytest.mark.parametrize(
    "content",
    [
        PDF + _zip(),  # a PDF that is also a zip
        PNG + _zip(),
        JPEG + b"<script>alert(1)</script>",  # a script appended
        JPEG[:12] + b"<!DOCTYPE html><html><body>hi</body></html>",  # an HTML body behind a JPEG's magic
        PNG + b"<HTML><BODY>hi</BODY></HTML>",  # tags in the head, any case
        b"%PDF-1.4\n<svg onload=alert(1)>\n%%EOF",
        PDF.replace(b"0" * 20, b"javascript:alert(1)"),
    ],
)
def test_polyglots_are_refused(base, content):
    assert _refused(base, [content]) == "attachments.bad_type"


def test_markup_split_across_chunks_is_seen(base):
    video_head = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (files.HEAD_BYTES + 100)
    assert _refused(base, [video_head + b"...<scr", b"ipt>x</script>"], kinds=("video",)) == "attachments.bad_type"


def test_a_zip_signature_by_chance_is_not_a_zip(base):
    """Four bytes of compressed data that spell the signature, without a consistent record."""
    noise = b"PK\x05\x06" + struct.pack("<4H2LH", 1, 7, 3, 9, 10, 20, 60000)
    staged = files.stage(chunks=[PNG + noise + b"\x01" * 40], display_name="foto.png", kinds=("image",))
    assert staged.content_type == "image/png"


def test_genuine_files_pass(base):
    assert files.stage(chunks=[PDF], display_name="a.pdf", kinds=("pdf",)).content_type == "application/pdf"
    assert files.stage(chunks=[PNG], display_name="a.png", kinds=("image",)).content_type == "image/png"
    assert files.stage(chunks=[JPEG], display_name="a.jpg", kinds=("image",)).content_type == "image/jpeg"
    assert file_kinds.has_zip_end(_zip()[-100:]) and not file_kinds.has_zip_end(PDF)
