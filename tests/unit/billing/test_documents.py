"""Fatture e pagamenti data, the invoice PDF and FatturaPA XML, the annual statement and the
publication of new documents."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from typing import Any

import lxml.etree as etree  # the compiled module: pyright resolves it only imported this way
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader
from sqlmodel import col, select

from portal import i18n
from portal.models import Contract, Customer, Invoice, MailMessage, Notification, ScheduleLine, Tenant, UserAccount
from portal.models.enums import ContractStatus, DocumentKind, InvoiceStatus, NotificationKind, ScheduleLineKind
from portal.services.access.accounts import principal_for
from portal.services.access.scope import whole_customer
from portal.services.billing.documents import load_invoice_document
from portal.services.billing.exports import export_documents
from portal.services.billing.fatturapa import NAMESPACE, invoice_xml, validation_errors
from portal.services.billing.invoice_pdf import invoice_pdf
from portal.services.billing.publication import publish, recipients, run_billing
from portal.services.billing.queries import (
    DocumentFilter,
    access_invoice,
    all_documents,
    documents_page,
    monthly_due,
    overdue_balance,
)
from portal.services.contracts.statement_pdf import statement_pdf
from portal.services.contracts.statements import build_statement, statement_years
from tests.conftest import AS_OF, NOW
from tests.unit.conftest import id_mark, mail_mark, mails_after, rows_after


def _scope(db, code="10093"):
    return whole_customer(db.exec(select(Customer.id).where(Customer.code == code)).one())


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _invoices(db, code="10093", contract_id: int | None = None) -> list[Invoice]:
    """The customer's documents, read with a plain select."""
    query = select(Invoice).where(Invoice.customer_id == _scope(db, code).customer_id)
    if contract_id is not None:
        query = query.where(Invoice.contract_id == contract_id)
    return list(db.exec(query.order_by(col(Invoice.id))).all())


def _status_by_hand(invoice: Invoice, today: dt.date) -> InvoiceStatus:
    """Paid in full: paid; otherwise past its due date: overdue; otherwise still to come."""
    if invoice.paid_amount >= invoice.total:
        return InvoiceStatus.PAID
    return InvoiceStatus.OVERDUE if invoice.due_date < today else InvoiceStatus.TO_BE_DUE


def _signed(invoice: Invoice, amount: D) -> D:
    return -amount if invoice.kind is DocumentKind.CREDIT_NOTE else amount


def test_documents_carry_their_status_and_signed_amounts(db, demo):
    rows = list(all_documents(session=db, scope=_scope(db), flt=DocumentFilter(), today=AS_OF))
    invoices = {i.id: i for i in _invoices(db)}
    assert sorted(row.invoice_id for row in rows) == sorted(invoices)
    for row in rows:
        invoice = invoices[row.invoice_id]
        assert row.status is _status_by_hand(invoice, AS_OF)
        sign = -1 if invoice.kind is DocumentKind.CREDIT_NOTE else 1
        assert row.total == sign * invoice.total and row.balance == sign * (invoice.total - invoice.paid_amount)
    notes = [row for row in rows if row.kind is DocumentKind.CREDIT_NOTE]
    assert len(notes) > 0 and notes[0].corrects is not None and notes[0].total < 0
    corrected = next(row for row in rows if row.number == notes[0].corrects)
    assert corrected.corrected_by == notes[0].number
    assert [row.due_date for row in rows] == sorted((row.due_date for row in rows), reverse=True)


@pytest.mark.parametrize("status", ["to_be_due", "overdue", "paid"])
def test_status_filter(db, demo, status):
    rows = list(all_documents(session=db, scope=_scope(db), flt=DocumentFilter(status=status), today=AS_OF))
    expected = [i.id for i in _invoices(db) if _status_by_hand(i, AS_OF).value == status]
    assert sorted(row.invoice_id for row in rows) == sorted(expected) and len(expected) > 0
    assert {row.status.value for row in rows} == {status}


def test_period_contract_filters_and_pages(db, demo):
    contract = db.exec(select(Contract).where(Contract.number == "84963")).one()
    flt = DocumentFilter(contract_id=contract.id, date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31))
    rows = list(all_documents(session=db, scope=_scope(db), flt=flt, today=AS_OF))
    assert len(rows) == 12 and {row.contract_number for row in rows} == {"84963"}
    assert all(dt.date(2024, 1, 1) <= row.due_date <= dt.date(2024, 12, 31) for row in rows)
    page, total = documents_page(session=db, scope=_scope(db), flt=DocumentFilter(), today=AS_OF, offset=25)
    newest_first = sorted(_invoices(db), key=lambda i: (i.due_date, i.number), reverse=True)
    assert total == len(newest_first) and [row.invoice_id for row in page] == [i.id for i in newest_first[25:50]]


def _months_by_hand(db, today: dt.date, contract_id: int | None = None) -> list[tuple[dt.date, D]]:
    """What falls due in each of the 12 months from today's: open documents due from today on
    (credit notes negative), and plan rows of active contracts no document covers yet (indexation
    aside until invoiced), VAT added and rounded half up."""
    from dateutil.relativedelta import relativedelta

    customer_id = _scope(db).customer_id
    invoices = _invoices(db, contract_id=contract_id)
    contracts = {c.id: c for c in db.exec(select(Contract).where(Contract.customer_id == customer_id)).all()}
    invoiced = {i.schedule_line_id for i in invoices if i.schedule_line_id}
    lines = db.exec(select(ScheduleLine).where(ScheduleLine.customer_id == customer_id)).all()
    starts = [today.replace(day=1) + relativedelta(months=k) for k in range(12)]
    totals = dict.fromkeys(starts, D("0"))
    for i in invoices:
        if i.paid_amount < i.total and i.due_date >= today and i.due_date.replace(day=1) in totals:
            totals[i.due_date.replace(day=1)] += _signed(i, i.total - i.paid_amount)
    for line in lines:
        contract = contracts[line.contract_id]
        if (
            (contract_id is None or line.contract_id == contract_id)
            and line.due_date >= today
            and line.due_date.replace(day=1) in totals
            and line.id not in invoiced
            and line.kind is not ScheduleLineKind.INDEXATION
            and contract.status is ContractStatus.ACTIVE
        ):
            vat = (line.amount * contract.vat_rate / 100).quantize(D("0.01"), rounding=ROUND_HALF_UP)
            totals[line.due_date.replace(day=1)] += line.amount + vat
    return [(start, totals[start]) for start in starts]


def test_overdue_and_months(db, demo):
    scope = _scope(db)
    overdue = overdue_balance(session=db, scope=scope, contract_id=None, today=AS_OF)
    unpaid_invoices = [
        i for i in _invoices(db) if i.kind is DocumentKind.INVOICE and i.due_date < AS_OF and i.paid_amount < i.total
    ]
    assert overdue == sum((i.total - i.paid_amount for i in unpaid_invoices), D("0")) > 0
    months = monthly_due(session=db, scope=scope, contract_id=None, today=AS_OF)
    assert months[0][0] == AS_OF.replace(day=1) and months == _months_by_hand(db, AS_OF)
    van = db.exec(select(Contract).where(Contract.number == "90317")).one()
    by_van = monthly_due(session=db, scope=scope, contract_id=van.id, today=AS_OF)
    assert by_van == _months_by_hand(db, AS_OF, contract_id=van.id)


def test_other_customers_invoice_is_out_of_scope(db, demo):
    foreign = db.exec(
        select(Invoice).join(Customer, col(Customer.id) == Invoice.customer_id).where(Customer.code == "20417")
    ).first()
    assert foreign is not None
    assert access_invoice(session=db, scope=_scope(db), invoice_id=foreign.id) is None
    assert access_invoice(session=db, scope=_scope(db, "20417"), invoice_id=foreign.id) is not None
    sub_user = db.exec(select(UserAccount).where(UserAccount.username == "10093.1")).one()
    dental = db.exec(
        select(Invoice).join(Contract, col(Contract.id) == Invoice.contract_id).where(Contract.number == "84963")
    ).first()
    sub_scope = principal_for(session=db, user=sub_user).scope
    assert dental is not None and sub_scope is not None
    assert access_invoice(session=db, scope=sub_scope, invoice_id=dental.id) is None


def test_export_has_the_screen_columns(db, demo, tmp_path):
    path = tmp_path / "billing.xlsx"
    flt = DocumentFilter(status="paid")
    written = export_documents(session=db, scope=_scope(db), flt=flt, today=AS_OF, lang="it", path=path)
    sheet = load_workbook(path).active
    assert isinstance(sheet, Worksheet)
    values: list[tuple[Any, ...]] = list(sheet.iter_rows(values_only=True))  # openpyxl types cells loosely
    header, *data = values
    assert header == (
        "Stato",
        "Contratto",
        "Scadenza",
        "N. Canone",
        "Causale",
        "Pagamento",
        "Importo",
        "Pagato",
        "Saldo",
        "Saldo scaduto",
        "Fattura",
    )
    paid = [i for i in _invoices(db) if i.paid_amount >= i.total]
    assert written == len(data) == len(paid)
    assert round(sum(row[6] for row in data), 2) == float(sum((_signed(i, i.total) for i in paid), D("0")))
    assert {row[0] for row in data} == {"Pagato"}
    assert sorted(row[10] for row in data) == sorted(i.number for i in paid)


def test_fatturapa_xml_is_valid_for_invoices_and_credit_notes(db, demo):
    scope = _scope(db)
    sample = list(all_documents(session=db, scope=scope, flt=DocumentFilter(), today=AS_OF))[:40]
    sample += [
        row
        for row in all_documents(session=db, scope=scope, flt=DocumentFilter(), today=AS_OF)
        if row.kind is DocumentKind.CREDIT_NOTE
    ]
    for row in sample:
        invoice = db.get(Invoice, row.invoice_id)
        xml = invoice_xml(load_invoice_document(session=db, invoice=invoice))
        assert validation_errors(xml) == [], invoice.number
        root = etree.fromstring(xml)
        assert root.tag == f"{{{NAMESPACE}}}FatturaElettronica" and root.get("versione") == "FPR12"
        kind = root.findtext(".//TipoDocumento")
        assert kind == ("TD04" if invoice.kind is DocumentKind.CREDIT_NOTE else "TD01")
        assert D(root.findtext(".//ImportoTotaleDocumento")) == invoice.total
        summary = D(root.findtext(".//ImponibileImporto")) + D(root.findtext(".//Imposta"))
        assert summary == invoice.total
        assert root.findtext(".//CodiceDestinatario") == "M5UXCR1"
        # a credit note names the invoice it corrects; an invoice names none
        assert root.findtext(".//DatiFattureCollegate/IdDocumento") == row.corrects


def test_fatturapa_pec_delivery_and_private_person(db, demo):
    person_invoice = db.exec(
        select(Invoice).join(Customer, col(Customer.id) == Invoice.customer_id).where(Customer.code == "20417")
    ).first()
    assert person_invoice is not None
    doc = load_invoice_document(session=db, invoice=person_invoice)
    root = etree.fromstring(invoice_xml(doc))
    assert root.findtext(".//CodiceDestinatario") == "0000000" and root.find(".//PECDestinatario") is None
    assert root.findtext(".//CessionarioCommittente//Cognome") == "Bianchi"
    assert root.find(".//CessionarioCommittente//IdFiscaleIVA") is None
    company_doc = load_invoice_document(session=db, invoice=_invoices(db)[0])
    no_code = dataclasses.replace(company_doc, customer=company_doc.customer.model_copy(update={"sdi_code": "0000000"}))
    xml = invoice_xml(no_code)
    assert validation_errors(xml) == []
    assert etree.fromstring(xml).findtext(".//PECDestinatario") == company_doc.customer.pec


def test_the_schema_check_can_fail(db, demo):
    xml = invoice_xml(load_invoice_document(session=db, invoice=_invoices(db)[0]))
    broken = xml.replace(
        b"<FormatoTrasmissione>FPR12</FormatoTrasmissione>", b"<FormatoTrasmissione>XX</FormatoTrasmissione>"
    )
    assert validation_errors(broken)
    missing = xml.replace(b"<Divisa>EUR</Divisa>", b"")
    assert validation_errors(missing)


def test_invoice_pdf_reads_back(db, demo):
    invoice = db.exec(
        select(Invoice).where(Invoice.kind == DocumentKind.INVOICE).order_by(col(Invoice.id).desc())
    ).first()
    text = _pdf_text(invoice_pdf(load_invoice_document(session=db, invoice=invoice), "it"))
    assert f"Fattura n. {invoice.number}" in text
    assert i18n.money(invoice.total, "it").replace("\xa0", " ") in text.replace("\xa0", " ")
    assert "Sistema di Interscambio" in text and "Aurora Leasing S.p.A." in text
    note = db.exec(select(Invoice).where(Invoice.kind == DocumentKind.CREDIT_NOTE).order_by(col(Invoice.id))).first()
    note_text = _pdf_text(invoice_pdf(load_invoice_document(session=db, invoice=note), "en"))
    assert f"Credit note no. {note.number}" in note_text and "Cancels invoice no." in note_text


def test_annual_statement_reconciles(db, demo):
    van = db.exec(select(Contract).where(Contract.number == "90317")).one()
    # every calendar year closed by AS_OF since the van was signed (2022), the latest first
    assert statement_years(van, AS_OF) == list(range(AS_OF.year - 1, 2021, -1))
    for year in statement_years(van, AS_OF):
        statement = build_statement(session=db, contract=van, year=year)
        assert statement.debt_start + statement.total_charged - statement.total_paid == statement.debt_end
        assert statement.capital_start - statement.principal_repaid == statement.capital_end
        assert abs(statement.present_value_unpaid - statement.capital_end) <= statement.capital_end * D("0.01")
        assert statement.index_value is not None
    statement = build_statement(session=db, contract=van, year=2024)
    due_in_2024 = db.exec(
        select(ScheduleLine).where(
            ScheduleLine.contract_id == van.id,
            ScheduleLine.due_date >= dt.date(2024, 1, 1),
            ScheduleLine.due_date <= dt.date(2024, 12, 31),
        )
    ).all()
    assert statement.financial_charge == sum(line.interest for line in due_in_2024)
    assert {m.kind for m in statement.movements} >= {"instalment", "indexation", "payment"}
    text = _pdf_text(statement_pdf(statement, lang="it", tenant=db.get(Tenant, van.tenant_id), today=AS_OF))
    assert "Rendiconto annuale 2024" in text and "nota integrativa" in text
    assert i18n.money(statement.present_value_unpaid, "it").replace("\xa0", " ") in text.replace("\xa0", " ")


def test_private_person_statement_has_no_accounts_table(db, demo):
    car = db.exec(select(Contract).where(Contract.number == "88120")).one()
    statement = build_statement(session=db, contract=car, year=2025)
    text = _pdf_text(statement_pdf(statement, lang="en", tenant=db.get(Tenant, car.tenant_id), today=AS_OF))
    assert "Annual statement 2025" in text and "notes to the financial statements" not in text


def test_billing_run_publishes_once_with_mail_and_bell(db, demo):
    company = db.exec(select(Customer).where(Customer.code == "10093")).one()
    company.paper_invoices = True
    db.add(company)
    owner = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    run_day = AS_OF + dt.timedelta(days=40)
    # by hand: a plan row is billed once its issue date has come (instalments and the residual value ten
    # days before they fall due, advances and indexation on the day), and a row of zero bills nothing
    billed = set(db.exec(select(Invoice.schedule_line_id).where(col(Invoice.schedule_line_id).is_not(None))).all())
    early = {ScheduleLineKind.INSTALMENT: 10, ScheduleLineKind.RESIDUAL_VALUE: 10}
    expected_lines = sorted(
        line.id
        for line in db.exec(select(ScheduleLine).where(ScheduleLine.customer_id == company.id)).all()
        if line.id not in billed
        and line.amount != 0
        and line.due_date - dt.timedelta(days=early.get(line.kind, 0)) <= run_day
    )
    invoices, mails, notes = id_mark(db, Invoice), mail_mark(db), id_mark(db, Notification)
    issued = run_billing(session=db, tenant_id=demo.id, as_of=run_day, now=NOW, public_url="http://portal.test")
    mine = [invoice for invoice in issued if invoice.customer_id == company.id]
    assert [i.id for i in mine] == [i.id for i in rows_after(db, Invoice, invoices, Invoice.customer_id == company.id)]
    assert sorted(invoice.schedule_line_id for invoice in mine) == expected_lines and len(expected_lines) > 0
    assert all(invoice.notified_at == NOW and invoice.paper_copy is True for invoice in mine)
    notices = rows_after(db, Notification, notes, Notification.user_id == owner.id)
    assert sorted((n.kind, n.invoice_id) for n in notices) == sorted((NotificationKind.DOCUMENT, i.id) for i in mine)
    sent = mails_after(db, mails, MailMessage.user_id == owner.id)
    assert {mail.kind for mail in sent} == {"publication"}
    assert {mail.to_address for mail in sent} == {owner.primary_email, owner.secondary_email}
    assert all("copia cartacea" in mail.body_text for mail in sent)
    # nothing is issued or announced twice
    invoices, mails = id_mark(db, Invoice), mail_mark(db)
    assert run_billing(session=db, tenant_id=demo.id, as_of=run_day, now=NOW, public_url="x") == []
    assert publish(session=db, invoice=mine[0], now=NOW, public_url="x") == 0
    assert rows_after(db, Invoice, invoices) == [] and mails_after(db, mails) == []


def test_restricted_sub_user_is_not_told_about_other_contracts(db, demo):
    dental_invoice = db.exec(
        select(Invoice).join(Contract, col(Contract.id) == Invoice.contract_id).where(Contract.number == "84963")
    ).first()
    van_invoice = db.exec(
        select(Invoice).join(Contract, col(Contract.id) == Invoice.contract_id).where(Contract.number == "90317")
    ).first()
    assert dental_invoice is not None and van_invoice is not None
    assert sorted(u.username for u in recipients(db, dental_invoice)) == ["10093"]
    assert sorted(u.username for u in recipients(db, van_invoice)) == ["10093", "10093.1"]


def test_statuses_cover_all_three(db, demo):
    statuses = {row.status for row in all_documents(session=db, scope=_scope(db), flt=DocumentFilter(), today=AS_OF)}
    assert statuses == {InvoiceStatus.PAID, InvoiceStatus.OVERDUE, InvoiceStatus.TO_BE_DUE}
