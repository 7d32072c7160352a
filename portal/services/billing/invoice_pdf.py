"""The courtesy PDF of an invoice or credit note, in the reader's language."""

from __future__ import annotations

import functools

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from portal import i18n
from portal.models import Customer
from portal.models.enums import CustomerKind, DocumentKind, PaymentMethod, ScheduleLineKind
from portal.services.billing.documents import InvoiceDocument
from portal.services.common.pdf import grid, paragraph, render


def _customer_lines(customer: Customer, lang: str) -> list[str]:
    lines = [
        customer.denominazione,
        customer.street,
        f"{customer.postal_code} {customer.city} ({customer.province})",
    ]
    if customer.kind is CustomerKind.COMPANY and customer.partita_iva:
        lines.append(f"P.IVA {customer.partita_iva} – C.F. {customer.codice_fiscale}")
    else:
        lines.append(f"C.F. {customer.codice_fiscale}")
    if customer.sdi_code and customer.sdi_code != "0000000":
        lines.append(i18n.translate(lang, "pdf.sdi_code", code=customer.sdi_code))
    elif customer.pec:
        lines.append(f"PEC {customer.pec}")
    return lines


def _reference(doc: InvoiceDocument, lang: str) -> list[str]:
    """What the document is for: the contract, the instalment and its period, the corrected invoice."""
    t = functools.partial(i18n.translate, lang)
    contract = doc.contract
    product = i18n.product_name(lang, contract.product_code, contract.product)
    reference = [t("pdf.contract", number=f"{contract.number}/{contract.module_number}", product=product)]
    line = doc.schedule_line
    if line is not None:
        if line.kind in (ScheduleLineKind.INSTALMENT, ScheduleLineKind.RESIDUAL_VALUE):
            reference.append(t("pdf.instalment", number=line.number, count=contract.instalment_count))
        reference.append(
            t(
                "pdf.competence",
                start=i18n.short_date(line.competence_start, lang),
                end=i18n.short_date(line.competence_end, lang),
            )
        )
    if doc.corrected is not None:
        reference.append(
            t("pdf.corrects", number=doc.corrected.number, date=i18n.short_date(doc.corrected.issue_date, lang))
        )
    return reference


def _line_rows(doc: InvoiceDocument, lang: str) -> list[list]:
    t = functools.partial(i18n.translate, lang)
    head = [t("pdf.description"), t("pdf.quantity"), t("pdf.unit_price"), t("pdf.vat_rate"), t("pdf.taxable")]
    return [head] + [
        [
            paragraph(item.description),
            i18n.number(item.quantity, lang),
            i18n.money(item.unit_price, lang),
            f"{i18n.number(item.vat_rate, lang)}%",
            i18n.money(item.taxable_amount, lang),
        ]
        for item in doc.lines
    ]


def _totals(doc: InvoiceDocument, lang: str) -> list[list]:
    invoice = doc.invoice
    rate = i18n.number(doc.lines[0].vat_rate if doc.lines else 22, lang)
    return [
        [i18n.translate(lang, "pdf.total_taxable"), i18n.money(invoice.taxable_amount, lang)],
        [i18n.translate(lang, "pdf.total_vat", rate=rate), i18n.money(invoice.vat_amount, lang)],
        [i18n.translate(lang, "pdf.total_document"), i18n.money(invoice.total, lang)],
    ]


def _payment(doc: InvoiceDocument, lang: str) -> list[list]:
    t = functools.partial(i18n.translate, lang)
    invoice, contract = doc.invoice, doc.contract
    method = t(f"payment_method.{invoice.payment_method.value}")
    if invoice.payment_method is PaymentMethod.SEPA_DIRECT_DEBIT and contract.direct_debit_iban:
        method = t("pdf.direct_debit_on", iban=contract.direct_debit_iban)
    paid = invoice.paid_amount >= invoice.total
    return [
        [t("pdf.due_date"), i18n.short_date(invoice.due_date, lang)],
        [t("pdf.payment_method"), paragraph(method)],
        [
            t("pdf.payment_status"),
            t("pdf.paid") if paid else t("pdf.to_pay", amount=i18n.money(invoice.total - invoice.paid_amount, lang)),
        ],
    ]


def invoice_pdf(doc: InvoiceDocument, lang: str) -> bytes:
    t = functools.partial(i18n.translate, lang)
    invoice = doc.invoice
    title_key = "pdf.credit_note_title" if invoice.kind is DocumentKind.CREDIT_NOTE else "pdf.invoice_title"
    title = t(title_key, number=invoice.number, date=i18n.document_date(invoice.issue_date, lang))
    flowables = [
        paragraph(title, "title"),
        Spacer(0, 2 * mm),
        grid(
            [
                [paragraph(t("pdf.customer"), "bold"), paragraph(t("pdf.reference"), "bold")],
                [
                    paragraph("\n".join(_customer_lines(doc.customer, lang))),
                    paragraph("\n".join(_reference(doc, lang))),
                ],
            ],
            [87 * mm, 87 * mm],
            header=False,
        ),
        Spacer(0, 5 * mm),
        grid(_line_rows(doc, lang), [72 * mm, 14 * mm, 32 * mm, 24 * mm, 32 * mm], numeric_from=1),
        Spacer(0, 3 * mm),
        grid(_totals(doc, lang), [144 * mm, 30 * mm], numeric_from=1, header=False, total_rows=1),
        Spacer(0, 5 * mm),
        paragraph(t("pdf.payment"), "heading"),
        grid(_payment(doc, lang), [60 * mm, 114 * mm], header=False),
    ]
    if invoice.paper_copy:
        flowables += [Spacer(0, 3 * mm), paragraph(t("pdf.paper_copy"))]
    flowables += [Spacer(0, 6 * mm), paragraph(t("pdf.legal_notice"), "small")]
    return render(tenant=doc.tenant, flowables=flowables, title=title, page_label=t("pdf.page"))


def pdf_filename(doc: InvoiceDocument) -> str:
    prefix = "nota-di-credito" if doc.invoice.kind is DocumentKind.CREDIT_NOTE else "fattura"
    return f"{prefix}-{doc.invoice.number.replace('/', '-')}.pdf"
