"""Fatture e pagamenti in Chromium: statuses and totals against the database, the export, the
invoice PDF and XML, the annual statement, publication notices, and another customer's
documents refused by id."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from lxml import etree
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from portal import i18n
from portal.config import PROJECT_ROOT
from portal.services.fatturapa import validation_errors
from tests.e2e.conftest import db_rows, normalise, signed_in_page, visit


def _pdf_text(data: bytes) -> str:
    return normalise("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def test_statuses_totals_filters_and_export(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    page.get_by_role("navigation").get_by_role("link", name="Fatture e pagamenti").click()
    page.wait_for_url("**/fatture-e-pagamenti**")
    expect(page.locator(".document-row").first).to_be_visible()
    today = dt.date.today()
    overdue = db_rows(app, "select i.number, i.total - i.paid_amount from invoice i join customer c on c.id = i.customer_id "
                         "where c.code = '10093' and i.kind = 'invoice' and i.paid_amount < i.total and i.due_date < :today",
                    today=today.isoformat())
    assert len(overdue) == 1
    number, balance = overdue[0]
    expect(page.locator("#billing-total-overdue")).to_have_text(i18n.money(Decimal(str(balance)), "it"))
    page.get_by_label("Stato", exact=True).select_option("overdue")
    expect(page.locator(".document-row")).to_have_count(1)
    row = page.locator(f".document-row[data-number='{number}']")
    expect(row).to_have_attribute("data-status", "overdue")
    expect(row).to_contain_text("Scaduto")

    page.get_by_label("Stato", exact=True).select_option("paid")
    expect(page.locator(".document-row[data-status='overdue']")).to_have_count(0)  # the filtered list has arrived
    expect(page.locator(".document-row[data-status='to_be_due']")).to_have_count(0)
    expect(page.locator(".document-row").first).to_be_visible()
    statuses = page.locator(".document-row").evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert set(statuses) == {"paid"}
    paid_count, paid_total = db_rows(
        app, "select count(*), sum(case when i.kind = 'credit_note' then -i.total else i.total end) from invoice i "
             "join customer c on c.id = i.customer_id where c.code = '10093' and i.paid_amount >= i.total")[0]
    with page.expect_download() as info:
        page.locator("#billing-export").click()
    target = Path(tempfile.mkdtemp()) / info.value.suggested_filename
    info.value.save_as(target)
    header, *data = list(load_workbook(target).active.iter_rows(values_only=True))
    assert header[0] == "Stato" and header[-1] == "Fattura"
    assert len(data) == paid_count and {row[0] for row in data} == {"Pagato"}
    assert round(sum(row[6] for row in data), 2) == round(float(paid_total), 2)


def test_invoice_pdf_and_xml(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/fatture-e-pagamenti")
    row = page.locator(".document-row").first
    number = row.get_attribute("data-number")
    total, invoice_id = db_rows(app, "select total, id from invoice where number = :n", n=number)[0]
    pdf_href = row.locator(".pdf-link").get_attribute("href")
    with page.context.expect_page() as opened:
        row.locator(".pdf-link").click()
    viewer = opened.value
    viewer.wait_for_load_state()
    assert viewer.url.endswith(f"/api/documenti/fattura/{invoice_id}.pdf")
    response = page.request.get(app.url(pdf_href))
    assert response.headers["content-type"] == "application/pdf"
    text = _pdf_text(response.body())
    assert f"Fattura n. {number}" in text and normalise(i18n.money(Decimal(str(total)), "it")) in text

    xml_href = row.locator(".xml-link").get_attribute("href")
    xml = page.request.get(app.url(xml_href))
    assert xml.status == 200 and "attachment" in xml.headers["content-disposition"]
    assert validation_errors(xml.body()) == []
    assert Decimal(etree.fromstring(xml.body()).findtext(".//ImportoTotaleDocumento")) == Decimal(str(total))


def test_annual_statement_from_the_contract_documents(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/contratti?numero=90317")
    link = page.locator(".statement-link", has_text="2025")
    expect(link).to_be_visible()
    response = page.request.get(app.url(link.get_attribute("href")))
    assert response.status == 200
    text = _pdf_text(response.body())
    assert "Rendiconto annuale 2025" in text and "90317/3" in text and "nota integrativa" in text


def test_another_customers_documents_are_refused_by_id(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    foreign_id = db_rows(app, "select i.id from invoice i join customer c on c.id = i.customer_id where c.code = '20417' limit 1")[0][0]
    mine_id = db_rows(app, "select i.id from invoice i join customer c on c.id = i.customer_id where c.code = '10093' limit 1")[0][0]
    for suffix in ("pdf", "xml"):
        assert page.request.get(app.url(f"/api/documenti/fattura/{foreign_id}.{suffix}")).status == 404
        assert page.request.get(app.url(f"/api/documenti/fattura/{mine_id}.{suffix}")).status == 200
    assert page.request.get(app.url("/api/documenti/rendiconto/88120/2024.pdf")).status == 404
    anonymous = page.context.browser.new_context()
    assert anonymous.request.get(app.url(f"/api/documenti/fattura/{mine_id}.pdf")).status == 404
    anonymous.close()


def test_publication_notice_by_mail(app, mailbox):
    owner = db_rows(app, "select primary_email, secondary_email from user_account where username = '10093'")[0]
    since = mailbox.mark()
    as_of = (dt.date.today() + dt.timedelta(days=45)).isoformat()
    result = subprocess.run([sys.executable, "-m", "portal.jobs.billing", "--as-of", as_of], cwd=PROJECT_ROOT,
                            env=app.env, capture_output=True, text=True, check=True)
    assert "documents issued and published" in result.stdout
    notice = mailbox.wait_for(owner[0], "Nuovo documento", since)
    assert "contratto" in mailbox.text(notice)
    if owner[1]:
        mailbox.wait_for(owner[1], "Nuovo documento", since)
    notices = db_rows(app, "select count(*) from notification n join user_account u on u.id = n.user_id "
                         "where u.username = '10093' and n.kind = 'document'")[0][0]
    assert notices >= 2
