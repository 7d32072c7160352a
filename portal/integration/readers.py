"""Reading a file set: a directory, or a .zip, holding `<type>.jsonl` and/or `<type>.csv` files,
and the invoices' PDF and XML files in a `documents/` folder (read lazily: they are checked, hashed
and stored one at a time, never all held in memory).

Every record keeps its origin (file name and line) for the report. What cannot be read as a record
(a malformed JSON line, a CSV header without a required column, a file of an unknown type) is a
rejection of the file set, reported with its file and line like a record's.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from portal.integration import format as fmt

WHOLE_RECORD = "-"  # the field of a rejection that concerns the whole record or line


@dataclasses.dataclass(frozen=True, slots=True)
class Rejection:
    file: str
    line: int
    field: str
    reason: str
    record_type: str | None = None

    def as_text(self) -> str:
        return f"{self.file}:{self.line} {self.field}: {self.reason}"


@dataclasses.dataclass(frozen=True, slots=True)  # one per record read: no __dict__ each
class SourceRecord:
    record_type: str
    file: str
    line: int
    values: dict[str, Any]  # as read: JSON values, or a CSV row's non-empty cells
    # False for the rows of a CSV file whose header was rejected: they are not checked one by one
    # (the header's rejection says why), but their keys still count, so that other records referring
    # to them are not reported too.
    readable: bool = True


@dataclasses.dataclass
class FileSet:
    source: str
    full: bool = False  # the manifest says the set holds every record of its types
    records: dict[str, list[SourceRecord]] = dataclasses.field(default_factory=dict)
    problems: list[Rejection] = dataclasses.field(default_factory=list)
    # the files of the documents/ folder by name, each a function that reads its bytes
    documents: dict[str, Callable[[], bytes]] = dataclasses.field(default_factory=dict)

    def types_present(self) -> list[str]:
        return [record_type.name for record_type in fmt.RECORD_TYPES if record_type.name in self.records]


def read_file_set(path: Path) -> FileSet:
    """The records of the directory or zip file at `path`."""
    file_set = FileSet(source=str(path))
    if path.is_dir():
        members = {item.name: item.read_bytes for item in sorted(path.iterdir()) if item.is_file()}
        folder = path / fmt.DOCUMENTS
        if folder.is_dir():
            for item in sorted(folder.iterdir()):
                if item.is_file() and not item.name.startswith("."):
                    file_set.documents[item.name] = item.read_bytes
    elif path.is_file() and zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        members = {}
        for info in archive.infolist():
            name = PurePosixPath(info.filename)
            if info.is_dir() or name.parts[0] == "__MACOSX" or name.name.startswith("."):
                continue
            if len(name.parts) > 1 and name.parts[-2] == fmt.DOCUMENTS:
                if name.name in file_set.documents:
                    file_set.problems.append(Rejection(info.filename, 0, WHOLE_RECORD, "a second file of this name"))
                else:
                    file_set.documents[name.name] = _member_reader(archive, info.filename)
                continue
            if name.name in members:
                file_set.problems.append(Rejection(info.filename, 0, WHOLE_RECORD, "a second file of this name"))
                continue
            members[name.name] = _member_reader(archive, info.filename)
    else:
        file_set.problems.append(Rejection(path.name, 0, WHOLE_RECORD, "not a directory or a zip file"))
        return file_set
    _read_members(file_set, members)
    return file_set


def _member_reader(archive: zipfile.ZipFile, name: str):
    return lambda: archive.read(name)


def _read_members(file_set: FileSet, members: dict[str, Any]) -> None:
    if fmt.MANIFEST in members:
        _read_manifest(file_set, members.pop(fmt.MANIFEST)())
    seen: dict[str, str] = {}
    for name in sorted(members):
        stem, _, extension = name.rpartition(".")
        if name.startswith(".") or name.lower() in {"readme.md", "readme.txt"}:
            continue
        if extension not in ("jsonl", "csv") or stem not in fmt.BY_NAME:
            known = ", ".join(f"{record_type.name}.jsonl/.csv" for record_type in fmt.RECORD_TYPES)
            file_set.problems.append(
                Rejection(name, 0, WHOLE_RECORD, f"not a file of format v{fmt.FORMAT_VERSION} (expected {known})")
            )
            continue
        if stem in seen:
            file_set.problems.append(
                Rejection(name, 0, WHOLE_RECORD, f"{stem} records are also in {seen[stem]}: send one file per type")
            )
            continue
        seen[stem] = name
        text = _decode(file_set, name, members[name]())
        if text is None:
            continue
        reader = _read_jsonl if extension == "jsonl" else _read_csv
        file_set.records[stem] = list(reader(file_set, stem, name, text))


def _read_manifest(file_set: FileSet, data: bytes) -> None:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        file_set.problems.append(Rejection(fmt.MANIFEST, 1, WHOLE_RECORD, f"not valid JSON: {error}"))
        return
    if not isinstance(manifest, dict):
        file_set.problems.append(Rejection(fmt.MANIFEST, 1, WHOLE_RECORD, "not a JSON object"))
        return
    version = manifest.get("format_version", fmt.FORMAT_VERSION)
    if version != fmt.FORMAT_VERSION:
        file_set.problems.append(
            Rejection(fmt.MANIFEST, 1, "format_version", f"{version!r}: this portal reads format version 1")
        )
    full = manifest.get("full", False)
    if not isinstance(full, bool):
        file_set.problems.append(Rejection(fmt.MANIFEST, 1, "full", "must be true or false"))
    else:
        file_set.full = full
    unknown = sorted(set(manifest) - {"format_version", "full", "generated_at", "source"})
    for field in unknown:
        file_set.problems.append(Rejection(fmt.MANIFEST, 1, field, "unknown field"))


def _decode(file_set: FileSet, name: str, data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")  # a spreadsheet's byte-order mark is not a character of the header
    except UnicodeDecodeError as error:
        file_set.problems.append(Rejection(name, 0, WHOLE_RECORD, f"not UTF-8 text: {error.reason}"))
        return None


def _read_jsonl(file_set: FileSet, record_type: str, name: str, text: str) -> Iterator[SourceRecord]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            file_set.problems.append(
                Rejection(
                    name, number, WHOLE_RECORD, f"not valid JSON: {error.msg} at column {error.colno}", record_type
                )
            )
            continue
        if not isinstance(value, dict):
            file_set.problems.append(Rejection(name, number, WHOLE_RECORD, "not a JSON object", record_type))
            continue
        # null is the same as an absent field; the field names interned: json makes new strings of
        # them for every line, and a big set holds its records whole
        yield SourceRecord(record_type, name, number, {sys.intern(k): v for k, v in value.items() if v is not None})


def _read_csv(file_set: FileSet, record_type: str, name: str, text: str) -> Iterator[SourceRecord]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as error:
        file_set.problems.append(Rejection(name, 1, WHOLE_RECORD, f"not valid CSV: {error}"))
        return
    header = [column.strip() for column in header]
    header_ok = True
    for column in sorted(fmt.required_of(record_type) - set(header)):
        file_set.problems.append(Rejection(name, 1, column, "required column missing from the header row"))
        header_ok = False
    known = fmt.fields_of(record_type)
    for column in header:
        if column not in known:
            file_set.problems.append(Rejection(name, 1, column or WHOLE_RECORD, "unknown column"))
            header_ok = False
    duplicated = sorted({column for column in header if header.count(column) > 1})
    for column in duplicated:
        file_set.problems.append(Rejection(name, 1, column, "column repeated in the header row"))
        header_ok = False
    integers = fmt.integer_fields_of(record_type)
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            file_set.problems.append(Rejection(name, start, WHOLE_RECORD, f"not valid CSV: {error}", record_type))
            return
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            file_set.problems.append(
                Rejection(name, line, WHOLE_RECORD, f"{len(row)} cells, the header has {len(header)}", record_type)
            )
            continue
        values: dict[str, Any] = {}
        for column, cell in zip(header, row, strict=True):
            if cell == "" or column not in known:
                continue  # an empty cell is an absent field
            values[column] = int(cell) if column in integers and _is_integer(cell) else cell
        yield SourceRecord(record_type, name, line, values, readable=header_ok)


def _is_integer(cell: str) -> bool:
    digits = cell[1:] if cell[:1] == "-" else cell
    return digits.isdigit() and digits.isascii()
