"""The import service: a file set checked, then upserted all-or-nothing into one tenant.

`import_file_set` validates every record (validation.py); when any is rejected nothing is written.
Otherwise each record is created, updated or left unchanged, keyed by the core system's identifiers,
in the caller's transaction: the same file set twice changes nothing. Reconciliation checks and the
records of a full file set that the database holds but the set does not are reported, never acted on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from portal.config import settings
from portal.integration import format as fmt
from portal.integration.billing_checks import StoredInvoice
from portal.integration.billing_reconcile import reconcile_billing
from portal.integration.billing_writer import BillingWriter, StoredBilling, stored_billing
from portal.integration.bulk import insert_rows
from portal.integration.findings import Finding
from portal.integration.readers import FileSet, Rejection
from portal.integration.users import UserWriter, known_users, stored_users
from portal.integration.validation import KnownKeys, Record, check
from portal.models import Contract, Customer, Invoice, LeasedAsset, ScheduleLine, UserAccount
from portal.models.enums import ContractStatus, ImportOutcome, PaymentMethod, ScheduleLineKind

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
_TABLES = (
    "customer",
    "contract",
    "schedule_line",
    "leased_asset",
    "invoice",
    "invoice_line",
    "payment",
    "reference_rate",
)
_NEW = object()  # the id of a row a dry run would create: equal to no stored id

# The rows later records refer to by id, with the columns that name one among the new rows: their
# ids come back from the INSERT. The others' ids are never read during an import.
_REFERRED: dict[type[SQLModel], tuple[str, ...]] = {
    Customer: ("tenant_id", "code"),
    Contract: ("tenant_id", "number"),
    ScheduleLine: ("contract_id", "position"),
    Invoice: ("tenant_id", "number"),
}
_CUSTOMER_DEFAULTS: dict[str, Any] = {"country": "IT", "sdi_code": "0000000"}
_CONTRACT_DEFAULTS: dict[str, Any] = {
    "status": ContractStatus.ACTIVE,
    "periodicity_months": 1,
    "payment_method": PaymentMethod.SEPA_DIRECT_DEBIT,
    "vat_rate": Decimal("22.00"),
}


@dataclasses.dataclass
class TypeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    missing: int = 0  # in the database, not in a full file set (reported, not deleted)


@dataclasses.dataclass
class ImportResult:
    source: str
    dry_run: bool
    full: bool
    outcome: ImportOutcome
    counts: dict[str, TypeCounts]
    rejections: list[Rejection]
    warnings: list[Finding]
    missing: list[Finding]

    def report(self) -> dict[str, Any]:
        """The whole report as JSON-ready values (stored with the run)."""
        return {
            "format_version": fmt.FORMAT_VERSION,
            "source": self.source,
            "dry_run": self.dry_run,
            "full": self.full,
            "outcome": self.outcome.value,
            "counts": {name: dataclasses.asdict(counts) for name, counts in self.counts.items()},
            "rejections": [dataclasses.asdict(rejection) for rejection in self.rejections],
            "warnings": [dataclasses.asdict(warning) for warning in self.warnings],
            "missing": [dataclasses.asdict(missing) for missing in self.missing],
        }


@dataclasses.dataclass
class _Stored:
    """The tenant's rows already in the database, by the core system's keys."""

    customers: dict[str, Customer]
    contracts: dict[str, Contract]
    lines: dict[tuple[str, int], ScheduleLine]
    assets: dict[str, LeasedAsset]
    billing: StoredBilling
    users: dict[tuple[str, str], UserAccount]


def _stored(session: Session, tenant_id: int) -> _Stored:
    customers = {row.code: row for row in session.exec(select(Customer).where(Customer.tenant_id == tenant_id))}
    contracts = {row.number: row for row in session.exec(select(Contract).where(Contract.tenant_id == tenant_id))}
    lines = {
        (number, line.position): line
        for line, number in session.exec(
            select(ScheduleLine, Contract.number)
            .join(Contract, col(Contract.id) == ScheduleLine.contract_id)
            .where(Contract.tenant_id == tenant_id)
        )
    }
    assets = {
        asset.code: asset
        for asset in session.exec(
            select(LeasedAsset)
            .join(Contract, col(Contract.id) == LeasedAsset.contract_id)
            .where(Contract.tenant_id == tenant_id)
        )
    }
    return _Stored(
        customers, contracts, lines, assets, stored_billing(session, tenant_id), stored_users(session, tenant_id)
    )


def _usernames_taken(session: Session, tenant_id: int, file_set: FileSet) -> frozenset[str]:
    """The customer codes of the set's admins that are already the username of an account of another
    leasing company (a username is unique across the portal: an admin's is its customer code)."""
    codes = sorted({str(source.values.get("customer_code")) for source in file_set.records.get("user", [])})
    codes = [code for code in codes if "\x00" not in code]  # rejected by the checks; PostgreSQL refuses NUL
    taken: set[str] = set()
    for start in range(0, len(codes), 500):
        taken.update(
            session.exec(
                select(UserAccount.username).where(
                    col(UserAccount.username).in_(codes[start : start + 500]), UserAccount.tenant_id != tenant_id
                )
            ).all()
        )
    return frozenset(taken)


def _known(stored: _Stored, usernames_taken: frozenset[str] = frozenset()) -> KnownKeys:
    codes = {customer.id: code for code, customer in stored.customers.items()}
    return KnownKeys(
        customers=frozenset(stored.customers),
        contracts={number: codes[contract.customer_id] for number, contract in stored.contracts.items()},
        lines=frozenset(stored.lines),
        invoices={
            number: StoredInvoice(codes[row.customer_id], row.kind) for number, row in stored.billing.invoices.items()
        },
        payments={code: codes[row.customer_id] for code, row in stored.billing.payments.items()},
        users=known_users(stored.users),
        usernames_taken=usernames_taken,
    )


def import_file_set(
    *,
    session: Session,
    tenant_id: int,
    file_set: FileSet,
    dry_run: bool = False,
    public_url: str | None = None,
    document_base: Path | None = None,
) -> ImportResult:
    """Check `file_set` and, unless `dry_run` or a record is rejected, upsert it into the tenant in
    the session's transaction (the caller commits). A dry run computes the same counts, writes nothing.
    The invoices it creates are published (links in the e-mails to `public_url`, by default the
    portal's); their document files are kept under `document_base` (by default the private folder)
    once the transaction commits."""
    stored = _stored(session, tenant_id)
    checked = check(file_set, known=_known(stored, _usernames_taken(session, tenant_id, file_set)))
    counts = {record_type.name: TypeCounts() for record_type in fmt.RECORD_TYPES}
    for record_type, lines in _rejected_records(checked.rejections).items():
        counts[record_type].rejected = len(lines)
    missing = _missing(file_set, stored, counts)
    if checked.rejections:
        return ImportResult(
            file_set.source, dry_run, file_set.full, ImportOutcome.REJECTED, counts, checked.rejections, [], missing
        )
    writer = _Writer(session=session, tenant_id=tenant_id, stored=stored, counts=counts, dry_run=dry_run)
    writer.customers(checked.records["customer"])
    writer.contracts(checked.records["contract"])
    writer.lines(checked.records["schedule_line"])
    writer.assets(checked.records["leased_asset"])
    billing = BillingWriter(
        writer,
        stored.billing,
        hashes=checked.documents,
        documents=file_set.documents,
        document_base=document_base,
        payments=checked.records["payment"],
    )
    billing.invoices(checked.records["invoice"])
    billing.lines(checked.records["invoice_line"])
    billing.payments(checked.records["payment"])
    billing.rates(checked.records["rate"])
    billing.paid_amounts()
    url = settings.public_url if public_url is None else public_url
    billing.publish_created(url)
    UserWriter(writer, stored.users, url).users(checked.records["user"])
    warnings = _reconcile(checked.records, terms=writer.terms, plan=writer.plan)
    warnings += reconcile_billing(checked.records, facts=billing.facts, lines=billing.line_amounts, paid=billing.paid)
    if not dry_run:
        session.flush()
        if session.get_bind().dialect.name == "postgresql":
            # The project's rule after a bulk load: the database runs without autovacuum.
            session.execute(sa.text(f"ANALYZE {', '.join(_TABLES)}"))
    outcome = ImportOutcome.VALID if dry_run else ImportOutcome.IMPORTED
    return ImportResult(file_set.source, dry_run, file_set.full, outcome, counts, [], warnings, missing)


def _rejected_records(rejections: Iterable[Rejection]) -> dict[str, set[tuple[str, int]]]:
    """The records (file, line) each type had rejected: a record with three errors counts once."""
    found: dict[str, set[tuple[str, int]]] = {}
    for rejection in rejections:
        if rejection.record_type is not None and rejection.line > 0:
            found.setdefault(rejection.record_type, set()).add((rejection.file, rejection.line))
    return found


def _missing(file_set: FileSet, stored: _Stored, counts: dict[str, TypeCounts]) -> list[Finding]:
    """A full file set holds every record of each type it has a file for: what else the database
    holds is reported (the core system decides; the portal deletes nothing)."""
    if not file_set.full:
        return []
    found: list[Finding] = []
    keys: Mapping[str, Iterable[Any]] = {
        "customer": stored.customers,
        "contract": stored.contracts,
        "schedule_line": stored.lines,
        "leased_asset": stored.assets,
        "invoice": stored.billing.invoices,
        "invoice_line": stored.billing.lines,
        "payment": stored.billing.payments,
        "rate": stored.billing.rates,
        "user": {(code, user.primary_email) for (code, _), user in stored.users.items()},
    }
    for name in file_set.types_present():
        record_type = fmt.BY_NAME[name]
        # keys compared as text: a rate's day is a date in the database and a string in the file
        sent = {tuple(str(part) for part in record_type.key_of(source.values)) for source in file_set.records[name]}
        for key in keys[name]:
            key_tuple = key if isinstance(key, tuple) else (key,)
            if tuple(str(part) for part in key_tuple) not in sent:
                shown = " + ".join(str(part) for part in key_tuple)
                found.append(Finding(name, shown, "in the portal but not in this full file set (kept, not deleted)"))
                counts[name].missing += 1
    return found


class _Writer:
    def __init__(
        self, *, session: Session, tenant_id: int, stored: _Stored, counts: dict[str, TypeCounts], dry_run: bool
    ) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.stored = stored
        self.counts = counts
        self.dry_run = dry_run
        # The terms and plan as they stand after the import (a dry run writes nothing to the rows):
        # number -> (amount, advance, residual value); (number, position) -> (kind, principal).
        self.terms = {number: (row.amount, row.advance, row.residual_value) for number, row in stored.contracts.items()}
        self.plan = {key: (row.kind, row.principal) for key, row in stored.lines.items()}
        self.pending: dict[type[SQLModel], list[SimpleNamespace]] = {}  # new rows, inserted at the next flush

    def upsert(
        self,
        name: str,
        row: Any,
        values: dict[str, Any],
        model: type[SQLModel],
        *,
        on_create: dict[str, Any] | None = None,
    ) -> Any:
        """Create, update or leave the row by `values`; `on_create` are set on a new row only. A new
        row is a plain namespace of its values, inserted in bulk at the next `flush` (which gives
        it its id): an ORM object per row cost more than the rest of the write."""
        counts = self.counts[name]
        if row is None:
            counts.created += 1
            values = values | (on_create or {})
            row = SimpleNamespace(id=None, **{key: (None if value is _NEW else value) for key, value in values.items()})
            if not self.dry_run:
                self.pending.setdefault(model, []).append(row)
            return row
        changed = {key: value for key, value in values.items() if getattr(row, key) != value}
        if not changed:
            counts.unchanged += 1
            return row
        counts.updated += 1
        if not self.dry_run:
            for key, value in changed.items():
                setattr(row, key, value)
            if isinstance(row, SimpleNamespace):  # created by this import: inserted, or to be at the flush
                if row.id is not None:
                    self.session.execute(
                        sa.update(model.__table__).where(model.__table__.c.id == row.id).values(**changed)  # type: ignore[attr-defined]
                    )
            else:
                self.session.add(row)
        return row

    def flush(self) -> None:
        """The changes to stored rows, then the new rows, in bulk, each getting its id."""
        if self.dry_run:
            return
        self.session.flush()
        for model, rows in self.pending.items():
            insert_rows(self.session, model, rows, _REFERRED.get(model, ()))
        self.pending.clear()

    def id_of(self, row: Any) -> Any:
        return _NEW if row is None or row.id is None else row.id

    def or_new(self, foreign_key: int | None) -> Any:
        """A row's reference as stored, or the one a dry run would give (None on a row not made)."""
        return _NEW if foreign_key is None else foreign_key

    def customers(self, records: list[Record]) -> None:
        fields = fmt.fields_of("customer")
        for record in records:
            values = {field: record.values.get(field, _CUSTOMER_DEFAULTS.get(field)) for field in fields}
            row = self.upsert(
                "customer", self.stored.customers.get(record.key[0]), values | {"tenant_id": self.tenant_id}, Customer
            )
            self.stored.customers[record.key[0]] = row
        self.flush()

    def contracts(self, records: list[Record]) -> None:
        fields = [field for field in fmt.fields_of("contract") if field != "customer_code"]
        for record in records:
            values: dict[str, Any] = {
                field: record.values.get(field, _CONTRACT_DEFAULTS.get(field)) for field in fields
            }
            values["customer_id"] = self.id_of(self.stored.customers.get(record.values["customer_code"]))
            values["tenant_id"] = self.tenant_id
            row = self.upsert("contract", self.stored.contracts.get(record.key[0]), values, Contract)
            self.terms[record.key[0]] = (values["amount"], values["advance"], values["residual_value"])
            self.stored.contracts[record.key[0]] = row
        self.flush()

    def lines(self, records: list[Record]) -> None:
        fields = [field for field in fmt.fields_of("schedule_line") if field != "contract_number"]
        for record in records:
            contract = self.stored.contracts[record.values["contract_number"]]
            values: dict[str, Any] = {field: record.values.get(field) for field in fields}
            values["payment_method"] = record.values.get("payment_method", contract.payment_method)
            values["contract_id"] = self.id_of(contract)
            values["customer_id"] = self.or_new(contract.customer_id)
            key = (record.key[0], record.key[1])
            row = self.upsert("schedule_line", self.stored.lines.get(key), values, ScheduleLine)
            self.plan[key] = (values["kind"], values["principal"])
            self.stored.lines[key] = row
        self.flush()

    def assets(self, records: list[Record]) -> None:
        fields = [field for field in fmt.fields_of("leased_asset") if field != "contract_number"]
        for record in records:
            contract = self.stored.contracts[record.values["contract_number"]]
            values = {field: record.values.get(field) for field in fields}
            values["contract_id"] = self.id_of(contract)
            values["customer_id"] = self.or_new(contract.customer_id)
            row = self.upsert("leased_asset", self.stored.assets.get(record.key[0]), values, LeasedAsset)
            self.stored.assets[record.key[0]] = row
        self.flush()


def _reconcile(
    records: dict[str, list[Record]],
    *,
    terms: Mapping[str, tuple[Decimal, Decimal, Decimal]],
    plan: Mapping[tuple[str, int], tuple[ScheduleLineKind, Decimal]],
) -> list[Finding]:
    """Plan principal + advance + residual value = financed amount, to the cent, for every contract
    the file set touches (its terms or its lines), on the plan as it stands after the import. The
    plan's principal is its instalments' (the advance and residual value rows carry those two)."""
    touched = {record.key[0] for record in records["contract"]} | {
        record.values["contract_number"] for record in records["schedule_line"]
    }
    principal: dict[str, Decimal] = {}
    for (number, _position), (kind, line_principal) in plan.items():
        if number in touched and kind is ScheduleLineKind.INSTALMENT:
            principal[number] = principal.get(number, Decimal("0.00")) + Decimal(line_principal)
    warnings: list[Finding] = []
    for number in sorted(touched & principal.keys()):  # a contract without a plan has nothing to reconcile
        amount, advance, residual = (Decimal(value) for value in terms[number])
        total = principal[number] + advance + residual
        if total != amount:
            warnings.append(
                Finding(
                    "contract",
                    number,
                    f"plan principal {principal[number]} + advance {advance} + residual value {residual} "
                    f"= {total}, not the financed amount {amount} (difference {total - amount})",
                )
            )
    return warnings
