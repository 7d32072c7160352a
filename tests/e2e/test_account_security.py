"""Issue 11 in Chromium: a registration for a customer without an address on file becomes a request
the service desk verifies and invites; a locked account is told by e-mail, the unlock form only
mails a link, and the link unlocks."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from portal.seed.demo import DEMO_PASSWORD
from tests.e2e.conftest import address_of, db_rows, login, max_id, submit_password, visit, wait_ready

RECEIVED = "Richiesta ricevuta."
TYPED = "forni.gallo@pec.esempio-demo.it"


def _link(mailbox, message) -> str:
    return re.search(r"(http://\S+/reimposta-password\?token=\S+)", mailbox.text(message)).group(1)


def _contract_of(app, code: str) -> tuple[str, str, str]:
    [(number, module, vat)] = db_rows(
        app,
        "select k.number, k.module_number, coalesce(c.partita_iva, c.codice_fiscale) from contract k "
        "join customer c on c.id = k.customer_id where c.code = :code order by k.id limit 1",
        code=code,
    )
    return number, module, vat


def _fill_identity(page, number: str, module: str, tax_code: str) -> None:
    page.get_by_label("Numero di contratto").fill(number)
    page.get_by_label("Numero modulo").fill(module)
    page.get_by_label("Codice fiscale o partita IVA").fill(tax_code)


def test_a_registration_without_an_address_on_file_goes_to_the_desk(new_page, app, mailbox, tidy):
    tidy.keep_rows("customer", "code = '41250'")
    tidy.drop_new_accounts()
    tidy.drop_new("registration_request")
    with app.engine.begin() as connection:  # the bakery's PEC was never recorded
        connection.exec_driver_sql("update customer set pec = null, email = null where code = '41250'")
    requests, mails = max_id(app, "registration_request"), max_id(app, "mail_message")
    number, module, vat = _contract_of(app, "41250")

    page = new_page()
    visit(page, app, "/registrazione")
    _fill_identity(page, number, module, vat)
    page.get_by_label("Indirizzo e-mail").fill(TYPED)
    page.locator("#registration-submit").click()
    expect(page.locator("#registration-done")).to_contain_text(RECEIVED)
    # no account and no credentials: a request for the desk, with the address as typed
    assert db_rows(app, "select count(*) from user_account where username = '41250'") == [(0,)]
    assert db_rows(app, "select count(*) from mail_message where id > :m", m=mails) == [(0,)]
    assert db_rows(
        app,
        "select r.email, r.handled_at from registration_request r join customer c on c.id = r.customer_id "
        "where r.id > :m and c.code = '41250'",
        m=requests,
    ) == [(TYPED, None)]

    # the desk sees it, verifies the address (by phone, the contract file) and invites there
    operator = new_page()
    login(operator, app, "servicedesk", DEMO_PASSWORD, mailbox)
    operator.get_by_role("navigation").get_by_role("link", name="Clienti").click()
    row = operator.locator(".customer-row[data-code='41250']")
    expect(row).to_contain_text("Registrazione richiesta")
    expect(row).to_contain_text(f"Indirizzo indicato (da verificare): {TYPED}")
    since = mailbox.mark()
    row.get_by_role("button", name="Verificato: invita Panificio Gallo S.n.c.").click()
    expect(row).to_contain_text("Invitato il")
    invitation = mailbox.wait_for(TYPED, "Credenziali di accesso", since)
    assert "Username: 41250" in mailbox.text(invitation)
    assert db_rows(app, "select pec from customer where code = '41250'") == [(TYPED,)]
    assert db_rows(
        app, "select outcome from registration_request where id > :m and handled_at is not null", m=requests
    ) == [("invited",)]


def test_a_locked_account_is_told_and_only_the_mailed_link_unlocks(new_page, app, mailbox, tidy):
    tidy.keep_account("20417")  # a private person, who reads the portal's mails in English
    tidy.drop_new("password_reset_token")
    address = address_of(app, "20417")
    number, module, tax_code = "88120", "1", "BNCLSN80A01F205T"
    page = new_page()
    since = mailbox.mark()
    for attempt in range(3):
        submit_password(page, app, "20417", f"sbagliata {attempt}")
        expect(page.locator("#login-error")).to_contain_text("Username o password non corretti.")
    notice = mailbox.wait_for(address, "Access locked", since)
    assert "three attempts with a wrong password" in mailbox.text(notice)

    visit(page, app, "/login-bloccata?utente=20417")
    _fill_identity(page, number, module, tax_code)
    since = mailbox.mark()
    page.locator("#unlock-submit").click()
    expect(page.locator("#unlock-done")).to_contain_text("link per sbloccare l'accesso")
    message = mailbox.wait_for(address, "Unlocking your access", since)
    # the form alone unlocked nothing
    assert db_rows(
        app, "select locked_at is not null, failed_login_count from user_account where username = '20417'"
    ) == [(1, 3)]
    submit_password(page, app, "20417", DEMO_PASSWORD)
    expect(page.locator("#login-error")).to_contain_text("bloccato")

    link = _link(mailbox, message)
    page.goto(link)
    wait_ready(page)
    page.locator("#reset-unlock-only").click()
    expect(page.locator("#reset-done")).to_contain_text("Accesso sbloccato.")
    assert db_rows(app, "select locked_at, failed_login_count from user_account where username = '20417'") == [
        (None, 0)
    ]
    # the link is spent; the old password opens the account again, with the code
    again = new_page()
    again.goto(link)
    wait_ready(again)
    expect(again.locator("#reset-invalid")).to_be_visible()
    login(page, app, "20417", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
