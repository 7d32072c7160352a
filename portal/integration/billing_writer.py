"""Writing the billing records of a checked file set: invoices and credit notes (with their PDF and
XML files), their lines, payments, and reference rates; keeping each invoice's paid amount equal to
its payments; publishing the invoices the import creates, as the billing job does.

Document files are staged while the transaction is open and kept or removed when it ends
(services/billing/document_files.py). The invoices' facts as they stand after the import are kept
for the reconciliation checks (billing_reconcile.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.integration.validation import Record
from portal.models import Customer, Invoice, InvoiceLine, Payment, ReferenceRate
from portal.models.enums import DocumentKind
from portal.services.billing import document_files
from portal.services.billing.publication import publish_new
from portal.services.common import clock

if TYPE_CHECKING:  # importer.py calls this module
    from portal.integration.importer import _Writer

ZERO = Decimal("0.00")
_DOCUMENTS = (("pdf_file", "pdf_storage_key", "pdf_sha256"), ("xml_file", "xml_storage_key", "xml_sha256"))


@dataclasses.dataclass(frozen=True)
class InvoiceFacts:
    """What the reconciliation checks read of an invoice."""

    kind: DocumentKind
    customer_code: str
    taxable: Decimal
    vat: Decimal
    total: Decimal
    corrects: str | None


@dataclasses.dataclass
class StoredBilling:
    """The tenant's billing rows already in the database, by the core system's keys."""

    invoices: dict[str, Invoice]
    lines: dict[tuple[str, int], InvoiceLine]
    payments: dict[str, Payment]  # the payments with a core system code
    uncoded: dict[int, Decimal]  # invoice id -> the sum of its payments recorded without a code
    rates: dict[tuple[str, Any], ReferenceRate]


def stored_billing(session: Session, tenant_id: int) -> StoredBilling:
    invoices = {row.number: row for row in session.exec(select(Invoice).where(Invoice.tenant_id == tenant_id))}
    lines = {
        (number, line.line_number): line
        for line, number in session.exec(
            select(InvoiceLine, Invoice.number)
            .join(Invoice, col(Invoice.id) == InvoiceLine.invoice_id)
            .where(Invoice.tenant_id == tenant_id)
        )
    }
    payments: dict[str, Payment] = {}
    uncoded: dict[int, Decimal] = {}
    for payment in session.exec(
        select(Payment).join(Customer, col(Customer.id) == Payment.customer_id).where(Customer.tenant_id == tenant_id)
    ):
        if payment.code is None:
            uncoded[payment.invoice_id] = uncoded.get(payment.invoice_id, ZERO) + payment.amount
        else:
            payments[payment.code] = payment
    # Rates are market data shared by every leasing company (the table has no tenant).
    rates = {(row.name, row.observed_on): row for row in session.exec(select(ReferenceRate))}
    return StoredBilling(invoices, lines, payments, uncoded, rates)


class BillingWriter:
    def __init__(
        self,
        writer: _Writer,
        stored: StoredBilling,
        *,
        hashes: Mapping[str, str],
        documents: Mapping[str, Callable[[], bytes]],
        document_base: Path | None,
        payments: Sequence[Record] = (),
    ) -> None:
        self.writer = writer
        self.stored = stored
        self.hashes = hashes
        self.documents = documents
        self.document_base = document_base
        self.created: list[Any] = []  # the new invoices (importer._Writer.upsert's namespaces)
        # A new invoice is paid by the set's payments naming it and by nothing else (a payment
        # already stored pays a stored invoice, unless its record here moves it): it is created with
        # its paid amount, not updated to it after the payments.
        self.paid_new: dict[str, Decimal] = {}
        for record in payments:
            number = record.values["invoice_number"]
            self.paid_new[number] = self.paid_new.get(number, ZERO) + record.values["amount"]
        self.staged: list[str] = []  # filled as files are staged: kept or removed when the transaction ends
        self.replaced: list[str] = []
        codes = {row.id: code for code, row in writer.stored.customers.items()}
        numbers = {row.id: number for number, row in stored.invoices.items()}
        # The facts after the import: invoice number -> facts; (number, line) -> (taxable, VAT);
        # invoice number -> {payment code: amount} (payments without a code under their row's id).
        self.facts = {
            number: InvoiceFacts(
                row.kind,
                codes.get(row.customer_id, ""),
                row.taxable_amount,
                row.vat_amount,
                row.total,
                numbers.get(row.corrects_invoice_id) if row.corrects_invoice_id else None,
            )
            for number, row in stored.invoices.items()
        }
        self.line_amounts = {key: (row.taxable_amount, row.vat_amount) for key, row in stored.lines.items()}
        self.paid: dict[str, dict[Any, Decimal]] = {}
        for code, payment in stored.payments.items():
            self.paid.setdefault(numbers.get(payment.invoice_id, ""), {})[code] = payment.amount
        for invoice_id, amount in stored.uncoded.items():
            self.paid.setdefault(numbers.get(invoice_id, ""), {})[("uncoded", invoice_id)] = amount
        self.touched: set[str] = set()  # invoices whose paid amount may change
        if not writer.dry_run:
            document_files.settle_after_commit(
                session=writer.session, staged=self.staged, replaced=self.replaced, base=document_base
            )

    def invoices(self, records: list[Record]) -> None:
        # The invoices a credit note corrects first, so that it can point to them.
        for correcting in (False, True):
            for record in records:
                if ("corrects_number" in record.values) is correcting:
                    self._invoice(record)
            self.writer.flush()

    def _invoice(self, record: Record) -> None:
        writer, values = self.writer, record.values
        number = values["number"]
        row = self.stored.invoices.get(number)
        contract = writer.stored.contracts[values["contract_number"]]
        position = values.get("schedule_line_position")
        corrects = values.get("corrects_number")
        fields: dict[str, Any] = {
            field: values[field]
            for field in (
                "number",
                "kind",
                "issue_date",
                "due_date",
                "description",
                "taxable_amount",
                "vat_amount",
                "total",
                "payment_method",
            )
        }
        fields |= {
            "customer_id": writer.id_of(writer.stored.customers[values["customer_code"]]),
            "contract_id": writer.id_of(contract),
            "schedule_line_id": None
            if position is None
            else writer.id_of(writer.stored.lines[(values["contract_number"], position)]),
            "corrects_invoice_id": None if corrects is None else writer.id_of(self.stored.invoices[corrects]),
        }
        fields |= self._documents(row, values)
        paid = self.paid_new.get(number, ZERO)
        on_create = {"tenant_id": writer.tenant_id, "paid_amount": paid, "published_at": clock.now()}
        saved = writer.upsert("invoice", row, fields, Invoice, on_create=on_create)
        if row is None:
            self.created.append(saved)
        self.stored.invoices[number] = saved
        self.facts[number] = InvoiceFacts(
            values["kind"],
            values["customer_code"],
            values["taxable_amount"],
            values["vat_amount"],
            values["total"],
            corrects,
        )
        self.touched.add(number)

    def _documents(self, row: Invoice | None, values: dict[str, Any]) -> dict[str, Any]:
        """The storage key and SHA-256 of the invoice's PDF and XML: the same bytes keep their
        stored file; other bytes are staged under a new key (not on a dry run)."""
        found: dict[str, Any] = {}
        for field, key_column, sha_column in _DOCUMENTS:
            old_key = None if row is None else getattr(row, key_column)
            name = values.get(field)
            sha = None if name is None else self.hashes[name]
            if sha is not None and row is not None and getattr(row, sha_column) == sha:
                key = old_key
            elif name is None or sha is None:
                key = None
            elif self.writer.dry_run:
                key = f"new{sha}"  # differs from any stored key; nothing is written
            else:
                key = document_files.stage(self.documents[name](), self.document_base)
                self.staged.append(key)
            if old_key is not None and key != old_key and not self.writer.dry_run:
                self.replaced.append(old_key)
            found[key_column], found[sha_column] = key, sha
        return found

    def lines(self, records: list[Record]) -> None:
        writer = self.writer
        for record in records:
            values = record.values
            key = (values["invoice_number"], values["line_number"])
            fields = {
                "line_number": values["line_number"],
                "description": values["description"],
                "quantity": values.get("quantity", Decimal("1.00")),
                "unit_price": values["unit_price"],
                "taxable_amount": values["taxable_amount"],
                "vat_rate": values["vat_rate"],
                "vat_amount": values["vat_amount"],
                "invoice_id": writer.id_of(self.stored.invoices[values["invoice_number"]]),
            }
            self.stored.lines[key] = writer.upsert("invoice_line", self.stored.lines.get(key), fields, InvoiceLine)
            self.line_amounts[key] = (values["taxable_amount"], values["vat_amount"])
            self.touched.add(values["invoice_number"])
        writer.flush()

    def payments(self, records: list[Record]) -> None:
        writer = self.writer
        numbers = {row.id: number for number, row in self.stored.invoices.items() if row.id is not None}
        for record in records:
            values = record.values
            code, number = values["code"], values["invoice_number"]
            invoice = self.stored.invoices[number]
            row = self.stored.payments.get(code)
            if row is not None:  # a payment moved to another invoice no longer pays the first
                previous = numbers.get(row.invoice_id, "")
                self.paid.get(previous, {}).pop(code, None)
                self.touched.add(previous)
            fields = {
                "code": code,
                "paid_on": values["paid_on"],
                "amount": values["amount"],
                "method": values["method"],
                "reference": values.get("reference", ""),
                "invoice_id": writer.id_of(invoice),
                "customer_id": writer.or_new(invoice.customer_id),
                "contract_id": writer.or_new(invoice.contract_id),
            }
            self.stored.payments[code] = writer.upsert("payment", row, fields, Payment)
            self.paid.setdefault(number, {})[code] = values["amount"]
            self.touched.add(number)
        writer.flush()

    def rates(self, records: list[Record]) -> None:
        for record in records:
            values = record.values
            key = (values["name"], values["observed_on"])
            fields = {"name": values["name"], "observed_on": values["observed_on"], "rate": values["rate"]}
            self.stored.rates[key] = self.writer.upsert("rate", self.stored.rates.get(key), fields, ReferenceRate)
        self.writer.flush()

    def paid_amounts(self) -> None:
        """Each invoice's paid amount is the sum of its payments (not a field of the format)."""
        if self.writer.dry_run:
            return
        for number in sorted(self.touched):
            row = self.stored.invoices.get(number)
            paid = sum(self.paid.get(number, {}).values(), ZERO)
            if row is not None and row.paid_amount != paid:
                if isinstance(row, Invoice):
                    row.paid_amount = paid
                    self.writer.session.add(row)
                else:  # created by this import
                    row.paid_amount = paid
                    table = Invoice.__table__  # type: ignore[attr-defined]
                    self.writer.session.execute(sa.update(table).where(table.c.id == row.id).values(paid_amount=paid))
        self.writer.flush()

    def publish_created(self, public_url: str) -> None:
        """The invoices the import created are published as the billing job publishes its own: a
        bell and an e-mail to every account that may see them (`notified_at` guards a second time)."""
        if self.writer.dry_run:
            return
        publish_new(
            session=self.writer.session,
            invoice_ids=[row.id for row in self.created],
            now=clock.now(),
            public_url=public_url,
        )
        self.writer.flush()
