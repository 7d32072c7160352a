"""Fatture e pagamenti data, the invoice PDF and FatturaPA XML, the annual statement and the
publication of new documents."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from lxml import etree
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from portal import i18n
from portal.models import Contract, Customer, Invoice, MailMessage, Notification, ScheduleLine, Tenant, UserAccount
from portal.models.enums import DocumentKind, InvoiceStatus, NotificationKind
from portal.services.access import whole_customer
from portal.services.accounts import principal_for
from portal.services.billing import invoice_status
from portal.services.billing_exports import export_documents
from portal.services.billing_views import (
    DocumentFilter,
    all_documents,
    documents_page,
    invoice_in_scope,
    monthly_due,
    overdue_balance,
)
from portal.services.fatturapa import NAMESPACE, invoice_xml, validation_errors
from portal.services.invoice_documents import load_invoice_document
from portal.services.invoice_pdf import invoice_pdf
from portal.services.publication import publish, recipients, run_billing
from portal.services.statement_pdf import statement_pdf
from portal.services.statements import build_statement, statement_years
from tests.conftest import AS_OF

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc)


def _scope(db, code="10093"):
    return whole_customer(db.exec(select(Customer.id).where(Customer.code == code)).one())


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_documents_carry_their_status_and_signed_amounts(db, demo):
    rows = list(all_documents(session=db, scope=_scope(db), flt=DocumentFilter(), today=AS_OF))
    invoices = {i.id: i for i in db.exec(select(Invoice).where(Invoice.customer_id == _scope(db).customer_id)).all()}
    assert len(rows) == len(invoices)
    for row in rows:
        invoice = invoices[row.invoice_id]
        assert row.status is invoice_status(total=invoice.total, paid=invoice.paid_amount, due_date=invoice.due_date, today=AS_OF)
        sign = -1 if invoice.kind is DocumentKind.CREDIT_NOTE else 1
        assert row.total == sign * invoice.total and row.balance == sign * (invoice.total - invoice.paid_amount)
    notes = [row for row in rows if row.kind is DocumentKind.CREDIT_NOTE]
    assert notes and notes[0].corrects is not None and notes[0].total < 0
    corrected = next(row for row in rows if row.number == notes[0].corrects)
    assert corrected.corrected_by == notes[0].number
    assert [row.due_date for row in rows] == sorted((row.due_date for row in rows), reverse=True)


@pytest.mark.parametrize("status", ["to_be_due", "overdue", "paid"])
def test_status_filter(db, demo, status):
    rows = list(all_documents(session=db, scope=_scope(db), flt=DocumentFilter(status=status), today=AS_OF))
    assert rows and {row.status.value for row in rows} == {status}


def test_period_contract_filters_and_pages(db, demo):
    contract = db.exec(select(Contract).where(Contract.number == "84963")).one()
    flt = DocumentFilter(contract_id=contract.id, date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31))
    rows = list(all_documents(session=db, scope=_scope(db), flt=flt, today=AS_OF))
    assert len(rows) == 12 and {row.contract_number for row in rows} == {"84963"}
    assert all(dt.date(2024, 1, 1) <= row.due_date <= dt.date(2024, 12, 31) for row in rows)
    page, total = documents_page(session=db, scope=_scope(db), flt=DocumentFilter(), today=AS_OF, offset=25)
    assert total > 50 and len(page) == 25


def test_overdue_and_months(db, demo):
    scope = _scope(db)
    overdue = overdue_balance(session=db, scope=scope, contract_id=None, today=AS_OF)
    rows = list(all_documents(session=db, scope=scope, flt=DocumentFilter(status="overdue"), today=AS_OF))
    assert overdue == sum((row.overdue_balance for row in rows), D("0")) > 0
    months = monthly_due(session=db, scope=scope, contract_id=None, today=AS_OF)
    assert len(months) == 12 and months[0][0] == dt.date(2026, 11, 1) and months[1][1] > 0
    van = db.exec(select(Contract).where(Contract.number == "90317")).one()
    assert sum(amount for _, amount in monthly_due(session=db, scope=scope, contract_id=van.id, today=AS_OF)) < sum(a for _, a in months)


def test_other_customers_invoice_is_out_of_scope(db, demo):
    foreign = db.exec(select(Invoice).join(Customer, Customer.id == Invoice.customer_id).where(Customer.code == "20417")).first()
    assert invoice_in_scope(session=db, scope=_scope(db), invoice_id=foreign.id) is None
    assert invoice_in_scope(session=db, scope=_scope(db, "20417"), invoice_id=foreign.id) is not None
    sub_user = db.exec(select(UserAccount).where(UserAccount.username == "10093.1")).one()
    dental = db.exec(select(Invoice).join(Contract, Contract.id == Invoice.contract_id).where(Contract.number == "84963")).first()
    assert invoice_in_scope(session=db, scope=principal_for(session=db, user=sub_user).scope, invoice_id=dental.id) is None


def test_export_has_the_screen_columns(db, demo, tmp_path):
    path = tmp_path / "billing.xlsx"
    flt = DocumentFilter(status="paid")
    written = export_documents(session=db, scope=_scope(db), flt=flt, today=AS_OF, lang="it", path=path)
    header, *data = list(load_workbook(path).active.iter_rows(values_only=True))
    assert header == ("Stato", "Contratto", "Scadenza", "N. Canone", "Causale", "Pagamento", "Importo", "Pagato", "Saldo",
                      "Saldo scaduto", "Fattura")
    rows = list(all_documents(session=db, scope=_scope(db), flt=flt, today=AS_OF))
    assert written == len(data) == len(rows)
    assert round(sum(row[6] for row in data), 2) == float(sum(row.total for row in rows))
    assert {row[0] for row in data} == {"Pagato"}


def test_fatturapa_xml_is_valid_for_invoices_and_credit_notes(db, demo):
    scope = _scope(db)
    sample = list(all_documents(session=db, scope=scope, flt=DocumentFilter(), today=AS_OF))[:40]
    sample += [row for row in all_documents(session=db, scope=scope, flt=DocumentFilter(), today=AS_OF) if row.kind is DocumentKind.CREDIT_NOTE]
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
        if invoice.kind is DocumentKind.CREDIT_NOTE:
            assert root.findtext(".//DatiFattureCollegate/IdDocumento") == row.corrects


def test_fatturapa_pec_delivery_and_private_person(db, demo):
    person_invoice = db.exec(select(Invoice).join(Customer, Customer.id == Invoice.customer_id).where(Customer.code == "20417")).first()
    doc = load_invoice_document(session=db, invoice=person_invoice)
    root = etree.fromstring(invoice_xml(doc))
    assert root.findtext(".//CodiceDestinatario") == "0000000" and root.find(".//PECDestinatario") is None
    assert root.findtext(".//CessionarioCommittente//Cognome") == "Bianchi"
    assert root.find(".//CessionarioCommittente//IdFiscaleIVA") is None
    company_doc = load_invoice_document(session=db, invoice=db.exec(select(Invoice)).first())
    no_code = dataclasses.replace(company_doc, customer=company_doc.customer.model_copy(update={"sdi_code": "0000000"}))
    xml = invoice_xml(no_code)
    assert validation_errors(xml) == []
    assert etree.fromstring(xml).findtext(".//PECDestinatario") == company_doc.customer.pec


def test_the_schema_check_can_fail(db, demo):
    xml = invoice_xml(load_invoice_document(session=db, invoice=db.exec(select(Invoice)).first()))
    broken = xml.replace(b"<FormatoTrasmissione>FPR12</FormatoTrasmissione>", b"<FormatoTrasmissione>XX</FormatoTrasmissione>")
    assert validation_errors(broken)
    missing = xml.replace(b"<Divisa>EUR</Divisa>", b"")
    assert validation_errors(missing)


def test_invoice_pdf_reads_back(db, demo):
    invoice = db.exec(select(Invoice).where(Invoice.kind == DocumentKind.INVOICE).order_by(Invoice.id.desc())).first()
    text = _pdf_text(invoice_pdf(load_invoice_document(session=db, invoice=invoice), "it"))
    assert f"Fattura n. {invoice.number}" in text
    assert i18n.money(invoice.total, "it").replace("\xa0", " ") in text.replace("\xa0", " ")
    assert "Sistema di Interscambio" in text and "Aurora Leasing S.p.A." in text
    note = db.exec(select(Invoice).where(Invoice.kind == DocumentKind.CREDIT_NOTE)).first()
    note_text = _pdf_text(invoice_pdf(load_invoice_document(session=db, invoice=note), "en"))
    assert f"Credit note no. {note.number}" in note_text and "Cancels invoice no." in note_text


def test_annual_statement_reconciles(db, demo):
    van = db.exec(select(Contract).where(Contract.number == "90317")).one()
    assert statement_years(van, AS_OF) == [2025, 2024, 2023, 2022]
    for year in statement_years(van, AS_OF):
        statement = build_statement(session=db, contract=van, year=year)
        assert statement.debt_start + statement.total_charged - statement.total_paid == statement.debt_end
        assert statement.capital_start - statement.principal_repaid == statement.capital_end
        assert abs(statement.present_value_unpaid - statement.capital_end) <= statement.capital_end * D("0.01")
        assert statement.index_value is not None
    statement = build_statement(session=db, contract=van, year=2024)
    due_in_2024 = db.exec(select(ScheduleLine).where(ScheduleLine.contract_id == van.id,
                                                     ScheduleLine.due_date >= dt.date(2024, 1, 1),
                                                     ScheduleLine.due_date <= dt.date(2024, 12, 31))).all()
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
    before = len(db.exec(select(MailMessage)).all())
    issued = run_billing(session=db, tenant_id=demo.id, as_of=AS_OF + dt.timedelta(days=40), now=NOW, public_url="http://portal.test")
    mine = [invoice for invoice in issued if invoice.customer_id == company.id]
    assert mine and all(invoice.notified_at == NOW and invoice.paper_copy for invoice in mine)
    notices = db.exec(select(Notification).where(Notification.kind == NotificationKind.DOCUMENT, Notification.user_id == owner.id,
                                                 Notification.invoice_id.in_([i.id for i in mine]))).all()
    assert len(notices) == len(mine)
    mails = db.exec(select(MailMessage).where(MailMessage.kind == "publication")).all()[-(len(db.exec(select(MailMessage)).all()) - before):]
    addresses = {mail.to_address for mail in mails}
    assert {owner.primary_email, owner.secondary_email} <= addresses
    assert any("copia cartacea" in (mail.body_text or "") for mail in mails)
    # nothing is issued or announced twice
    assert run_billing(session=db, tenant_id=demo.id, as_of=AS_OF + dt.timedelta(days=40), now=NOW, public_url="x") == []
    assert publish(session=db, invoice=mine[0], now=NOW, public_url="x") == 0


def test_restricted_sub_user_is_not_told_about_other_contracts(db, demo):
    dental_invoice = db.exec(select(Invoice).join(Contract, Contract.id == Invoice.contract_id).where(Contract.number == "84963")).first()
    van_invoice = db.exec(select(Invoice).join(Contract, Contract.id == Invoice.contract_id).where(Contract.number == "90317")).first()
    assert {u.username for u in recipients(db, dental_invoice)} == {"10093"}
    assert {u.username for u in recipients(db, van_invoice)} == {"10093", "10093.1"}


def test_statuses_cover_all_three(db, demo):
    statuses = {row.status for row in all_documents(session=db, scope=_scope(db), flt=DocumentFilter(), today=AS_OF)}
    assert statuses == {InvoiceStatus.PAID, InvoiceStatus.OVERDUE, InvoiceStatus.TO_BE_DUE}
