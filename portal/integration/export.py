"""A tenant's data written as a file set of the interchange format (docs/INTEGRATION.md): what the
core system would send, for the round-trip tests and the import benchmark (bench/bench_import.py).

Payments the portal recorded without a core system code cannot be named in the format and are left
out. An invoice's PDF and XML are in the set only when the core system sent them (`documents_of`);
the ones the portal generates are not files of the set."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import json
import shutil
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from portal.integration import format as fmt
from portal.models import (
    Contract,
    Customer,
    Invoice,
    InvoiceLine,
    LeasedAsset,
    Payment,
    ReferenceRate,
    ScheduleLine,
    SubUserContract,
    UserAccount,
)
from portal.models.enums import UserRole
from portal.services.billing import document_files

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
    """Every record of the tenant, by record type, as the format's dicts (absent fields left out);
    the reference rates, shared by every tenant, too."""
    customers = {
        row.id: row
        for row in session.exec(select(Customer).where(Customer.tenant_id == tenant_id).order_by(col(Customer.id)))
    }
    contracts = {
        row.id: row
        for row in session.exec(select(Contract).where(Contract.tenant_id == tenant_id).order_by(col(Contract.id)))
    }

    def record(name: str, row: Any, **references: str) -> dict[str, Any]:
        # a field the row has no column for is a reference (given) or absent; "" is absent too
        values = {field: _value(getattr(row, field, None)) for field in fmt.fields_of(name) if field not in references}
        return {field: value for field, value in (values | references).items() if value not in (None, "")}

    lines = {
        row.id: row
        for row in session.exec(
            select(ScheduleLine).where(col(ScheduleLine.contract_id).in_(contracts)).order_by(col(ScheduleLine.id))
        )
    }
    assets = session.exec(
        select(LeasedAsset).where(col(LeasedAsset.contract_id).in_(contracts)).order_by(col(LeasedAsset.id))
    ).all()
    invoices = {
        row.id: row
        for row in session.exec(select(Invoice).where(Invoice.tenant_id == tenant_id).order_by(col(Invoice.id)))
    }
    invoice_lines = session.exec(
        select(InvoiceLine).where(col(InvoiceLine.invoice_id).in_(invoices)).order_by(col(InvoiceLine.id))
    ).all()
    payments = session.exec(
        select(Payment)
        .where(col(Payment.invoice_id).in_(invoices), col(Payment.code).is_not(None))
        .order_by(col(Payment.id))
    ).all()
    rates = session.exec(select(ReferenceRate).order_by(col(ReferenceRate.name), col(ReferenceRate.observed_on))).all()

    def invoice_record(row: Invoice) -> dict[str, Any]:
        references: dict[str, Any] = {
            "customer_code": customers[row.customer_id].code,
            "contract_number": contracts[row.contract_id].number,
        }
        if row.schedule_line_id is not None:
            references["schedule_line_position"] = lines[row.schedule_line_id].position
        if row.corrects_invoice_id is not None:
            references["corrects_number"] = invoices[row.corrects_invoice_id].number
        if row.pdf_storage_key:
            references["pdf_file"] = document_name(row, "pdf")
        if row.xml_storage_key:
            references["xml_file"] = document_name(row, "xml")
        return record("invoice", row, **references)

    return {
        "customer": [record("customer", row) for row in customers.values()],
        "contract": [
            record("contract", row, customer_code=customers[row.customer_id].code) for row in contracts.values()
        ],
        "schedule_line": [
            record("schedule_line", row, contract_number=contracts[row.contract_id].number) for row in lines.values()
        ],
        "leased_asset": [
            record("leased_asset", row, contract_number=contracts[row.contract_id].number) for row in assets
        ],
        "invoice": [invoice_record(row) for row in invoices.values()],
        "invoice_line": [
            record("invoice_line", row, invoice_number=invoices[row.invoice_id].number) for row in invoice_lines
        ],
        "payment": [record("payment", row, invoice_number=invoices[row.invoice_id].number) for row in payments],
        "rate": [record("rate", row) for row in rates],
        "user": users_of(session, customers, contracts),
    }


def users_of(session: Session, customers: Mapping[int, Customer], contracts: Mapping[int, Contract]) -> list[dict]:
    """The active accounts of the customers: each customer's admin (main account) and sub-users."""
    users = session.exec(
        select(UserAccount)
        .where(
            col(UserAccount.customer_id).in_(customers),
            col(UserAccount.is_active).is_(True),
            col(UserAccount.role).in_([UserRole.CUSTOMER, UserRole.SUB_USER]),
        )
        .order_by(col(UserAccount.id))
    ).all()
    grants: dict[int, list[str]] = {}
    for grant in session.exec(select(SubUserContract).where(col(SubUserContract.user_id).in_([u.id for u in users]))):
        grants.setdefault(grant.user_id, []).append(contracts[grant.contract_id].number)
    found = []
    for user in users:
        assert user.customer_id is not None  # the query's condition
        values = {
            "customer_code": customers[user.customer_id].code,
            "email": user.primary_email,
            "role": "admin" if user.role is UserRole.CUSTOMER else "sub_user",
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language.value,
        }
        if user.role is UserRole.SUB_USER and not user.all_contracts:
            values["contract_numbers"] = " ".join(sorted(grants.get(user.id, [])))
        found.append({field: value for field, value in values.items() if value not in (None, "")})
    return found


def document_name(invoice: Invoice, kind: str) -> str:
    """The file name of an invoice's document in a set: its number, '/' as '_' ("2024_000123.pdf")."""
    return f"{invoice.number.replace('/', '_')}.{kind}"


def documents_of(session: Session, tenant_id: int, base: Path | None = None) -> dict[str, Path]:
    """The files of the tenant's invoices that the core system sent, by their names in a set."""
    found: dict[str, Path] = {}
    for row in session.exec(select(Invoice).where(Invoice.tenant_id == tenant_id)):
        for kind, key in (("pdf", row.pdf_storage_key), ("xml", row.xml_storage_key)):
            if key:
                found[document_name(row, kind)] = document_files.path_of(key, base)
    return found


def write_documents(directory: Path, documents: Mapping[str, bytes | Path]) -> Path:
    """The files in the set's documents/ folder; returns the set's directory."""
    folder = directory / fmt.DOCUMENTS
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in documents.items():
        if isinstance(content, Path):
            shutil.copyfile(content, folder / name)
        else:
            (folder / name).write_bytes(content)
    return directory


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
