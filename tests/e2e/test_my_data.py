"""The customer's own data (issue 15), in the browser: the main account asks for the copy of its
data, the app's job builds it (the in-app loop with SQLite), the e-mail brings the link, the zip
downloads by a click and holds the database's figures; the same link is refused to another account
of the same customer; the access log shows the sign-in just made with its device; axe on both pages."""

from __future__ import annotations

import io
import json
import re
import zipfile
from decimal import Decimal

from playwright.sync_api import expect

from tests.e2e.conftest import address_of, db_rows, download, max_id, signed_in_page, submit_password, visit
from tests.e2e.test_accessibility import assert_accessible

MY_DATA = "/profilo/i-miei-dati"
ACCESS_LOG = "/profilo/registro-accessi"


def test_a_customer_downloads_the_copy_of_its_data_and_sees_its_sign_ins(app, new_page, mailbox, tidy):
    tidy.drop_new("notification_read", "notification", "data_export")
    exports_before = max_id(app, "data_export")
    # a wrong password first: the log must show the failed attempt just before this sign-in
    stranger = new_page()
    submit_password(stranger, app, "10093", "Not-The-Password-1")
    expect(stranger.locator("#login-error")).to_be_visible()
    page = signed_in_page(new_page, app, mailbox, "10093")

    # from the profile to the page, as the user goes there
    visit(page, app, "/profilo")
    page.locator("#profile-my-data").click()
    page.wait_for_url(app.url(MY_DATA))
    expect(page.locator("#mydata-state")).to_have_attribute("data-status", "none")
    assert_accessible(page, "I miei dati")

    since = mailbox.mark()
    page.locator("#mydata-ask").click()
    expect(page.locator("#mydata-message")).to_contain_text("Richiesta ricevuta")
    # the job builds it; the page updates by itself: wait on the visible "Pronto"
    expect(page.locator("#mydata-state")).to_have_attribute("data-status", "ready", timeout=30_000)
    expect(page.locator("#mydata-state")).to_contain_text("Pronto")
    [(export_id, code, status, user_id)] = db_rows(
        app,
        "select e.id, e.code, e.status, e.user_id from data_export e where e.id > :m",
        m=exports_before,
    )
    [(owner_id, customer_id)] = db_rows(app, "select id, customer_id from user_account where username = '10093'")
    assert (status, user_id) == ("ready", owner_id)
    assert_accessible(page, "I miei dati, pronto")

    # a second ask once it is ready makes a new one; while one is building, asking changes nothing
    # (tests/unit/privacy): here the button is simply there again
    expect(page.locator("#mydata-ask")).to_be_enabled()

    # the e-mail with the link, to the account's address
    mail = mailbox.wait_for(address_of(app, "10093"), "I tuoi dati sono pronti", since, timeout=30)
    link = re.search(r"(http://\S+/api/miei-dati/\S+\.zip)", mailbox.text(mail)).group(1)
    assert link == app.url(f"/api/miei-dati/{code}.zip")
    assert page.locator("#mydata-download").get_attribute("href") == f"/api/miei-dati/{code}.zip"

    # the bell tells it too
    [(title,)] = db_rows(
        app, "select title from notification where user_id = :u and kind = 'data_export' and id > 0", u=owner_id
    )
    assert title == "I tuoi dati sono pronti"

    name, body = download(page, lambda: page.locator("#mydata-download").click())
    assert name.startswith("miei-dati-") and name.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(body))
    contracts = json.loads(archive.read("contracts.json"))
    expected_contracts = db_rows(app, "select number from contract where customer_id = :c order by id", c=customer_id)
    assert [c["number"] for c in contracts] == [row[0] for row in expected_contracts]
    invoices = json.loads(archive.read("invoices.json"))
    [(count, total)] = db_rows(
        app,
        "select count(*), coalesce(sum(total), 0) from invoice where customer_id = :c and published_at <= "
        "(select ready_at from data_export where id = :e)",
        c=customer_id,
        e=export_id,
    )
    assert len(invoices) == count
    assert sum(Decimal(i["total"]) for i in invoices) == Decimal(str(total)).quantize(Decimal("0.01"))
    users = json.loads(archive.read("users.json"))
    assert [u["username"] for u in users] == ["10093", "10093.1"]
    assert "password_hash" not in users[0]
    log = json.loads(archive.read("access_log.json"))
    assert log[-1]["event"] == "login.success" and log[-1]["user_id"] == owner_id  # the sign-in just made
    assert "csv" in {n.rsplit(".", 1)[1] for n in archive.namelist()}

    # another account of the same customer, signed in, opens the link: the answer of a missing file
    colleague = signed_in_page(new_page, app, mailbox, "10093.1")
    refused = colleague.request.get(link)
    missing = colleague.request.get(app.url("/api/miei-dati/no-such-export.zip"))
    assert (refused.status, refused.body()) == (missing.status, missing.body()) == (404, b"")
    assert page.request.get(link).status == 200  # the control: the requester's own session may
    # the link opened without a session: the login page, then "I miei dati" (the same for any link)
    for url in (link, app.url("/api/miei-dati/no-such-export.zip")):
        anonymous = new_page().request.get(url, max_redirects=0)
        assert anonymous.status == 303 and anonymous.headers["location"] == "/login?next=%2Fprofilo%2Fi-miei-dati"
    assert db_rows(app, "select status from data_export where id = :e", e=export_id) == [("ready",)]

    # the access log: the sign-in just made, with its device, marked as this session
    visit(page, app, "/profilo")
    page.locator("#profile-access-log").click()
    page.wait_for_url(app.url(ACCESS_LOG))
    newest = page.locator("#access-log-table tbody tr").first
    expect(newest).to_have_attribute("data-current", "1")
    expect(newest).to_contain_text("questa sessione")
    expect(newest).to_contain_text("Riuscito")
    [(agent,)] = db_rows(
        app,
        "select user_agent from audit_event where user_id = :u and action = 'login.success' order by id desc limit 1",
        u=owner_id,
    )
    assert "Chrome" in agent
    expect(newest).to_contain_text("Chrome")
    expect(newest).to_contain_text("Rete privata/locale (127.0.0.1)")
    # the failed attempt made above comes right after this session's sign-in
    attempt = page.locator("#access-log-table tbody tr").nth(1)
    expect(attempt).to_contain_text("Password errata")
    expect(attempt).to_contain_text("Chrome")
    assert_accessible(page, "Registro accessi")
