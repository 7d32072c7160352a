"""The checks of invoices, their lines and payments that a schema cannot express: the customer,
contract, plan row and invoice they name exist (in the file set or in the portal) and agree, a
credit note says what it credits, a payment is money received. Sums that do not add up are
reconciliation warnings of the importer, not rejections."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from portal.integration.readers import FileSet, Rejection
from portal.models.enums import DocumentKind

if TYPE_CHECKING:  # validation.py calls this module
    from portal.integration.validation import KnownKeys, Record

_NOWHERE = "not in this file set nor in the portal"


@dataclasses.dataclass(frozen=True)
class StoredInvoice:
    customer_code: str
    kind: DocumentKind


@dataclasses.dataclass(frozen=True)
class Batch:
    """What the file set's records say, read as sent (rejected records too, so that a rejected
    invoice does not also reject its lines as unknown)."""

    customers: frozenset[Any]
    contracts: Mapping[Any, Any]  # contract number -> its customer code
    lines: frozenset[tuple[Any, Any]]  # (contract number, position)
    invoices: Mapping[Any, tuple[Any, Any]]  # invoice number -> (customer code, kind code)

    @classmethod
    def of(cls, file_set: FileSet) -> Batch:
        def values(name: str) -> list[dict[str, Any]]:
            return [source.values for source in file_set.records.get(name, [])]

        return cls(
            customers=frozenset(v.get("code") for v in values("customer")),
            contracts={v.get("number"): v.get("customer_code") for v in values("contract")},
            lines=frozenset((v.get("contract_number"), v.get("position")) for v in values("schedule_line")),
            invoices={v.get("number"): (v.get("customer_code"), v.get("kind")) for v in values("invoice")},
        )


def check_invoices(records: Iterable[Record], batch: Batch, known: KnownKeys) -> Iterable[Rejection]:
    for record in records:
        values = record.values
        code, number = values["customer_code"], values["contract_number"]
        if code not in batch.customers and code not in known.customers:
            yield record.reject("customer_code", f"unknown customer {code}: {_NOWHERE}")
        holder = batch.contracts[number] if number in batch.contracts else known.contracts.get(number)
        if holder is None:
            yield record.reject("contract_number", f"unknown contract {number}: {_NOWHERE}")
        elif holder != code:
            yield record.reject("contract_number", f"{number} is a contract of customer {holder}, not of {code}")
        stored = known.invoices.get(values["number"])
        if stored is not None and stored.customer_code != code:
            yield record.reject(
                "customer_code",
                f"{code}: the invoice belongs to customer {stored.customer_code}; "
                "format v1 cannot move an invoice to another customer",
            )
        position = values.get("schedule_line_position")
        if position is not None and (number, position) not in batch.lines and (number, position) not in known.lines:
            yield record.reject("schedule_line_position", f"no plan row {position} in contract {number}: {_NOWHERE}")
        yield from _check_correction(record, batch, known)


def _check_correction(record: Record, batch: Batch, known: KnownKeys) -> Iterable[Rejection]:
    values = record.values
    corrected = values.get("corrects_number")
    if values["kind"] is DocumentKind.INVOICE:
        if corrected is not None:
            yield record.reject("corrects_number", "only a credit note corrects an invoice")
        return
    if corrected is None:
        if values.get("schedule_line_position") is None:
            yield record.reject(
                "corrects_number",
                "required for a credit note: the invoice it corrects (or, for a plan row it credits, "
                "schedule_line_position)",
            )
        return
    if corrected == values["number"]:
        yield record.reject("corrects_number", "a credit note cannot correct itself")
        return
    if corrected in batch.invoices:
        kind = batch.invoices[corrected][1]
    elif corrected in known.invoices:
        kind = known.invoices[corrected].kind.value
    else:
        yield record.reject("corrects_number", f"unknown invoice {corrected}: {_NOWHERE}")
        return
    if kind == DocumentKind.CREDIT_NOTE.value:
        yield record.reject("corrects_number", f"{corrected} is a credit note: a credit note corrects an invoice")


def _invoice_customer(number: str, batch: Batch, known: KnownKeys) -> Any:
    if number in batch.invoices:
        return batch.invoices[number][0]
    stored = known.invoices.get(number)
    return None if stored is None else stored.customer_code


def check_invoice_lines(records: Iterable[Record], batch: Batch, known: KnownKeys) -> Iterable[Rejection]:
    for record in records:
        number = record.values["invoice_number"]
        if number not in batch.invoices and number not in known.invoices:
            yield record.reject("invoice_number", f"unknown invoice {number}: {_NOWHERE}")


def check_payments(records: Iterable[Record], batch: Batch, known: KnownKeys) -> Iterable[Rejection]:
    for record in records:
        values = record.values
        number = values["invoice_number"]
        if number not in batch.invoices and number not in known.invoices:
            yield record.reject("invoice_number", f"unknown invoice {number}: {_NOWHERE}")
        else:
            customer = _invoice_customer(number, batch, known)
            holder = known.payments.get(values["code"])
            if holder is not None and holder != customer:
                yield record.reject(
                    "code",
                    f"{values['code']} is a payment of customer {holder}; "
                    "format v1 cannot move a payment to another customer",
                )
        if values["amount"] == 0:
            yield record.reject("amount", f"{values['amount']}: a payment is money received, above 0")
