"""A record type's JSON Schema compiled once into plain Python tests, for the records that pass it.

Walking a record through the jsonschema validator costs about as much as the rest of an import; a
record that passes needs none of its error reports. `passes` is strict: it says True only when the
validator would find nothing (the same regular expressions, searched as the validator searches
them, the same date check); any keyword it does not compile, or any value it does not recognise
(a float where an integer is wanted, a boolean), makes it say False, and the caller asks the
validator, which words the rejections. So the messages stay exactly the validator's.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

from portal.integration import format as fmt

_Test = Callable[[Any], bool]
_NEVER: _Test = lambda value: False  # noqa: E731 - a keyword not compiled: the validator decides
_WORDS = {"description", "title", "$comment", "examples", "default", fmt.VALUE_TYPE}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)  # jsonschema's own pattern for format "date"


def _is_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _field_test(spec: dict[str, Any]) -> _Test:
    """The test of one field's value, or _NEVER for a spec using a keyword not handled here."""
    if set(spec) - _WORDS - {"type", "minLength", "maxLength", "pattern", "format", "enum", "minimum"}:
        return _NEVER
    kind = spec.get("type")
    if "enum" in spec:
        if kind is not None or not all(type(code) is str for code in spec["enum"]):
            return _NEVER
        codes = frozenset(spec["enum"])
        return lambda value: type(value) is str and value in codes
    if kind == "integer":
        if set(spec) & {"minLength", "maxLength", "pattern", "format"}:
            return _NEVER
        minimum = spec.get("minimum")
        if minimum is None:
            return lambda value: type(value) is int
        return lambda value: type(value) is int and value >= minimum
    if kind != "string" or spec.get("format", "date") != "date" or "minimum" in spec:
        return _NEVER
    shortest, longest = spec.get("minLength", 0), spec.get("maxLength")
    search = re.compile(spec["pattern"]).search if "pattern" in spec else None
    is_date = "format" in spec

    def test(value: Any) -> bool:
        return (
            type(value) is str
            and shortest <= len(value)
            and (longest is None or len(value) <= longest)
            and (search is None or search(value) is not None)
            and (not is_date or _is_date(value))
        )

    return test


@functools.cache
def _compiled(name: str) -> tuple[frozenset[str], dict[str, _Test]] | None:
    """The required fields and each field's test of the record type; None when the schema uses
    something beyond an object of known fields (then every record goes to the validator)."""
    schema = fmt.validator_of(name).schema  # the value types already inlined
    if not isinstance(schema, dict):
        return None
    if set(schema) - _WORDS - {"$schema", "$id", "type", "properties", "required", "additionalProperties"}:
        return None
    if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
        return None
    return frozenset(schema.get("required", ())), {
        field: _field_test(spec) for field, spec in schema["properties"].items()
    }


def passes(name: str, values: dict[str, Any]) -> bool:
    """True when the record's values certainly satisfy the schema of its type."""
    compiled = _compiled(name)
    if compiled is None:
        return False
    required, tests = compiled
    if not required <= values.keys():
        return False
    for field, value in values.items():
        test = tests.get(field)
        if test is None or not test(value):
            return False
    return True
