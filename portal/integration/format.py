"""The interchange format, version 1: its record types, their JSON Schemas and keys.

A record type is one file of a file set (`<type>.jsonl` or `<type>.csv`) and one JSON Schema
(schemas/v1/<type>.schema.json). Record types are imported in the order of RECORD_TYPES, so a record
only refers to types before it (a contract to its customer, a line or an asset to its contract, an
invoice to its contract and plan row, a line or a payment to its invoice, a user to its customer
and contracts). An invoice's PDF and FatturaPA XML travel as files of the set's DOCUMENTS folder,
named by the invoice record.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

FORMAT_VERSION = 1
SCHEMAS_DIR = Path(__file__).parent / "schemas" / f"v{FORMAT_VERSION}"
MANIFEST = "manifest.json"  # optional: {"format_version": 1, "full": true}
DOCUMENTS = "documents"  # the folder of the invoices' PDF and XML files


@dataclasses.dataclass(frozen=True)
class RecordType:
    name: str  # the file name without extension and the schema's name
    key_fields: tuple[str, ...]  # the core system's identifiers that name a record

    def key_of(self, record: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(record.get(field) for field in self.key_fields)


CUSTOMER = RecordType("customer", ("code",))
CONTRACT = RecordType("contract", ("number",))
SCHEDULE_LINE = RecordType("schedule_line", ("contract_number", "position"))
LEASED_ASSET = RecordType("leased_asset", ("code",))
INVOICE = RecordType("invoice", ("number",))
INVOICE_LINE = RecordType("invoice_line", ("invoice_number", "line_number"))
PAYMENT = RecordType("payment", ("code",))
RATE = RecordType("rate", ("name", "observed_on"))
USER = RecordType("user", ("customer_code", "email"))

RECORD_TYPES: tuple[RecordType, ...] = (
    CUSTOMER,
    CONTRACT,
    SCHEDULE_LINE,
    LEASED_ASSET,
    INVOICE,
    INVOICE_LINE,
    PAYMENT,
    RATE,
    USER,
)
BY_NAME = {record_type.name: record_type for record_type in RECORD_TYPES}


@functools.cache
def schema_of(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


VALUE_TYPE = "x-value-type"  # marks a value type of the format (money, date…) inlined by validator_of


@functools.cache
def validator_of(name: str) -> Draft202012Validator:
    """The validator of the record type's schema, with each `$ref` to a value type of `$defs`
    replaced by the definition itself (marked VALUE_TYPE): the same rules, but resolving a
    reference for every field of every record was two thirds of an import's time."""
    schema = schema_of(name)
    Draft202012Validator.check_schema(schema)
    definitions = schema.get("$defs", {})
    properties = {}
    for field, spec in schema["properties"].items():
        reference = spec.get("$ref", "")
        if reference.startswith("#/$defs/"):
            value_type = reference.removeprefix("#/$defs/")
            spec = {**definitions[value_type], VALUE_TYPE: value_type}
        properties[field] = spec
    inlined = {key: value for key, value in schema.items() if key != "$defs"} | {"properties": properties}
    return Draft202012Validator(inlined, format_checker=Draft202012Validator.FORMAT_CHECKER)


def fields_of(name: str) -> tuple[str, ...]:
    """The record type's field names, in the schema's order (a CSV file's columns)."""
    return tuple(schema_of(name)["properties"])


def required_of(name: str) -> frozenset[str]:
    return frozenset(schema_of(name)["required"])


def integer_fields_of(name: str) -> frozenset[str]:
    """Fields a CSV cell holds as text but the schema wants as a JSON integer."""
    return frozenset(field for field, spec in schema_of(name)["properties"].items() if spec.get("type") == "integer")
