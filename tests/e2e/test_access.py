"""Access and accounts in Chromium, reading codes, passwords and links from the real mail path
(the app sends by SMTP to a server in this test process)."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.pages.profile import ProfileState
from portal.seed.demo import DEMO_PASSWORD
from tests.e2e.conftest import visit, wait_ready, address_of, dispatch_event, login, submit_password

NEW_PASSWORD = "una casa sul lago di Garda"


def _scalar(app, sql: str, **params):
    with app.engine.connect() as connection:
        return connection.execute(sa.text(sql), params).scalar()


def _execute(app, sql: str, **params) -> None:
    with app.engine.begin() as connection:
        connection.execute(sa.text(sql), params)


def _temporary_password(mailbox, message) -> str:
    return re.search(r"(?:Password temporanea|Temporary password): (\S+)", mailbox.text(message)).group(1)


def _link(mailbox, message) -> str:
    return re.search(r"(http://\S+/reimposta-password\?token=\S+)", mailbox.text(message)).group(1)


def _choose_definitive_password(page) -> None:
    expect(page.get_by_role("heading", name="Scegli la password definitiva")).to_be_visible()
    page.get_by_label("Nuova password", exact=True).fill("password123456")
    page.get_by_label("Conferma la nuova password").fill("password123456")
    page.locator("#new-password-submit").click()
    expect(page.locator("#login-new-password-error")).to_contain_text("troppo comune")
    page.get_by_label("Nuova password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Conferma la nuova password").fill(NEW_PASSWORD)
    page.locator("#new-password-submit").click()


def test_operator_invitation_and_first_login(new_page, app, mailbox):
    operator = new_page()
    login(operator, app, "servicedesk", DEMO_PASSWORD, mailbox)
    operator.get_by_role("navigation").get_by_role("link", name="Clienti").click()
    row = operator.locator(".customer-row[data-code='41250']")
    expect(row).to_contain_text("Nessun accesso")
    since = mailbox.mark()
    row.get_by_role("button", name="Panificio Gallo S.n.c.").click()
    expect(row).to_contain_text("Invitato il")
    invitation = mailbox.wait_for("panificio.gallo@pec.gallo-demo.it", "Credenziali di accesso", since)
    assert "Username: 41250" in mailbox.text(invitation)

    customer = new_page()
    since = mailbox.mark()
    submit_password(customer, app, "41250", _temporary_password(mailbox, invitation))
    customer.locator("#login-code").fill(mailbox.code("panificio.gallo@pec.gallo-demo.it", since))
    customer.locator("#code-submit").click()
    _choose_definitive_password(customer)
    customer.wait_for_url(app.url("/"))
    expect(customer.locator("#home-contracts")).to_contain_text("95540")
    assert _scalar(app, "select must_change_password from user_account where username='41250'") in (0, False)


def test_self_registration(new_page, app, mailbox):
    page = new_page()
    visit(page, app, "/login")
    page.get_by_role("link", name="Non sei registrato? Registrati").click()
    page.wait_for_url("**/registrazione**")
    wait_ready(page)
    page.get_by_label("Numero di contratto").fill("93015")
    page.get_by_label("Numero modulo").fill("2")
    page.get_by_label("Codice fiscale o partita IVA").fill("05527480154")
    page.get_by_label("Indirizzo e-mail").fill("studio@gmail.com")
    page.locator("#registration-submit").click()
    expect(page.locator("#reg-tax-code-error")).to_contain_text("non è valido")
    page.get_by_label("Codice fiscale o partita IVA").fill("05527480155")
    page.locator("#registration-submit").click()
    expect(page.locator("#reg-email-error")).to_have_text("Per le società è obbligatorio un indirizzo PEC.")
    since = mailbox.mark()
    page.get_by_label("Indirizzo e-mail").fill("studio.mariani@pec.mariani-demo.it")
    page.locator("#registration-submit").click()
    expect(page.locator("#registration-done")).to_contain_text("Il tuo username è 30882")
    message = mailbox.wait_for("studio.mariani@pec.mariani-demo.it", "Credenziali", since)
    # registering again within the hour is refused
    visit(page, app, "/registrazione")
    page.get_by_label("Numero di contratto").fill("93015")
    page.get_by_label("Numero modulo").fill("2")
    page.get_by_label("Codice fiscale o partita IVA").fill("05527480155")
    page.get_by_label("Indirizzo e-mail").fill("studio.mariani@pec.mariani-demo.it")
    page.locator("#registration-submit").click()
    expect(page.locator("#registration-error")).to_contain_text("60 minuti")

    since = mailbox.mark()
    submit_password(page, app, "30882", _temporary_password(mailbox, message))
    page.locator("#login-code").fill(mailbox.code("studio.mariani@pec.mariani-demo.it", since))
    page.locator("#code-submit").click()
    _choose_definitive_password(page)
    page.wait_for_url(app.url("/"))
    expect(page.locator("#home-contracts")).to_contain_text("93015")


def test_code_single_use_expiry_attempts_and_resend(new_page, app, mailbox):
    address = address_of(app, "10093")
    page = new_page()
    since = mailbox.mark()
    submit_password(page, app, "10093", DEMO_PASSWORD)
    first_code = mailbox.code(address, since)
    page.locator("#code-resend").click()
    expect(page.locator("#login-code-error")).to_contain_text("Potrai chiedere un nuovo codice tra")
    page.locator("#login-code").fill(first_code)
    page.locator("#code-submit").click()
    page.wait_for_url(app.url("/"))

    # the used code never works again, not even in a new login
    other = new_page()
    since = mailbox.mark()
    submit_password(other, app, "10093", DEMO_PASSWORD)
    fresh_code = mailbox.code(address, since)
    if fresh_code != first_code:
        other.locator("#login-code").fill(first_code)
        other.locator("#code-submit").click()
        expect(other.locator("#login-code-error")).to_have_text("Codice non corretto. Tentativi rimasti: 4.")
    # an expired code never works: move this login's code five minutes into the past
    _execute(app, "update login_challenge set code_expires_at = :past where code_hash is not null",
             past=(dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f"))
    other.locator("#login-code").fill(fresh_code)
    other.locator("#code-submit").click()
    expect(other.locator("#login-code-error")).to_have_text("Il codice è scaduto: chiedine uno nuovo.")

    # five wrong codes end the login
    third = new_page()
    since = mailbox.mark()
    submit_password(third, app, "10093", DEMO_PASSWORD)
    right = mailbox.code(address, since)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        third.locator("#login-code").fill(wrong)
        third.locator("#code-submit").click()
        third.wait_for_timeout(300)
    expect(third.locator("#login-error")).to_have_text("Troppi codici errati: accedi di nuovo.")
    expect(third.locator("#login-username")).to_be_visible()


def test_lockout_unlock_and_single_use_link(new_page, app, mailbox):
    page = new_page()
    for attempt in range(3):
        submit_password(page, app, "20417", f"sbagliata numero {attempt}")
        expect(page.locator("#login-error")).to_contain_text("Username o password non corretti.")
    submit_password(page, app, "20417", DEMO_PASSWORD)
    expect(page.locator("#login-error")).to_contain_text("bloccato")
    assert _scalar(app, "select count(*) from audit_event where action = 'account.locked'") >= 1

    visit(page, app, "/login")
    page.get_by_role("link", name="Login bloccata / password dimenticata").click()
    page.wait_for_url("**/login-bloccata**")
    wait_ready(page)
    page.get_by_label("Numero di contratto").fill("88120")
    page.get_by_label("Numero modulo").fill("1")
    page.get_by_label("Codice fiscale o partita IVA").fill("BNCLSN80A01F205T")
    since = mailbox.mark()
    page.locator("#unlock-submit").click()
    expect(page.locator("#unlock-done")).to_be_visible()
    link = _link(mailbox, mailbox.wait_for(address_of(app, "20417"), "unlocked", since))

    page.goto(link)
    wait_ready(page)
    wait_ready(page)
    page.get_by_label("Nuova password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Conferma la nuova password").fill(NEW_PASSWORD)
    page.locator("#reset-submit").click()
    expect(page.locator("#reset-done")).to_be_visible()
    # the same link a second time: refused
    again = new_page()
    again.goto(link)
    wait_ready(again)
    wait_ready(again)
    expect(again.locator("#reset-invalid")).to_be_visible()
    # the new password still needs the code
    login(page, app, "20417", NEW_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    _execute(app, "update user_account set password_hash = (select password_hash from user_account where username='10093') where username='20417'")


def test_forgot_password_does_not_reveal_accounts(new_page, app, mailbox):
    page = new_page()
    visit(page, app, "/password-dimenticata")
    page.get_by_label("Indirizzo e-mail (PEC)").fill("nessuno@example.org")
    page.locator("#forgot-submit").click()
    unknown = page.locator("#forgot-done").inner_text()
    since = mailbox.mark()
    visit(page, app, "/password-dimenticata")
    page.get_by_label("Indirizzo e-mail (PEC)").fill(address_of(app, "10093.1"))
    page.locator("#forgot-submit").click()
    assert page.locator("#forgot-done").inner_text() == unknown
    message = mailbox.wait_for(address_of(app, "10093.1"), "Reimpostazione", since)
    assert all(m["To"] != "nessuno@example.org" for m in mailbox.messages)
    page.goto(_link(mailbox, message))
    wait_ready(page)
    expect(page.locator("#reset-password")).to_be_visible()


def test_authenticator_app_and_replay(new_page, app, mailbox):
    page = new_page()
    login(page, app, "10093", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    page.locator("#header-initials").click()
    page.locator("#totp-start").click()
    qr = page.locator("#totp-qr")
    expect(qr).to_be_visible()
    page.wait_for_function("() => document.querySelector('#totp-qr').naturalWidth > 0")
    secret = _scalar(app, "select totp_pending_secret from user_account where username='10093'")
    page.get_by_label("Codice dall'app").fill(pyotp.TOTP(secret).now())
    page.locator("#totp-confirm").click()
    expect(page.locator("#totp-status")).to_be_visible()

    second = new_page()
    since = mailbox.mark()
    submit_password(second, app, "10093", DEMO_PASSWORD)
    expect(second.get_by_text("app di autenticazione")).to_be_visible()
    # the enrolment used this time-step's code; the app shows the next one a moment later
    code = pyotp.TOTP(secret).at(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30))
    second.locator("#login-code").fill(code)
    second.locator("#code-submit").click()
    second.wait_for_url(app.url("/"))
    assert mailbox.mark() == since, "no e-mail code when the app is used"
    # the same code again, in another login: refused as a replay
    third = new_page()
    submit_password(third, app, "10093", DEMO_PASSWORD)
    third.locator("#login-code").fill(code)
    third.locator("#code-submit").click()
    expect(third.locator("#login-code-error")).to_contain_text("Codice non corretto")
    _execute(app, "update user_account set totp_secret = null, totp_last_step = null where username='10093'")


def test_profile_settings_and_sub_users(new_page, app, mailbox):
    page = new_page()
    login(page, app, "10093", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    visit(page, app, "/profilo")
    expect(page.locator("#profile-denominazione")).to_have_text("Odontoiatrica Valverde S.r.l.")
    expect(page.locator("#profile-primary-email-hint")).to_contain_text("modifica solo le e-mail del portale")
    page.get_by_label("E-mail secondaria").fill("laura@valverde-demo.it")
    page.get_by_label("Ricevi anche le fatture cartacee per posta").check()
    page.get_by_role("combobox", name="Lingua").select_option("en")
    page.locator("#profile-save").click()
    expect(page.get_by_role("heading", name="User profile")).to_be_visible()
    assert _scalar(app, "select language from user_account where username='10093'") == "en"
    assert _scalar(app, "select paper_invoices from customer where code='10093'") in (1, True)
    assert _scalar(app, "select secondary_email from user_account where username='10093'") == "laura@valverde-demo.it"
    page.get_by_role("combobox", name="Language").select_option("it")
    page.locator("#profile-save").click()
    expect(page.get_by_role("heading", name="Profilo utente")).to_be_visible()

    # add a sub-user: wrong input first, then right
    page.locator("#subuser-add").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Cognome").fill("Neri")
    dialog.get_by_role("textbox", name="E-mail principale").fill("non-valida")
    dialog.locator("#subuser-save").click()
    expect(dialog.locator("#subuser-first-name-error")).to_have_text("Il nome è obbligatorio.")
    expect(dialog.locator("#subuser-primary-email-error")).to_have_text("L'indirizzo e-mail non è valido.")
    dialog.get_by_role("textbox", name="Nome", exact=True).fill("Giulia")
    dialog.get_by_role("textbox", name="E-mail principale").fill("giulia.neri@valverde-demo.it")
    expect(dialog.get_by_label("Username padre")).to_have_value("10093")
    dialog.get_by_label("Vede tutti i contratti").click()
    dialog.get_by_label("84963 – Leasing strumentale").click()
    since = mailbox.mark()
    dialog.locator("#subuser-save").click()
    expect(dialog).to_be_hidden()
    row = page.locator(".subuser-row", has_text="Giulia")
    expect(row).to_contain_text("10093.2")
    expect(row).to_contain_text("84963")
    invitation = mailbox.wait_for("giulia.neri@valverde-demo.it", "Credenziali", since)
    assert "10093.2" in mailbox.text(invitation)

    # edit it
    row.get_by_role("button", name="Modifica 10093.2").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("textbox", name="Nome", exact=True)).to_have_value("Giulia")
    dialog.get_by_role("textbox", name="Cognome").fill("Neri Bassi")
    dialog.locator("#subuser-save").click()
    expect(page.locator(".subuser-row", has_text="Neri Bassi")).to_be_visible()

    # delete it, after the confirmation
    page.locator(".subuser-row", has_text="Neri Bassi").get_by_role("button", name="Elimina 10093.2").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Sicuro di voler eliminare gli elementi selezionati?")
    confirm.get_by_role("button", name="Conferma").click()
    expect(page.locator(".subuser-row", has_text="Neri Bassi")).to_have_count(0)
    assert _scalar(app, "select is_active from user_account where username='10093.2'") in (0, False)


def test_sub_user_cannot_manage_sub_users_even_calling_the_event(new_page, app, mailbox):
    page = new_page()
    login(page, app, "10093.1", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    expect(page.locator("#home-contracts")).not_to_contain_text("84963")  # only the vehicles
    visit(page, app, "/profilo")
    expect(page.locator("#profile-username")).to_have_text("10093.1")
    expect(page.get_by_role("heading", name="Sotto utenti")).to_have_count(0)
    expect(page.locator("#subuser-add")).to_have_count(0)

    before = _scalar(app, "select count(*) from user_account where parent_id is not null")
    state = ProfileState.get_full_name()
    dispatch_event(page, f"{state}.open_new_sub_user")
    dispatch_event(page, f"{state}.save_sub_user", {"form_data": {"first_name": "Intruso", "last_name": "Rossi",
                                                                  "primary_email": "intruso@example.org"}})
    page.get_by_role("button", name="English").click()  # any event: the queued ones go first
    expect(page.get_by_text("Operazione non consentita.").first).to_be_visible()  # sent before the switch
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_role("button", name="Italiano").click()
    assert _scalar(app, "select count(*) from user_account where parent_id is not null") == before
    assert _scalar(app, "select count(*) from user_account where first_name = 'Intruso'") == 0
