"""A tenant's data written as a file set of the interchange format (docs/INTEGRATION.md): what the
core system would send, for the round-trip tests and the import benchmark (bench/bench_import.py)."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from portal.integration import format as fmt
from portal.models import Contract, Customer, LeasedAsset, ScheduleLine

Records = dict[str, list[dict[str, Any]]]


def _value(value: Any) -> Any:
    """A column's value as the format writes it: enum codes, ISO dates, decimal strings."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def records_of(session: Session, tenant_id: int) -> Records:
    """Every record of the tenant, by record type, as the format's dicts (absent fields left out)."""
    customers = {row.id: row for row in session.exec(select(Customer).where(Customer.tenant_id == tenant_id))}
    contracts = {row.id: row for row in session.exec(select(Contract).where(Contract.tenant_id == tenant_id))}

    def record(name: str, row: Any, **references: str) -> dict[str, Any]:
        values = {field: _value(getattr(row, field)) for field in fmt.fields_of(name) if field not in references}
        return {field: value for field, value in (values | references).items() if value is not None}

    lines = session.exec(select(ScheduleLine).where(col(ScheduleLine.contract_id).in_(contracts))).all()
    assets = session.exec(select(LeasedAsset).where(col(LeasedAsset.contract_id).in_(contracts))).all()
    return {
        "customer": [record("customer", row) for row in customers.values()],
        "contract": [
            record("contract", row, customer_code=customers[row.customer_id].code) for row in contracts.values()
        ],
        "schedule_line": [
            record("schedule_line", row, contract_number=contracts[row.contract_id].number) for row in lines
        ],
        "leased_asset": [
            record("leased_asset", row, contract_number=contracts[row.contract_id].number) for row in assets
        ],
    }


def write_jsonl(directory: Path, records: Records) -> Path:
    """One `<type>.jsonl` file per record type in `directory`; returns the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in records.items():
        text = "".join(json.dumps(row) + "\n" for row in rows)
        (directory / f"{name}.jsonl").write_text(text, encoding="utf-8")
    return directory


def write_csv(directory: Path, records: Records) -> Path:
    """One `<type>.csv` file per record type in `directory` (the schema's field order); returns the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in records.items():
        with (directory / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fmt.fields_of(name))
            writer.writeheader()
            writer.writerows({key: "" if value is None else value for key, value in row.items()} for row in rows)
    return directory
