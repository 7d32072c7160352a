"""Reconciliation of the billing records: warnings, never rejections, on the invoices the file set
touches (the invoice itself, one of its lines or one of its payments), as they stand after the import:

- total = taxable_amount + vat_amount;
- total = the sum of its lines' taxable amounts + VAT (when it has lines);
- a credit note corrects an invoice of its own customer, for no more than that invoice's total;
- its payments do not exceed its total.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from portal.integration.findings import Finding
from portal.integration.validation import Record
from portal.models.enums import DocumentKind

if TYPE_CHECKING:
    from portal.integration.billing_writer import InvoiceFacts

ZERO = Decimal("0.00")


def reconcile_billing(
    records: Mapping[str, list[Record]],
    *,
    facts: Mapping[str, InvoiceFacts],
    lines: Mapping[tuple[str, int], tuple[Decimal, Decimal]],
    paid: Mapping[str, Mapping[Any, Decimal]],
) -> list[Finding]:
    touched = (
        {record.key[0] for record in records["invoice"]}
        | {record.values["invoice_number"] for record in records["invoice_line"]}
        | {record.values["invoice_number"] for record in records["payment"]}
    )
    line_sums: dict[str, tuple[Decimal, Decimal]] = {}
    for (number, _line), (taxable, vat) in lines.items():
        if number in touched:
            before = line_sums.get(number, (ZERO, ZERO))
            line_sums[number] = (before[0] + taxable, before[1] + vat)
    warnings: list[Finding] = []

    def warn(number: str, message: str) -> None:
        warnings.append(Finding("invoice", number, message))

    for number in sorted(touched & facts.keys()):
        invoice = facts[number]
        if invoice.taxable + invoice.vat != invoice.total:
            difference = invoice.total - invoice.taxable - invoice.vat
            warn(
                number,
                f"total {invoice.total} is not taxable amount {invoice.taxable} + VAT {invoice.vat} "
                f"= {invoice.taxable + invoice.vat} (difference {difference})",
            )
        if number in line_sums:
            taxable, vat = line_sums[number]
            if taxable + vat != invoice.total:
                warn(
                    number,
                    f"lines taxable {taxable} + VAT {vat} = {taxable + vat}, not the total {invoice.total} "
                    f"(difference {taxable + vat - invoice.total})",
                )
        corrected = facts.get(invoice.corrects) if invoice.corrects else None
        if invoice.kind is DocumentKind.CREDIT_NOTE and corrected is not None:
            if corrected.customer_code != invoice.customer_code:
                warn(
                    number,
                    f"the credit note is for customer {invoice.customer_code} but corrects invoice "
                    f"{invoice.corrects} of customer {corrected.customer_code}",
                )
            if invoice.total > corrected.total:
                warn(
                    number,
                    f"the credit note's total {invoice.total} exceeds the total {corrected.total} of invoice "
                    f"{invoice.corrects} it corrects",
                )
        payments = sum(paid.get(number, {}).values(), ZERO)
        if payments > invoice.total:
            warn(
                number,
                f"payments {payments} exceed the total {invoice.total} (difference {payments - invoice.total})",
            )
    return warnings
