"""The files of a file set's documents/ folder: each named by exactly one invoice's pdf_file or
xml_file, a PDF by its content (magic bytes) or well-formed XML, and not too large. Each file is
read once here, one at a time, and its SHA-256 kept: the importer stores only what changed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import lxml.etree as etree  # the compiled module: pyright resolves it only imported this way

from portal.integration import format as fmt
from portal.integration.readers import WHOLE_RECORD, Rejection, SourceRecord
from portal.services.requests.file_kinds import detect

if TYPE_CHECKING:  # validation.py calls this module
    from portal.integration.validation import Record

MAX_DOCUMENT_MB = 20
DOCUMENT_FIELDS = ("pdf_file", "xml_file")


def _problem(field: str, data: bytes) -> str | None:
    """What is wrong with a file's content for the field naming it, if anything."""
    if len(data) > MAX_DOCUMENT_MB * 1024 * 1024:
        return f"is larger than {MAX_DOCUMENT_MB} MB"
    if field == "pdf_file":
        return None if detect(data[:8192]) == "application/pdf" else "is not a PDF file (by its content)"
    # No network, no DTD, no entity expansion: a FatturaPA file needs none of them.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        return f"is not well-formed XML: {error.msg}"
    return None


def check_documents(
    records: Iterable[Record], sources: Iterable[SourceRecord], documents: Mapping[str, Callable[[], bytes]]
) -> tuple[list[Rejection], dict[str, str]]:
    """The rejections about documents, and the SHA-256 of each good file by its name. `records`
    are the invoices that passed their schema; `sources` every invoice read (a rejected invoice's
    files are not reported again as named by nobody)."""
    rejections: list[Rejection] = []
    hashes: dict[str, str] = {}
    first: dict[str, Record] = {}
    for record in records:
        for field in DOCUMENT_FIELDS:
            name = record.values.get(field)
            if name is None:
                continue
            if name in first:  # named twice, by two invoices or by one as its PDF and its XML
                earlier = first[name]
                rejections.append(
                    record.reject(
                        field, f"{name} is also named by {earlier.file}:{earlier.line} (one file per document)"
                    )
                )
                continue
            first[name] = record
            if name not in documents:
                rejections.append(record.reject(field, f"no file {name} in the set's {fmt.DOCUMENTS}/ folder"))
                continue
            data = documents[name]()
            problem = _problem(field, data)
            if problem is not None:
                rejections.append(record.reject(field, f"{fmt.DOCUMENTS}/{name} {problem}"))
            else:
                hashes[name] = hashlib.sha256(data).hexdigest()
    named: set[Any] = {source.values.get(field) for source in sources for field in DOCUMENT_FIELDS}
    for name in sorted(set(documents) - named):
        rejections.append(
            Rejection(f"{fmt.DOCUMENTS}/{name}", 0, WHOLE_RECORD, "named by no invoice's pdf_file or xml_file")
        )
    return rejections, hashes
