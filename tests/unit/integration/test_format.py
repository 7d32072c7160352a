"""The format's documents agree: every schema is valid draft 2020-12, and docs/INTEGRATION.md
describes every field of every schema, with the same "required"."""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator

from portal.config import PROJECT_ROOT
from portal.integration import format as fmt


def _documented_fields(record_type: str) -> dict[str, str]:
    text = (PROJECT_ROOT / "docs" / "INTEGRATION.md").read_text(encoding="utf-8")
    section = text.split(f"### `{record_type}`", 1)[1].split("\n\n", 2)[1]
    found: dict[str, str] = {}
    for line in section.splitlines():
        match = re.match(r"\| `(\w+)` \|", line)
        if match:
            found[match[1]] = line.split("|")[3].strip()  # the "required" column
    return found


def test_every_schema_is_a_valid_draft_2020_12_schema_of_a_closed_object():
    for record_type in fmt.RECORD_TYPES:
        schema = fmt.schema_of(record_type.name)
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["additionalProperties"] is False
        assert set(record_type.key_fields) <= set(schema["required"])


def test_the_document_describes_every_field_of_every_type():
    for record_type in fmt.RECORD_TYPES:
        schema = fmt.schema_of(record_type.name)
        documented = _documented_fields(record_type.name)
        assert list(documented) == list(schema["properties"]), record_type.name
        required = {field for field, flag in documented.items() if flag == "yes"}
        assert required == set(schema["required"]), record_type.name
