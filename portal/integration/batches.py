"""A batch of the HTTP API (POST /api/v1/batches, docs/INTEGRATION.md §7) as a file set.

    {"full": false, "dry_run": false, "records": {"customer": [{...}, ...], "contract": [...]}}

Each record type of `records` plays the part of a file of a file set: its name is the file's and a
record's line is its position in the array, from 1, so `contract:4` in the report is
`records.contract[3]` (JSON pointer `/records/contract/3`). A type the format does not know, or a
record that is not a JSON object, is rejected like an unknown file or a line that is not a JSON
object. What is not a batch at all (not an object, `records` missing, `full` not a boolean…) is the
caller's error (BatchError), answered before any import.
"""

from __future__ import annotations

import json
from typing import Any

from portal.integration import format as fmt
from portal.integration.readers import WHOLE_RECORD, FileSet, Rejection, SourceRecord

FIELDS = ("full", "dry_run", "records")


class BatchError(ValueError):
    """The body is not a batch; the message says why."""


def batch_options(body: Any) -> tuple[bool, bool]:
    """(full, dry_run) of a batch; BatchError when the envelope is not one."""
    if not isinstance(body, dict):
        raise BatchError("the body must be a JSON object with `records`")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise BatchError(f"unknown field(s) {', '.join(unknown)}: a batch has {', '.join(FIELDS)}")
    if not isinstance(body.get("records"), dict):
        raise BatchError("`records` must be an object of record type -> array of records")
    for flag in ("full", "dry_run"):
        if not isinstance(body.get(flag, False), bool):
            raise BatchError(f"`{flag}` must be true or false")
    return body.get("full", False), body.get("dry_run", False)


def file_set_of(body: Any, *, source: str) -> FileSet:
    """The batch's records as a file set (see the module's docstring)."""
    full, _ = batch_options(body)
    file_set = FileSet(source=source, full=full)
    for name, records in body["records"].items():
        if name not in fmt.BY_NAME:
            known = ", ".join(record_type.name for record_type in fmt.RECORD_TYPES)
            file_set.problems.append(
                Rejection(
                    name, 0, WHOLE_RECORD, f"not a record type of format v{fmt.FORMAT_VERSION} (expected {known})"
                )
            )
            continue
        if not isinstance(records, list):
            file_set.problems.append(Rejection(name, 0, WHOLE_RECORD, "not an array of records", name))
            continue
        read: list[SourceRecord] = []
        for line, value in enumerate(records, start=1):
            if not isinstance(value, dict):
                file_set.problems.append(Rejection(name, line, WHOLE_RECORD, "not a JSON object", name))
                continue
            # null is the same as an absent field, as in a JSON Lines file
            values = {field: _hashable(v) for field, v in value.items() if v is not None}
            read.append(SourceRecord(name, name, line, values))
        file_set.records[name] = read
    return file_set


class _Object(dict):
    def __hash__(self) -> int:  # pyright: ignore[reportIncompatibleVariableOverride]
        return hash(json.dumps(self, sort_keys=True, default=str))


class _Array(list):
    def __hash__(self) -> int:  # pyright: ignore[reportIncompatibleVariableOverride]
        return hash(json.dumps(self, sort_keys=True, default=str))


def _hashable(value: Any) -> Any:
    """An object or array sent where the schema wants a text or a number, still a dict or list to the
    schema check (which rejects it as usual), but hashable: validation.check collects every
    record's key fields in sets before it looks at their types, and a key sent as {} would end the
    import with a TypeError instead of a rejection. (JSON Lines files meet the same TypeError in
    validation.py: reported to its owner; this shim goes when it is fixed there.)"""
    if isinstance(value, dict):
        return _Object(value)
    if isinstance(value, list):
        return _Array(value)
    return value


def pointer(rejection: dict[str, Any]) -> str | None:
    """The JSON pointer of a rejected record of a batch (`/records/contract/3`); None for a
    rejection of a whole type (line 0)."""
    line = rejection.get("line", 0)
    name = str(rejection["file"]).replace("~", "~0").replace("/", "~1")
    return f"/records/{name}/{line - 1}" if line >= 1 else None
