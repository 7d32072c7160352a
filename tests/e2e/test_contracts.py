"""Contracts, amortization plans and leased assets in Chromium, with their Excel exports read
back by openpyxl and checked against the database."""

from __future__ import annotations

import re
import tempfile
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from playwright.sync_api import expect

from tests.e2e.conftest import (
    db_rows,
    euro,
    italian_number,
    italian_today,
    open_in_new_tab,
    signed_in_page,
    visit,
    wait_ready,
)


def _saved(download) -> Path:
    """openpyxl wants the .xlsx extension: keep the file under the name the browser was given."""
    target = Path(tempfile.mkdtemp()) / download.suggested_filename
    download.save_as(target)
    return target


def _download(page, trigger, timeout=120_000):
    with page.expect_download(timeout=timeout) as info:
        trigger()
    download = info.value
    return download.suggested_filename, load_workbook(_saved(download)).active


def test_choose_a_contract_and_read_its_data(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    page.get_by_role("navigation").get_by_role("link", name="Contratti").click()
    page.wait_for_url("**/contratti**")
    wait_ready(page)
    expect(page.locator("#contract-title")).to_have_text("90317/3")
    page.get_by_label("Seleziona contratto").select_option("84963")
    page.wait_for_url(re.compile(r"numero=84963"))
    expect(page.locator("#contract-title")).to_have_text("84963/1")
    amount, residual = db_rows(app, "select amount, residual_value from contract where number='84963'")[0]
    expect(page.locator("#contract-amount-full")).to_have_text(euro(Decimal(str(amount))).replace(" ", "\xa0"))
    expect(page.locator("#contract-residual-value")).to_contain_text(italian_number(Decimal(str(residual))))
    expect(page.locator("#contract-assets")).to_have_text("5")
    expect(page.locator(".recharts-reference-line")).to_have_count(1)  # today, on the capitale residuo chart
    expect(page.locator("#progress-list")).to_contain_text("Pagate")
    page.get_by_label("Seleziona contratto").select_option("71204")
    expect(page.locator("#contract-status")).to_have_text("Estinto")


def test_plan_pages_and_export(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/contratti?numero=90317")
    page.locator("#go-plan").click()
    page.wait_for_url("**/contratti/piano**")
    wait_ready(page)
    lines = db_rows(
        app,
        "select s.kind, s.amount, s.principal from schedule_line s join contract c on c.id = s.contract_id "
        "where c.number = '90317' order by s.position",
    )
    total = len(lines)
    expect(page.locator("#plan-page-info")).to_have_text(f"1 - 25 di {total}")
    expect(page.locator(".plan-row")).to_have_count(25)
    page.locator("#plan-next").click()
    expect(page.locator("#plan-page-info")).to_have_text(f"26 - 50 di {total}")
    expect(page.locator(".plan-row[data-kind='indexation'] .index-note").first).to_contain_text("Calcolata su")
    page.locator("#plan-previous").click()
    expect(page.locator("#plan-page-info")).to_have_text(f"1 - 25 di {total}")

    filename, sheet = _download(page, lambda: page.locator("#plan-export").click())
    assert filename == "piano-ammortamento-90317.xlsx"
    header, *data = list(sheet.iter_rows(values_only=True))
    assert header[3] == "Tipologia rata" and len(data) == total
    assert round(sum(row[4] for row in data), 2) == round(float(sum(line.amount for line in lines)), 2)
    assert round(sum(row[5] for row in data), 2) == round(float(sum(line.principal for line in lines)), 2)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}{total + 1}"  # the filter covers every row


def test_assets_filter_and_export(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    page.get_by_role("navigation").get_by_role("link", name="Beni in locazione").click()
    page.wait_for_url("**/beni-in-locazione**")
    wait_ready(page)
    expect(page.locator(".asset-card")).to_have_count(8)
    page.get_by_label("Contratto").select_option("84963")
    expect(page.locator(".asset-card")).to_have_count(5)
    filename, sheet = _download(page, lambda: page.locator("#assets-export").click())
    assert filename == "beni-in-locazione-84963.xlsx"
    header, *data = list(sheet.iter_rows(values_only=True))
    assert header[0] == "Codice Contratto" and header[6] == "Descrizione della risorsa"
    values = db_rows(
        app,
        "select a.financial_value, a.expected_future_value from leased_asset a join contract c "
        "on c.id = a.contract_id where c.number = '84963'",
    )
    assert len(data) == 5
    assert round(sum(row[4] for row in data), 2) == round(float(sum(v[0] for v in values)), 2)
    assert round(sum(row[5] for row in data), 2) == round(float(sum(v[1] for v in values)), 2)


def test_other_customers_contract_plan_and_export_are_refused(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/contratti?numero=88120")
    expect(page.locator("#contract-not-found")).to_be_visible()
    expect(page.locator("#contract-title")).to_have_count(0)
    visit(page, app, "/contratti/piano?numero=88120")
    expect(page.locator("#plan-not-found")).to_be_visible()
    expect(page.locator("#plan-export")).to_have_count(0)
    visit(page, app, "/beni-in-locazione?numero=88120")
    expect(page.locator(".asset-card")).not_to_have_count(0)
    expect(page.locator(".asset-card")).to_have_count(8)  # all of my own assets, none of 88120 (asset 177431)
    expect(page.locator("#assets-list")).not_to_contain_text("177431")


def test_another_users_download_ticket_is_refused(new_page, app, mailbox, tidy):
    """The download route: a ticket made for 10093 does not work for 20417, nor without a session."""
    tidy.drop_new("download_ticket")
    url, stored = _ticket_for(app, "10093")
    try:
        page = signed_in_page(new_page, app, mailbox)
        other = signed_in_page(new_page, app, mailbox, "20417")
        assert other.request.get(url).status == 404
        anonymous = page.context.browser.new_context()
        try:
            assert anonymous.request.get(url).status == 404
        finally:
            anonymous.close()
        response = page.request.get(url)
        assert response.status == 200 and response.headers["content-type"].startswith("application/vnd.openxml")
        assert response.body() == b"PK-test"
        assert page.request.get(url).status == 404  # single use
    finally:
        stored.unlink(missing_ok=True)


def _ticket_for(app, username: str) -> tuple[str, Path]:
    """A ticket issued by the portal's own service, straight into the running app's database."""
    from sqlmodel import Session

    from portal.services.common import clock, downloads

    name = downloads.new_storage_name(".xlsx")
    stored = downloads.exports_dir(app.private_dir) / name
    stored.write_bytes(b"PK-test")
    with Session(app.engine) as session:
        user_id = session.execute(
            sa.text("select id from user_account where username = :u"), {"u": username}
        ).scalar_one()
        token = downloads.issue_ticket(
            session=session,
            user_id=user_id,
            storage_name=name,
            filename="x.xlsx",
            content_type=downloads.XLSX,
            now=clock.now(),
        )
        session.commit()
    return app.url(f"/api/download/{token}"), stored


def test_a_restricted_sub_user_cannot_open_another_contracts_documents(new_page, app, mailbox):
    """10093.1 looks after the vehicles (90317, 97702): the dental equipment's contract 84963, its
    statement and its invoices are not his, even typed into the address bar."""
    granted = db_rows(
        app,
        "select k.number from sub_user_contract g join user_account u on u.id = g.user_id "
        "join contract k on k.id = g.contract_id where u.username = '10093.1' order by k.number",
    )
    assert granted == [("90317",), ("97702",)]
    year = italian_today().year - 1  # the last closed year, in which all three contracts ran
    invoice_84963 = db_rows(
        app, "select min(i.id) from invoice i join contract k on k.id = i.contract_id where k.number = '84963'"
    )[0][0]

    owner = signed_in_page(new_page, app, mailbox)
    visit(owner, app, "/contratti?numero=84963")
    owner_statement = open_in_new_tab(owner, owner.locator(".statement-link", has_text=f"Rendiconto annuale {year}"))
    assert (owner_statement.status, owner_statement.content_type) == (200, "application/pdf")
    assert owner_statement.url == app.url(f"/api/documenti/rendiconto/84963/{year}.pdf")

    page = signed_in_page(new_page, app, mailbox, "10093.1")
    page.get_by_role("navigation").get_by_role("link", name="Contratti").click()
    page.wait_for_url("**/contratti**")
    wait_ready(page)
    expect(page.locator("#contract-title")).to_be_visible()
    options = page.get_by_label("Seleziona contratto").locator("option")
    expect(options).to_have_count(2)
    assert sorted(options.evaluate_all("options => options.map(o => o.value)")) == ["90317", "97702"]
    own = open_in_new_tab(page, page.locator(".statement-link", has_text=f"Rendiconto annuale {year}"))
    assert (own.status, own.content_type) == (200, "application/pdf")

    visit(page, app, "/contratti?numero=84963")
    expect(page.locator("#contract-not-found")).to_have_text("Contratto non trovato.")
    expect(page.locator("#contract-title")).to_have_count(0)
    expect(page.locator(".statement-link")).to_have_count(0)
    assert page.request.get(app.url(f"/api/documenti/rendiconto/84963/{year}.pdf")).status == 404
    assert page.request.get(app.url(f"/api/documenti/fattura/{invoice_84963}.pdf")).status == 404
    visit(page, app, "/contratti/piano?numero=84963")
    expect(page.locator("#plan-not-found")).to_be_visible()


def test_fleet_export_of_every_plan_shows_progress_and_stays_responsive(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox, "50001")
    visit(page, app, "/contratti")
    expected = db_rows(
        app, "select count(*) from schedule_line s join customer c on c.id = s.customer_id where c.code = '50001'"
    )[0][0]
    assert expected > 25_000
    with page.expect_download(timeout=300_000) as info:
        page.locator("#export-all-plans").click()
        expect(page.locator("#export-progress")).to_contain_text("righe", timeout=20_000)
        # the page still answers while the file is written
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", name="Contracts")).to_be_visible()
        expect(page.locator("#export-progress")).to_contain_text("rows")
    sheet = load_workbook(_saved(info.value), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(min_row=2, values_only=True)) == expected


def test_fleet_customer_finds_a_contract_by_typing_part_of_its_number(new_page, app, mailbox):
    """500 contracts: the select lists 20, and what the customer types finds the others."""
    page = signed_in_page(new_page, app, mailbox, "50001")
    visit(page, app, "/contratti")
    total = db_rows(
        app, "select count(*) from contract c join customer k on k.id = c.customer_id where k.code = '50001'"
    )
    options = page.locator("#contract-select option")
    expect(options).to_have_count(20)
    note = page.locator("#contract-search-note")
    expect(note).to_have_text(
        f"20 contratti trovati su {total[0][0]}: scrivi parte del numero o del prodotto per trovare gli altri."
    )
    shown = page.locator("#contract-select").input_value()
    page.get_by_label("Cerca un contratto").fill("60012")
    wanted = sorted({f"60012{digit}" for digit in range(10)} | {shown})
    expect(options).to_have_count(len(wanted))
    assert sorted(options.evaluate_all("options => options.map(o => o.value)")) == wanted
    expect(note).to_have_text(
        f"10 contratti trovati su {total[0][0]}: scrivi parte del numero o del prodotto per trovare gli altri."
    )
    page.locator("#contract-select").select_option("600125")
    page.wait_for_url(app.url("/contratti?numero=600125"))
    expect(page.locator("#contract-title")).to_contain_text("600125")
