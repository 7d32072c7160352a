"""Fatture e pagamenti in Chromium: statuses and totals against the database, the filters, the
export, the invoice PDF and XML, the annual statement, publication notices in the bell and by
mail, and another customer's documents refused by id."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from lxml import etree
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from portal.config import PROJECT_ROOT
from portal.services.billing.fatturapa import validation_errors
from tests.e2e.conftest import (
    db_rows,
    download,
    euro,
    italian_today,
    max_id,
    normalise,
    open_in_new_tab,
    signed_in_page,
    text_of,
    unread_notices,
    visit,
    wait_ready,
)

# What the status filter's options and the badges say (it.py), typed here as the user reads them.
STATUS_LABELS = {"to_be_due": "A scadere", "overdue": "Scaduto", "paid": "Pagato"}
PAGE_SIZE = 25
PUBLICATION_SUBJECT = "Aurora Leasing – Nuovo documento disponibile nell'area clienti"
DOCUMENTS_OF_10093 = (
    "select i.id, i.number, i.kind, i.total, i.paid_amount, i.due_date, k.number as contract "
    "from invoice i join customer c on c.id = i.customer_id join contract k on k.id = i.contract_id "
    "where c.code = '10093'"
)
NEWEST_FIRST = " order by i.due_date desc, i.number desc"


def _pdf_text(data: bytes) -> str:
    return normalise("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def _status(total, paid, due_date: str, today: dt.date) -> str:
    """An invoice's status by the rule the user reads in the manual: paid, past its due date, or not yet due."""
    if Decimal(str(paid)) >= Decimal(str(total)):
        return "paid"
    return "overdue" if dt.date.fromisoformat(str(due_date)[:10]) < today else "to_be_due"


def _shown_numbers(page) -> list[str]:
    return page.locator(".document-row").evaluate_all("rows => rows.map(r => r.dataset.number)")


def _shown_contracts(page) -> set[str]:
    return {normalise(text) for text in page.locator(".document-row td:nth-child(2)").all_inner_texts()}


def test_statuses_totals_filters_and_export(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    page.get_by_role("navigation").get_by_role("link", name="Fatture e pagamenti").click()
    page.wait_for_url("**/fatture-e-pagamenti**")
    expect(page.locator(".document-row").first).to_be_visible()
    today = italian_today()
    overdue = db_rows(
        app,
        "select i.number, i.total - i.paid_amount from invoice i join customer c on c.id = i.customer_id "
        "where c.code = '10093' and i.kind = 'invoice' and i.paid_amount < i.total and i.due_date < :today",
        today=today.isoformat(),
    )
    assert len(overdue) == 1
    number, balance = overdue[0]
    expect(page.locator("#billing-total-overdue")).to_have_text(euro(Decimal(str(balance))).replace(" ", "\xa0"))
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
        app,
        "select count(*), sum(case when i.kind = 'credit_note' then -i.total else i.total end) from invoice i "
        "join customer c on c.id = i.customer_id where c.code = '10093' and i.paid_amount >= i.total",
    )[0]
    filename, data = download(page, lambda: page.locator("#billing-export").click())
    target = Path(tempfile.mkdtemp()) / filename  # openpyxl reads by the .xlsx extension
    target.write_bytes(data)
    header, *rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert header[0] == "Stato" and header[-1] == "Fattura"
    assert len(rows) == paid_count and {row[0] for row in rows} == {"Pagato"}
    assert round(sum(row[6] for row in rows), 2) == round(float(paid_total), 2)


def test_contract_filter_and_clearing_the_filters(new_page, app, mailbox):
    """The contract's own documents from "Fatture del contratto", another contract from the
    dropdown, then status and period, and "Azzera filtri"."""
    today = italian_today()
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/contratti?numero=84963")
    page.get_by_role("link", name="Fatture del contratto").click()
    page.wait_for_url("**/fatture-e-pagamenti?numero=84963")
    wait_ready(page)
    contract = page.get_by_label("Contratto", exact=True)
    expect(contract).to_have_value("84963")
    # active contracts first, the soonest to end first, then the extinguished ones
    choices = db_rows(
        app,
        "select k.number from contract k join customer c on c.id = k.customer_id where c.code = '10093' "
        "order by case when k.status = 'active' then 0 else 1 end, k.end_date, k.number",
    )
    values = contract.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert values == ["all", *[number for (number,) in choices]]
    expect(contract.locator("option").first).to_have_text("Tutti i contratti")

    def expect_documents(sql_filter: str, **params) -> list:
        found = db_rows(app, DOCUMENTS_OF_10093 + sql_filter + NEWEST_FIRST, **params)
        first_page = [row.number for row in found[:PAGE_SIZE]]
        if found:
            expect(page.locator("#billing-page-info")).to_have_text(f"1 - {min(PAGE_SIZE, len(found))} di {len(found)}")
            expect(page.locator(".document-row").first).to_have_attribute("data-number", first_page[0])
            assert _shown_numbers(page) == first_page
        else:
            expect(page.locator(".document-row")).to_have_count(0)
            expect(page.get_by_text("Nessun documento per questi filtri.")).to_be_visible()
        return found

    rows = expect_documents(" and k.number = '84963'")
    assert _shown_contracts(page) == {"84963"}
    overdue_84963 = sum(
        (
            Decimal(str(r.total)) - Decimal(str(r.paid_amount))
            for r in rows
            if r.kind == "invoice" and _status(r.total, r.paid_amount, r.due_date, today) == "overdue"
        ),
        Decimal("0"),
    )
    expect(page.locator("#billing-total-overdue")).to_have_text(euro(overdue_84963).replace(" ", "\xa0"))

    contract.select_option("90317")
    expect(page.locator(".document-row").first).to_contain_text("90317")
    rows = expect_documents(" and k.number = '90317'")
    assert _shown_contracts(page) == {"90317"}

    page.get_by_label("Stato", exact=True).select_option("paid")
    expect(page.locator(".document-row[data-status='to_be_due']")).to_have_count(0)
    paid = expect_documents(" and k.number = '90317' and i.paid_amount >= i.total")
    assert [r.number for r in paid] == [
        r.number for r in rows if _status(r.total, r.paid_amount, r.due_date, today) == "paid"
    ]
    first_day, last_day = f"{today.year - 2}-01-01", f"{today.year - 2}-12-31"
    page.locator("#billing-from").fill(first_day)
    page.locator("#billing-to").fill(last_day)
    page.locator("#billing-apply").click()
    expect(page.locator("#billing-page-info")).not_to_have_text(f"1 - {PAGE_SIZE} di {len(paid)}")
    in_year = expect_documents(
        " and k.number = '90317' and i.paid_amount >= i.total and i.due_date between :first and :last",
        first=first_day,
        last=last_day,
    )
    assert {r.due_date[:4] for r in in_year} == {str(today.year - 2)}

    page.get_by_role("button", name="Azzera filtri").click()
    expect(page.get_by_label("Stato", exact=True)).to_have_value("all")
    expect(page.locator("#billing-from")).to_have_value("")
    expect(page.locator("#billing-to")).to_have_value("")
    chosen = contract.input_value()  # what the user sees chosen: the list must be exactly that
    expect(page.locator("#billing-page-info")).not_to_have_text(f"1 - 12 di {len(in_year)}")
    expect_documents(" and k.number = :number" if chosen != "all" else "", number=chosen)


def test_invoice_pdf_and_xml(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/fatture-e-pagamenti")
    newest = db_rows(app, DOCUMENTS_OF_10093 + NEWEST_FIRST + " limit 1")[0]
    row = page.locator(".document-row").first
    expect(row).to_have_attribute("data-number", newest.number)
    assert newest.kind == "invoice"

    pdf = open_in_new_tab(page, row.locator(".pdf-link"))
    assert pdf.url == app.url(f"/api/documenti/fattura/{newest.id}.pdf")
    assert (pdf.status, pdf.content_type) == (200, "application/pdf")
    assert pdf.disposition == f'inline; filename="fattura-{newest.number.replace("/", "-")}.pdf"'
    text = _pdf_text(pdf.body)
    assert f"Fattura n. {newest.number}" in text and euro(Decimal(str(newest.total))) in text

    (vat_number,) = db_rows(app, "select vat_number from tenant where slug = 'aurora'")[0]
    filename, xml = download(page, lambda: row.locator(".xml-link").click())
    assert filename == f"IT{vat_number}_{newest.id:05X}.xml"
    assert validation_errors(xml) == []
    tree = etree.fromstring(xml)
    assert tree.findtext(".//Numero") == newest.number
    assert Decimal(tree.findtext(".//ImportoTotaleDocumento")) == Decimal(str(newest.total))
    expect(page).to_have_url(re.compile(r"/fatture-e-pagamenti/?$"))  # the download left the page where it was


def test_annual_statement_from_the_contract_documents(new_page, app, mailbox):
    year = italian_today().year - 1  # the last closed year
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/contratti?numero=90317")
    link = page.locator(".statement-link", has_text=f"Rendiconto annuale {year}")
    expect(link).to_be_visible()
    statement = open_in_new_tab(page, link)
    assert statement.url == app.url(f"/api/documenti/rendiconto/90317/{year}.pdf")
    assert (statement.status, statement.content_type) == (200, "application/pdf")
    assert statement.disposition == f'inline; filename="rendiconto-90317-{year}.pdf"'
    text = _pdf_text(statement.body)
    assert f"Rendiconto annuale {year}" in text and "90317/3" in text and "nota integrativa" in text


def test_another_customers_documents_are_refused_by_id(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    foreign_id = db_rows(
        app,
        "select min(i.id) from invoice i join customer c on c.id = i.customer_id where c.code = '20417'",
    )[0][0]
    mine_id = db_rows(
        app, "select min(i.id) from invoice i join customer c on c.id = i.customer_id where c.code = '10093'"
    )[0][0]
    for suffix in ("pdf", "xml"):
        assert page.request.get(app.url(f"/api/documenti/fattura/{foreign_id}.{suffix}")).status == 404
        assert page.request.get(app.url(f"/api/documenti/fattura/{mine_id}.{suffix}")).status == 200
    assert page.request.get(app.url("/api/documenti/rendiconto/88120/2024.pdf")).status == 404
    anonymous = page.context.browser.new_context()
    try:
        assert anonymous.request.get(app.url(f"/api/documenti/fattura/{mine_id}.pdf")).status == 404
    finally:
        anonymous.close()


def test_a_document_notice_in_the_bell(new_page, app, mailbox, tidy):
    """The seed announces the company's newest document as the billing job does: the bell shows it
    unread, with the document's icon, and opening it leads to Fatture e pagamenti and reads it."""
    tidy.drop_new("notification_read")
    read_mark = max_id(app, "notification_read")
    notice_id, title = db_rows(
        app,
        "select n.id, n.title from notification n join user_account u on u.id = n.user_id "
        "where u.username = '10093' and n.kind = 'document' order by n.created_at desc, n.id desc limit 1",
    )[0]
    number = db_rows(
        app, "select i.number from invoice i join notification n on n.invoice_id = i.id where n.id = :n", n=notice_id
    )[0][0]
    assert title == f"Nuova fattura {number}"
    unread = unread_notices(app, "10093")
    assert db_rows(app, "select count(*) from notification_read where notification_id = :n", n=notice_id) == [(0,)]

    page = signed_in_page(new_page, app, mailbox)
    expect(page.locator("#bell-count")).to_have_text(str(unread))
    page.locator("#bell-button").click()
    item = page.locator("#bell-list .notice-item", has_text=title)
    expect(item).to_have_attribute("data-read", "")
    expect(item.locator(".unread-dot")).to_have_count(1)
    item.locator("button").click()
    page.wait_for_url(re.compile(r"/fatture-e-pagamenti/?$"))
    wait_ready(page)
    expect(page.locator(f".document-row[data-number='{number}']")).to_be_visible()
    expect(page.locator("#bell-count")).to_have_text(str(unread - 1))  # the seed's broadcast and request notice stay
    assert unread_notices(app, "10093") == unread - 1
    assert db_rows(
        app,
        "select r.notification_id, u.username from notification_read r join user_account u on u.id = r.user_id "
        "where r.id > :mark",
        mark=read_mark,
    ) == [(notice_id, "10093")]
    assert text_of(page, "h1") == "Fatture e pagamenti"


def test_publication_notice_by_mail(app, mailbox, tidy):
    """The billing job issues what falls due and tells every reader of the contract, by bell and mail."""
    tidy.drop_new("notification_read", "notification", "payment", "invoice_line", "invoice")
    invoice_mark, notice_mark = max_id(app, "invoice"), max_id(app, "notification")
    primary, secondary = db_rows(
        app, "select primary_email, secondary_email from user_account where username = '10093'"
    )[0]
    assert secondary == "laura.conti@valverde-demo.it"  # the seed's; a test that changes it puts it back
    since = mailbox.mark()
    as_of = (italian_today() + dt.timedelta(days=45)).isoformat()
    result = subprocess.run(
        [sys.executable, "-m", "portal.jobs.billing", "--as-of", as_of],
        cwd=PROJECT_ROOT,
        env=app.env,
        capture_output=True,
        text=True,
        check=True,
    )
    (issued,) = db_rows(app, "select count(*) from invoice where id > :m", m=invoice_mark)[0]
    assert result.stdout.strip() == f"{issued} documents issued and published as of {as_of}"
    own = db_rows(
        app,
        "select i.id, i.number from invoice i join customer c on c.id = i.customer_id "
        "where c.code = '10093' and i.id > :m order by i.number",
        m=invoice_mark,
    )
    assert len(own) >= 1, "45 days ahead, the company's monthly leases have instalments to invoice"
    # The job has returned: its mail has been handed to the SMTP server, one message per document and address.
    for address in (primary, secondary):
        mailed = [m for m in mailbox.messages[since:] if m["To"] == address and m["Subject"] == PUBLICATION_SUBJECT]
        numbers = sorted(re.search(r"documento n\. (\S+) del", mailbox.text(m)).group(1) for m in mailed)
        assert numbers == [number for _, number in own]
    notices = db_rows(
        app,
        "select n.invoice_id from notification n join user_account u on u.id = n.user_id "
        "where u.username = '10093' and n.kind = 'document' and n.id > :m order by n.invoice_id",
        m=notice_mark,
    )
    assert [invoice_id for (invoice_id,) in notices] == sorted(invoice_id for invoice_id, _ in own)


def test_clearing_the_filters_clears_the_contract_too(new_page, app, mailbox):
    """ "Azzera filtri" beside the filters: every filter goes back to all, the contract as well."""
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/fatture-e-pagamenti")
    page.get_by_label("Contratto", exact=True).select_option("84963")
    expect(page.locator(".document-row").first).to_contain_text("84963")
    page.get_by_label("Stato", exact=True).select_option("paid")
    expect(page.locator(".document-row[data-status='overdue']")).to_have_count(0)
    page.get_by_role("button", name="Azzera filtri").click()
    expect(page.get_by_label("Stato", exact=True)).to_have_value("all")
    expect(page.get_by_label("Contratto", exact=True)).to_have_value("all")
    (total,) = db_rows(app, "select count(*) from (" + DOCUMENTS_OF_10093 + ")")[0]
    expect(page.locator("#billing-page-info")).to_have_text(f"1 - {PAGE_SIZE} di {total}")
