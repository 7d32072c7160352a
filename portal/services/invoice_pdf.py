"""The courtesy PDF of an invoice or credit note, in the reader's language."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from portal import i18n
from portal.models.enums import CustomerKind, DocumentKind, PaymentMethod, ScheduleLineKind
from portal.services.invoice_documents import InvoiceDocument
from portal.services.pdf_layout import grid, paragraph, render


def invoice_pdf(doc: InvoiceDocument, lang: str) -> bytes:
    t = lambda key, **params: i18n.translate(lang, key, **params)  # noqa: E731
    money = lambda value: i18n.money(value, lang)  # noqa: E731
    date = lambda value: i18n.document_date(value, lang)  # noqa: E731
    invoice, customer, contract = doc.invoice, doc.customer, doc.contract
    title_key = "pdf.credit_note_title" if invoice.kind is DocumentKind.CREDIT_NOTE else "pdf.invoice_title"
    title = t(title_key, number=invoice.number, date=date(invoice.issue_date))

    customer_lines = [customer.denominazione, customer.street, f"{customer.postal_code} {customer.city} ({customer.province})"]
    if customer.kind is CustomerKind.COMPANY and customer.partita_iva:
        customer_lines.append(f"P.IVA {customer.partita_iva} – C.F. {customer.codice_fiscale}")
    else:
        customer_lines.append(f"C.F. {customer.codice_fiscale}")
    if customer.sdi_code and customer.sdi_code != "0000000":
        customer_lines.append(t("pdf.sdi_code", code=customer.sdi_code))
    elif customer.pec:
        customer_lines.append(f"PEC {customer.pec}")

    reference = [t("pdf.contract", number=f"{contract.number}/{contract.module_number}", product=contract.product)]
    line = doc.schedule_line
    if line is not None:
        if line.kind in (ScheduleLineKind.INSTALMENT, ScheduleLineKind.RESIDUAL_VALUE):
            reference.append(t("pdf.instalment", number=line.number, count=contract.instalment_count))
        reference.append(t("pdf.competence", start=i18n.short_date(line.competence_start, lang),
                           end=i18n.short_date(line.competence_end, lang)))
    if doc.corrected is not None:
        reference.append(t("pdf.corrects", number=doc.corrected.number, date=i18n.short_date(doc.corrected.issue_date, lang)))

    head = [t("pdf.description"), t("pdf.quantity"), t("pdf.unit_price"), t("pdf.vat_rate"), t("pdf.taxable")]
    rows = [head] + [
        [paragraph(item.description), i18n.number(item.quantity, lang), money(item.unit_price),
         f"{i18n.number(item.vat_rate, lang)}%", money(item.taxable_amount)]
        for item in doc.lines
    ]
    totals = [
        [t("pdf.total_taxable"), money(invoice.taxable_amount)],
        [t("pdf.total_vat", rate=i18n.number(doc.lines[0].vat_rate if doc.lines else 22, lang)), money(invoice.vat_amount)],
        [t("pdf.total_document"), money(invoice.total)],
    ]
    method = t(f"payment_method.{invoice.payment_method.value}")
    if invoice.payment_method is PaymentMethod.SEPA_DIRECT_DEBIT and contract.direct_debit_iban:
        method = t("pdf.direct_debit_on", iban=contract.direct_debit_iban)
    paid = invoice.paid_amount >= invoice.total
    payment = [
        [t("pdf.due_date"), i18n.short_date(invoice.due_date, lang)],
        [t("pdf.payment_method"), paragraph(method)],
        [t("pdf.payment_status"), t("pdf.paid") if paid else t("pdf.to_pay", amount=money(invoice.total - invoice.paid_amount))],
    ]
    flowables = [
        paragraph(title, "title"),
        Spacer(0, 2 * mm),
        grid([[paragraph(t("pdf.customer"), "bold"), paragraph(t("pdf.reference"), "bold")],
              [paragraph("\n".join(customer_lines)), paragraph("\n".join(reference))]],
             [87 * mm, 87 * mm], header=False),
        Spacer(0, 5 * mm),
        grid(rows, [72 * mm, 14 * mm, 32 * mm, 24 * mm, 32 * mm], numeric_from=1),
        Spacer(0, 3 * mm),
        grid(totals, [144 * mm, 30 * mm], numeric_from=1, header=False, total_rows=1),
        Spacer(0, 5 * mm),
        paragraph(t("pdf.payment"), "heading"),
        grid(payment, [60 * mm, 114 * mm], header=False),
    ]
    if invoice.paper_copy:
        flowables += [Spacer(0, 3 * mm), paragraph(t("pdf.paper_copy"))]
    flowables += [Spacer(0, 6 * mm), paragraph(t("pdf.legal_notice"), "small")]
    return render(tenant=doc.tenant, flowables=flowables, title=title, page_label=t("pdf.page"))


def pdf_filename(doc: InvoiceDocument) -> str:
    prefix = "nota-di-credito" if doc.invoice.kind is DocumentKind.CREDIT_NOTE else "fattura"
    return f"{prefix}-{doc.invoice.number.replace('/', '-')}.pdf"
