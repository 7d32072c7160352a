"""Validating a file set: every record against its JSON Schema, then the domain checks that a schema
cannot express (references, unique keys, dates in order, amounts that agree). The records that pass
come back as typed values (Decimal, date, the models' enums), keyed by the core system's keys."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from jsonschema import ValidationError

from portal.integration import fast_check
from portal.integration import format as fmt
from portal.integration.billing_checks import (
    Batch,
    StoredInvoice,
    check_invoice_lines,
    check_invoices,
    check_payments,
)
from portal.integration.document_checks import check_documents
from portal.integration.readers import WHOLE_RECORD, FileSet, Rejection, SourceRecord
from portal.integration.users import StoredUser, check_users
from portal.models.enums import (
    ContractStatus,
    CustomerKind,
    DocumentKind,
    Language,
    PaymentMethod,
    ScheduleLineKind,
)

_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "money": Decimal,
    "signed_money": Decimal,
    "rate": Decimal,
    "percent": Decimal,
    "quantity": Decimal,
    "date": dt.date.fromisoformat,
    "payment_method": PaymentMethod,
}
_ENUMS: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("customer", "kind"): CustomerKind,
    ("contract", "status"): ContractStatus,
    ("schedule_line", "kind"): ScheduleLineKind,
    ("invoice", "kind"): DocumentKind,
    ("user", "language"): Language,
}


@dataclasses.dataclass(frozen=True, slots=True)  # one per record: no __dict__ each
class Record:
    """A record that passed its schema: typed values, with its origin."""

    record_type: str
    file: str
    line: int
    key: tuple[Any, ...]
    values: dict[str, Any]

    def reject(self, field: str, reason: str) -> Rejection:
        return Rejection(self.file, self.line, field, reason, self.record_type)


@dataclasses.dataclass
class Checked:
    """The outcome of validation: typed records per type (in file order), every rejection, and the
    SHA-256 of each document file by its name."""

    records: dict[str, list[Record]]
    rejections: list[Rejection]
    documents: dict[str, str] = dataclasses.field(default_factory=dict)


def schema_rejections(source: SourceRecord) -> list[Rejection]:
    """What the record's JSON Schema says is wrong with it, one rejection per field."""
    validator = fmt.validator_of(source.record_type)
    found: dict[str, Rejection] = {}  # one reason per field: a date both malformed and impossible is told once
    for error in sorted(validator.iter_errors(source.values), key=lambda e: (list(e.absolute_path), e.message)):
        for field, reason in _explain(error):
            found.setdefault(field, Rejection(source.file, source.line, field, reason, source.record_type))
    for field in _fields_with_nul(source.values):
        found.setdefault(field, Rejection(source.file, source.line, field, NUL_REASON, source.record_type))
    return list(found.values())


# JSON and CSV can carry U+0000, the schemas' strings allow it, but no database text column holds it
# (PostgreSQL refuses the whole transaction): it is a rejection like any malformed value.
NUL_REASON = "holds the character U+0000 (NUL), which no text may contain"


def _fields_with_nul(values: Mapping[str, Any]) -> list[str]:
    return [field for field, value in values.items() if isinstance(value, str) and "\x00" in value]


def _explain(error: ValidationError) -> list[tuple[str, str]]:
    """The field(s) and reason(s) of one schema error, in words; a value type of the format (money,
    date…, the schema's $defs) is named by its description, another field's form by its pattern."""
    path = [str(part) for part in error.absolute_path]
    field = path[0] if path else WHOLE_RECORD
    instance: Any = error.instance
    schema: Any = error.schema
    expected: Any = error.validator_value
    match error.validator:
        case "required":
            missing = [name for name in expected if name not in instance]
            return [(name, "required field missing") for name in missing]
        case "additionalProperties":
            known = set(schema.get("properties", {}))
            return [(name, "unknown field") for name in sorted(set(instance) - known)]
        case "enum":
            codes = ", ".join(str(code) for code in expected)
            return [(field, f"{instance!r} is not one of the codes {codes}")]
        case "pattern" | "format":
            if fmt.VALUE_TYPE in schema:
                return [(field, f"{instance!r} is not {schema['description']}")]
            return [(field, f"{instance!r} does not have the form {schema['pattern']}")]
        case "type":
            return [(field, f"{instance!r} is not of type {expected}")]
        case "minLength":
            return [(field, "empty")]
        case "maxLength":
            return [(field, f"longer than {expected} characters")]
        case "minimum":
            return [(field, f"{instance!r} is below the minimum {expected}")]
        case _:
            return [(field, error.message)]


def _member(members: dict[Any, enum.Enum], kind: Callable[[Any], Any], code: Any) -> Any:
    return members[code] if code in members else kind(code)


@functools.cache
def _converters(record_type: str) -> dict[str, Callable[[Any], Any]]:
    """The fields of the type that are read into another Python type, with the converter of each."""
    found: dict[str, Callable[[Any], Any]] = {}
    for field, spec in fmt.schema_of(record_type)["properties"].items():
        converter = _CONVERTERS.get(spec.get("$ref", "").rpartition("/")[2]) or _ENUMS.get((record_type, field))
        if isinstance(converter, type) and issubclass(converter, enum.Enum):
            # a code the schema let through is a member's value: a lookup before Enum's slower call
            found[field] = functools.partial(_member, {member.value: member for member in converter}, converter)
        elif converter is not None:
            found[field] = converter
    return found


def _typed(record_type: str, values: dict[str, Any]) -> dict[str, Any]:
    converters = _converters(record_type)
    return {
        field: converter(value) if (converter := converters.get(field)) else value for field, value in values.items()
    }


def check(file_set: FileSet, *, known: KnownKeys) -> Checked:
    """Every record of the file set checked; `known` holds the keys already in the portal's database."""
    rejections = list(file_set.problems)
    records: dict[str, list[Record]] = {}
    for record_type in fmt.RECORD_TYPES:
        good: list[Record] = []
        for source in file_set.records.get(record_type.name, []):
            if not source.readable:
                continue
            # The compiled checks pass nearly every record at a fraction of the validator's cost;
            # what they do not pass, the validator looks at and words.
            if not fast_check.passes(record_type.name, source.values) or _fields_with_nul(source.values):
                problems = schema_rejections(source)
                if problems:
                    rejections.extend(problems)
                    continue
            values = _typed(record_type.name, source.values)
            good.append(Record(record_type.name, source.file, source.line, record_type.key_of(values), values))
        records[record_type.name] = good
    # Keys of the batch: every record read, valid or not, so a rejected contract does not also
    # reject its lines as "unknown".
    batch_keys = {
        record_type.name: {record_type.key_of(source.values) for source in file_set.records.get(record_type.name, [])}
        for record_type in fmt.RECORD_TYPES
    }
    for record_type in fmt.RECORD_TYPES:
        rejections.extend(_unique_keys(record_type, records[record_type.name]))
    rejections.extend(_check_customers(records["customer"]))
    rejections.extend(_check_contracts(records["contract"], batch_keys, known))
    rejections.extend(_check_lines(records["schedule_line"], batch_keys, known))
    rejections.extend(_check_assets(records["leased_asset"], batch_keys, known))
    batch = Batch.of(file_set)
    rejections.extend(check_invoices(records["invoice"], batch, known))
    rejections.extend(check_invoice_lines(records["invoice_line"], batch, known))
    rejections.extend(check_payments(records["payment"], batch, known))
    rejections.extend(check_users(records["user"], file_set, batch, known))
    problems, documents = check_documents(records["invoice"], file_set.records.get("invoice", []), file_set.documents)
    rejections.extend(problems)
    return Checked(records=records, rejections=rejections, documents=documents)


@dataclasses.dataclass(frozen=True)
class KnownKeys:
    """The keys of the records of the tenant already in the database."""

    customers: frozenset[str]
    contracts: Mapping[str, str]  # contract number -> its customer's code
    lines: frozenset[tuple[str, int]] = frozenset()  # (contract number, position) of the plans
    invoices: Mapping[str, StoredInvoice] = dataclasses.field(default_factory=dict)
    payments: Mapping[str, str] = dataclasses.field(default_factory=dict)  # payment code -> customer code
    users: Mapping[tuple[str, str], StoredUser] = dataclasses.field(default_factory=dict)  # (code, email lower)
    usernames_taken: frozenset[str] = frozenset()  # by accounts of other leasing companies


def _unique_keys(record_type: fmt.RecordType, records: Iterable[Record]) -> Iterable[Rejection]:
    first: dict[tuple[Any, ...], Record] = {}
    for record in records:
        earlier = first.setdefault(record.key, record)
        if earlier is not record:
            shown = " + ".join(str(part) for part in record.key)
            yield record.reject(
                ", ".join(record_type.key_fields), f"duplicate key {shown} (first at {earlier.file}:{earlier.line})"
            )


def _check_customers(records: Iterable[Record]) -> Iterable[Rejection]:
    for record in records:
        values = record.values
        if values["kind"] is CustomerKind.PERSON:
            for field in ("first_name", "last_name"):
                if field not in values:
                    yield record.reject(field, "required for a person")
        elif "partita_iva" not in values:
            yield record.reject("partita_iva", "required for a company")


def _check_contracts(
    records: Iterable[Record], batch: dict[str, set[tuple[Any, ...]]], known: KnownKeys
) -> Iterable[Rejection]:
    for record in records:
        values = record.values
        code = values["customer_code"]
        if (code,) not in batch["customer"] and code not in known.customers:
            yield record.reject("customer_code", f"unknown customer {code}: not in this file set nor in the portal")
        holder = known.contracts.get(values["number"])
        if holder is not None and holder != code:
            yield record.reject(
                "customer_code",
                f"{code}: the contract belongs to customer {holder}; "
                "format v1 cannot move a contract to another customer",
            )
        if values["end_date"] < values["start_date"]:
            yield record.reject("end_date", f"{values['end_date']} is before start_date {values['start_date']}")
        if values["start_date"] < values["signed_on"]:
            yield record.reject("start_date", f"{values['start_date']} is before signed_on {values['signed_on']}")
        status = values.get("status", ContractStatus.ACTIVE)
        extinguished_on = values.get("extinguished_on")
        if status is ContractStatus.EXTINGUISHED and extinguished_on is None:
            yield record.reject("extinguished_on", "required when status is extinguished")
        if status is ContractStatus.ACTIVE and extinguished_on is not None:
            yield record.reject("extinguished_on", "given for an active contract")
        if extinguished_on is not None and extinguished_on < values["start_date"]:
            yield record.reject("extinguished_on", f"{extinguished_on} is before start_date {values['start_date']}")
        if values["advance"] + values["residual_value"] > values["amount"]:
            yield record.reject(
                "amount",
                f"advance {values['advance']} + residual_value {values['residual_value']} exceed the amount "
                f"{values['amount']}",
            )


def _check_lines(
    records: Iterable[Record], batch: dict[str, set[tuple[Any, ...]]], known: KnownKeys
) -> Iterable[Rejection]:
    for record in records:
        values = record.values
        number = values["contract_number"]
        if (number,) not in batch["contract"] and number not in known.contracts:
            yield record.reject("contract_number", f"unknown contract {number}: not in this file set nor in the portal")
        if values["competence_end"] < values["competence_start"]:
            yield record.reject(
                "competence_end", f"{values['competence_end']} is before competence_start {values['competence_start']}"
            )
        indexation = values["kind"] is ScheduleLineKind.INDEXATION
        for field in ("amount", "interest"):
            if values[field] < 0 and not indexation:
                yield record.reject(field, f"{values[field]} is negative (only an indexation row may be)")
        if values["amount"] != values["principal"] + values["interest"]:
            yield record.reject(
                "amount", f"{values['amount']} is not principal {values['principal']} + interest {values['interest']}"
            )
        if indexation:
            for field in ("index_rate", "index_base_balance"):
                if field not in values:
                    yield record.reject(field, "required on an indexation row")
        else:
            for field in ("index_rate", "index_base_balance"):
                if field in values:
                    yield record.reject(field, "only an indexation row has it")


def _check_assets(
    records: Iterable[Record], batch: dict[str, set[tuple[Any, ...]]], known: KnownKeys
) -> Iterable[Rejection]:
    for record in records:
        number = record.values["contract_number"]
        if (number,) not in batch["contract"] and number not in known.contracts:
            yield record.reject("contract_number", f"unknown contract {number}: not in this file set nor in the portal")
