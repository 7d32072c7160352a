"""Access and accounts in Chromium, reading codes, passwords and links from the real mail path
(the app sends by SMTP to a server in this test process)."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import sqlalchemy as sa
from lxml import etree
from playwright.sync_api import expect

from portal.pages.profile import SubUsersState
from portal.seed.demo import DEMO_PASSWORD
from tests.e2e.conftest import (
    address_of,
    confirm_identity,
    db_rows,
    dispatch_event,
    login,
    max_id,
    signed_in_page,
    submit_password,
    visit,
    wait_ready,
)

NEW_PASSWORD = "una casa sul lago di Garda"
WRONG_CREDENTIALS = "Username o password non corretti."
TO_LOGIN = re.compile(r"/login/?\?next=%2Fcontratti$")


def _scalar(app, sql: str, **params):
    with app.engine.connect() as connection:
        return connection.execute(sa.text(sql), params).scalar()


def _temporary_password(mailbox, message) -> str:
    return re.search(r"(?:Password temporanea|Temporary password): (\S+)", mailbox.text(message)).group(1)


def _link(mailbox, message) -> str:
    return re.search(r"(http://\S+/reimposta-password\?token=\S+)", mailbox.text(message)).group(1)


def _start_authenticator(page, app, mailbox) -> str:
    """Start the authenticator app in Profilo and read its key from the QR image the page shows:
    the picture carries the key as text too, for whoever types it by hand."""
    page.locator("#totp-start").click()  # issue 11: first the password and a code again
    confirm_identity(page, app, mailbox)
    with page.expect_response(lambda response: "/api/totp/qr.svg" in response.url) as shown:
        page.locator("#totp-start").click()
    image = shown.value
    assert (image.status, image.headers["content-type"]) == (200, "image/svg+xml")
    expect(page.locator("#totp-qr")).to_be_visible()
    page.wait_for_function("() => document.querySelector('#totp-qr').naturalWidth > 0")  # the browser drew it
    lines = [text.text for text in etree.fromstring(image.body()).iter("{http://www.w3.org/2000/svg}text")]
    assert len(lines) == 2 and all(len(group) == 4 for line in lines for group in line.split())
    return "".join("".join(lines).split())


def _totp_secret(app, username: str):
    return db_rows(app, "select totp_secret from user_account where username = :u", u=username)[0][0]


def _choose_definitive_password(page) -> None:
    expect(page.get_by_role("heading", name="Scegli la password definitiva")).to_be_visible()
    page.get_by_label("Nuova password", exact=True).fill("password123456")
    page.get_by_label("Conferma la nuova password").fill("password123456")
    page.locator("#new-password-submit").click()
    expect(page.locator("#login-new-password-error")).to_contain_text("troppo comune")
    page.get_by_label("Nuova password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Conferma la nuova password").fill(NEW_PASSWORD)
    page.locator("#new-password-submit").click()


def test_operator_invitation_and_first_login(new_page, app, mailbox, tidy):
    tidy.drop_new_accounts()
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
    assert _scalar(app, "select must_change_password from user_account where username='41250'") == 0


def test_self_registration(new_page, app, mailbox, tidy):
    tidy.drop_new_accounts()
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
    # issue 11: the typed address (not a PEC) is no longer judged: the password goes to the PEC on file
    since = mailbox.mark()
    page.get_by_label("Codice fiscale o partita IVA").fill("05527480155")
    page.locator("#registration-submit").click()
    expect(page.locator("#registration-done")).to_contain_text("Richiesta ricevuta.")
    message = mailbox.wait_for("studio.mariani@pec.mariani-demo.it", "Credenziali", since)
    # registering again within the hour: the same answer, and no second password
    visit(page, app, "/registrazione")
    page.get_by_label("Numero di contratto").fill("93015")
    page.get_by_label("Numero modulo").fill("2")
    page.get_by_label("Codice fiscale o partita IVA").fill("05527480155")
    page.get_by_label("Indirizzo e-mail").fill("studio.mariani@pec.mariani-demo.it")
    page.locator("#registration-submit").click()
    expect(page.locator("#registration-done")).to_contain_text("Richiesta ricevuta.")
    assert (
        _scalar(
            app,
            "select count(*) from mail_message where to_address = 'studio.mariani@pec.mariani-demo.it' "
            "and kind = 'temporary_password.registration'",
        )
        == 1
    )

    since = mailbox.mark()
    submit_password(page, app, "30882", _temporary_password(mailbox, message))
    page.locator("#login-code").fill(mailbox.code("studio.mariani@pec.mariani-demo.it", since))
    page.locator("#code-submit").click()
    _choose_definitive_password(page)
    page.wait_for_url(app.url("/"))
    expect(page.locator("#home-contracts")).to_contain_text("93015")


def _waiting_for_a_code(new_page, app, mailbox, address: str, unlike: str):
    """A login waiting for its mailed code, one that differs from `unlike` (equal by chance once in a million)."""
    while True:
        page = new_page()
        since = mailbox.mark()
        submit_password(page, app, "10093", DEMO_PASSWORD)
        code = mailbox.code(address, since)
        if code != unlike:
            return page, code


def test_code_single_use_expiry_attempts_and_resend(new_page, app, mailbox, tidy):
    tidy.keep_account("10093")  # issue 11: the account's count of wrong codes goes back as it was
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
    challenges = max_id(app, "login_challenge")
    other, fresh_code = _waiting_for_a_code(new_page, app, mailbox, address, unlike=first_code)
    other.locator("#login-code").fill(first_code)
    other.locator("#code-submit").click()
    expect(other.locator("#login-code-error")).to_have_text("Codice non corretto. Tentativi rimasti: 4.")
    # an expired code never works: move this login's code into the past
    with app.engine.begin() as connection:
        moved = connection.execute(
            sa.text(
                "update login_challenge set code_expires_at = :past where id = (select max(id) from login_challenge "
                "where id > :mark and user_id = (select id from user_account where username = '10093'))"
            ),
            {
                "past": (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f"),
                "mark": challenges,
            },
        ).rowcount
    assert moved == 1
    other.locator("#login-code").fill(fresh_code)
    other.locator("#code-submit").click()
    expect(other.locator("#login-code-error")).to_have_text("Il codice è scaduto: chiedine uno nuovo.")

    # five wrong codes end the login. Issue 11: the account's wrong codes also count across logins
    # (one so far, above); from the third on each imposes a growing wait, which the test moves into
    # the past as it does the code's expiry.
    third = new_page()
    since = mailbox.mark()
    submit_password(third, app, "10093", DEMO_PASSWORD)
    right = mailbox.code(address, since)
    wrong = "000000" if right != "000000" else "111111"
    waits = {4: 0, 3: 30, 2: 60, 1: 120}  # the account's 2nd, 3rd, 4th and 5th wrong code
    for left, wait in waits.items():
        third.locator("#login-code").fill(wrong)
        third.locator("#code-submit").click()
        later = f" Troppi codici errati: potrai inserire il prossimo tra {wait} secondi." if wait else ""
        expect(third.locator("#login-code-error")).to_have_text(
            f"Codice non corretto. Tentativi rimasti: {left}.{later}"
        )
        with app.engine.begin() as connection:
            connection.execute(
                sa.text("update user_account set second_factor_blocked_until = null where username = '10093'")
            )
    third.locator("#login-code").fill(wrong)
    third.locator("#code-submit").click()
    expect(third.locator("#login-error")).to_have_text("Troppi codici errati: accedi di nuovo.")
    expect(third.locator("#login-username")).to_be_visible()


def test_lockout_unlock_and_single_use_link(new_page, app, mailbox, tidy):
    tidy.keep_account("20417")
    tidy.drop_new("password_reset_token")
    audit_mark = max_id(app, "audit_event")
    page = new_page()
    for attempt in range(3):
        submit_password(page, app, "20417", f"sbagliata numero {attempt}")
        expect(page.locator("#login-error")).to_contain_text(WRONG_CREDENTIALS)
    submit_password(page, app, "20417", DEMO_PASSWORD)
    expect(page.locator("#login-error")).to_contain_text("bloccato")
    assert db_rows(
        app,
        "select a.action from audit_event a join user_account u on u.id = a.user_id "
        "where a.id > :m and u.username = '20417' and a.action = 'account.locked'",
        m=audit_mark,
    ) == [("account.locked",)]
    assert _scalar(app, "select locked_at is not null from user_account where username = '20417'") == 1

    visit(page, app, "/login")
    page.get_by_role("link", name="Login bloccata / password dimenticata").click()
    page.wait_for_url("**/login-bloccata**")
    wait_ready(page)
    expect(page.get_by_label("Username")).to_have_value("20417")  # the login page passes on who is locked
    page.get_by_label("Numero di contratto").fill("88120")
    page.get_by_label("Numero modulo").fill("1")
    page.get_by_label("Codice fiscale o partita IVA").fill("BNCLSN80A01F205T")
    since = mailbox.mark()
    page.locator("#unlock-submit").click()
    expect(page.locator("#unlock-done")).to_be_visible()
    link = _link(mailbox, mailbox.wait_for(address_of(app, "20417"), "Unlocking your access", since))

    page.goto(link)
    wait_ready(page)
    page.get_by_label("Nuova password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Conferma la nuova password").fill(NEW_PASSWORD)
    page.locator("#reset-submit").click()
    expect(page.locator("#reset-done")).to_be_visible()
    # the same link a second time: refused
    again = new_page()
    again.goto(link)
    wait_ready(again)
    expect(again.locator("#reset-invalid")).to_be_visible()
    assert db_rows(app, "select locked_at, failed_login_count from user_account where username = '20417'") == [
        (None, 0)
    ]
    # the new password still needs the code
    login(page, app, "20417", NEW_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))


def test_forgot_password_does_not_reveal_accounts(new_page, app, mailbox, tidy):
    tidy.drop_new("password_reset_token")
    tokens = max_id(app, "password_reset_token")
    page = new_page()
    visit(page, app, "/password-dimenticata")
    before_unknown = mailbox.mark()
    page.get_by_label("Indirizzo e-mail (PEC)").fill("nessuno@example.org")
    page.locator("#forgot-submit").click()
    unknown = page.locator("#forgot-done").inner_text()
    assert db_rows(app, "select count(*) from password_reset_token where id > :m", m=tokens) == [(0,)]
    since = mailbox.mark()
    visit(page, app, "/password-dimenticata")
    page.get_by_label("Indirizzo e-mail (PEC)").fill(address_of(app, "10093.1"))
    page.locator("#forgot-submit").click()
    assert page.locator("#forgot-done").inner_text() == unknown
    message = mailbox.wait_for(address_of(app, "10093.1"), "Reimpostazione", since)
    assert [m["To"] for m in mailbox.messages[before_unknown:] if m["To"] == "nessuno@example.org"] == []
    page.goto(_link(mailbox, message))
    wait_ready(page)
    expect(page.locator("#reset-password")).to_be_visible()


def test_authenticator_app_and_replay(new_page, app, mailbox, tidy):
    tidy.keep_account("10093")
    page = new_page()
    login(page, app, "10093", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    page.locator("#header-initials").click()
    page.wait_for_url("**/profilo")
    wait_ready(page)
    secret = _start_authenticator(page, app, mailbox)
    page.get_by_label("Codice dall'app").fill(pyotp.TOTP(secret).now())
    page.locator("#totp-confirm").click()
    expect(page.locator("#totp-status")).to_be_visible()
    assert _totp_secret(app, "10093") == secret  # the key the page showed is the one kept

    second = new_page()
    since = mailbox.mark()
    submit_password(second, app, "10093", DEMO_PASSWORD)
    expect(second.get_by_text("app di autenticazione")).to_be_visible()
    # the enrolment used this time-step's code; the app shows the next one a moment later
    code = pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))
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


def test_switching_the_authenticator_app_off(new_page, app, mailbox, tidy):
    tidy.keep_account("10093")
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/profilo")
    secret = _start_authenticator(page, app, mailbox)
    enrolment = pyotp.TOTP(secret).now()
    page.get_by_label("Codice dall'app").fill(enrolment)
    page.locator("#totp-confirm").click()
    expect(page.locator("#totp-status")).to_be_visible()
    assert _totp_secret(app, "10093") == secret

    # a code already used does not turn it off
    page.get_by_label("Codice dall'app").fill(enrolment)
    page.locator("#totp-disable").click()
    expect(page.locator("#totp-code-error")).to_have_text("Codice non valido: controlla l'ora del telefono e riprova.")
    expect(page.locator("#totp-status")).to_be_visible()
    assert _totp_secret(app, "10093") == secret
    # the app's next code does
    page.get_by_label("Codice dall'app").fill(pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)))
    page.locator("#totp-disable").click()
    expect(page.get_by_text("App di autenticazione disattivata: riceverai i codici via e-mail.")).to_be_visible()
    expect(page.locator("#totp-start")).to_be_visible()
    expect(page.locator("#totp-status")).to_have_count(0)
    assert db_rows(app, "select totp_secret, totp_pending_secret from user_account where username = '10093'") == [
        (None, None)
    ]
    # the next login asks for the code by e-mail again
    other = new_page()
    since = mailbox.mark()
    submit_password(other, app, "10093", DEMO_PASSWORD)
    expect(other.locator("#login-code")).to_be_visible()
    other.locator("#login-code").fill(mailbox.code(address_of(app, "10093"), since))
    other.locator("#code-submit").click()
    other.wait_for_url(app.url("/"))


def test_changing_the_password_ends_the_other_sessions(new_page, app, mailbox, tidy):
    tidy.keep_account("10093")
    session_mark = max_id(app, "user_session")
    this = signed_in_page(new_page, app, mailbox)
    other = signed_in_page(new_page, app, mailbox)  # the same user in another browser
    sessions_sql = (
        "select s.id, s.revoked_at is not null from user_session s join user_account u on u.id = s.user_id "
        "where u.username = '10093' and s.id > :m order by s.id"
    )
    (this_session, _), (other_session, _) = db_rows(app, sessions_sql, m=session_mark)
    hash_before = _scalar(app, "select password_hash from user_account where username = '10093'")
    visit(this, app, "/profilo")
    current = this.get_by_label("Password attuale")
    new = this.get_by_label("Nuova password", exact=True)
    confirm = this.get_by_label("Conferma la nuova password")

    # the wrong current password, then two new ones that differ: refused, nothing changes
    current.fill("non è la mia password")
    new.fill(NEW_PASSWORD)
    confirm.fill(NEW_PASSWORD)
    this.locator("#profile-password-submit").click()
    expect(this.locator("#profile-current-password-error")).to_have_text("La password attuale non è corretta.")
    current.fill(DEMO_PASSWORD)
    confirm.fill(NEW_PASSWORD + "!")
    this.locator("#profile-password-submit").click()
    expect(this.locator("#profile-confirm-password-error")).to_have_text("Le due password non coincidono.")
    expect(this.locator("#profile-current-password-error")).to_have_count(0)
    assert _scalar(app, "select password_hash from user_account where username = '10093'") == hash_before
    assert db_rows(app, sessions_sql, m=session_mark) == [(this_session, 0), (other_session, 0)]

    confirm.fill(NEW_PASSWORD)
    this.locator("#profile-password-submit").click()
    expect(this.get_by_text("Password aggiornata.")).to_be_visible()
    for field in (current, new, confirm):
        expect(field).to_have_value("")
    assert _scalar(app, "select password_hash from user_account where username = '10093'") != hash_before
    assert db_rows(app, sessions_sql, m=session_mark) == [(this_session, 0), (other_session, 1)]

    # the other browser is sent to the login page by the next page it opens (its own timers may have
    # sent it there already: the keep-alive finds its session ended); this one goes on
    other.goto(app.url("/contratti"))
    other.wait_for_url(TO_LOGIN)
    expect(other.get_by_role("heading", name="Accedi all'area clienti")).to_be_visible()
    this.get_by_role("navigation").get_by_role("link", name="Contratti").click()
    this.wait_for_url("**/contratti")
    expect(this.locator("#contract-title")).to_be_visible()
    # the old password is refused, the new one signs in
    submit_password(other, app, "10093", DEMO_PASSWORD)
    expect(other.locator("#login-error")).to_contain_text(WRONG_CREDENTIALS)
    login(other, app, "10093", NEW_PASSWORD, mailbox)
    other.wait_for_url(app.url("/"))


def test_profile_settings_and_sub_users(new_page, app, mailbox, tidy):
    tidy.keep_account("10093")
    tidy.keep_rows("customer", "code = :code", code="10093")
    tidy.drop_new_accounts()
    taken = [name for (name,) in db_rows(app, "select username from user_account where username like '10093.%'")]
    username = f"10093.{max(int(name.split('.')[1]) for name in taken) + 1}"  # the next free suffix
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
    assert _scalar(app, "select paper_invoices from customer where code='10093'") == 1
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
    expect(row).to_contain_text(username)
    expect(row).to_contain_text("84963")
    invitation = mailbox.wait_for("giulia.neri@valverde-demo.it", "Credenziali", since)
    assert f"Username: {username}" in mailbox.text(invitation)

    # edit it
    row.get_by_role("button", name=f"Modifica {username}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("textbox", name="Nome", exact=True)).to_have_value("Giulia")
    dialog.get_by_role("textbox", name="Cognome").fill("Neri Bassi")
    dialog.locator("#subuser-save").click()
    expect(page.locator(".subuser-row", has_text="Neri Bassi")).to_be_visible()

    # delete it, after the confirmation
    page.locator(".subuser-row", has_text="Neri Bassi").get_by_role("button", name=f"Elimina {username}").click()
    confirm = page.get_by_role("alertdialog")
    # the question names whom it deletes
    expect(confirm).to_contain_text(f"Eliminare il sotto utente {username} (Giulia Neri Bassi)?")
    confirm.get_by_role("button", name="Conferma").click()
    expect(page.locator(".subuser-row", has_text="Neri Bassi")).to_have_count(0)
    assert _scalar(app, "select is_active from user_account where username = :u", u=username) == 0


def test_deleting_a_sub_user_ends_his_sessions(new_page, app, mailbox, tidy):
    tidy.keep_account("10093.1")
    session_mark = max_id(app, "user_session")
    sub_user = signed_in_page(new_page, app, mailbox, "10093.1")
    owner = signed_in_page(new_page, app, mailbox)
    visit(owner, app, "/profilo")
    owner.locator(".subuser-row", has_text="10093.1").get_by_role("button", name="Elimina 10093.1").click()
    owner.get_by_role("alertdialog").get_by_role("button", name="Conferma").click()
    expect(owner.get_by_text("Sotto utente 10093.1 eliminato.")).to_be_visible()
    expect(owner.locator(".subuser-row", has_text="10093.1")).to_have_count(0)
    assert db_rows(app, "select is_active, password_hash is null from user_account where username = '10093.1'") == [
        (0, 1)
    ]
    assert db_rows(
        app,
        "select s.revoked_at is not null from user_session s join user_account u on u.id = s.user_id "
        "where u.username = '10093.1' and s.id > :m",
        m=session_mark,
    ) == [(1,)]
    # his browser is sent to the login page by its next click, and he cannot sign in again
    sub_user.get_by_role("navigation").get_by_role("link", name="Contratti").click()
    sub_user.wait_for_url(TO_LOGIN)
    submit_password(sub_user, app, "10093.1", DEMO_PASSWORD)
    expect(sub_user.locator("#login-error")).to_contain_text(WRONG_CREDENTIALS)
    expect(sub_user.locator("#login-code")).to_have_count(0)


def test_sub_user_cannot_manage_sub_users_even_calling_the_event(new_page, app, mailbox):
    page = new_page()
    login(page, app, "10093.1", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    expect(page.locator("#home-contracts")).not_to_contain_text("84963")  # only the vehicles
    visit(page, app, "/profilo")
    expect(page.locator("#profile-username")).to_have_text("10093.1")
    expect(page.get_by_role("heading", name="Sotto utenti")).to_have_count(0)
    expect(page.locator("#subuser-add")).to_have_count(0)

    accounts = max_id(app, "user_account")
    before = db_rows(app, "select id, first_name, last_name, is_active from user_account where parent_id is not null")
    state = SubUsersState.get_full_name()
    dispatch_event(page, f"{state}.open_new_sub_user")
    dispatch_event(
        page,
        f"{state}.save_sub_user",
        {"form_data": {"first_name": "Intruso", "last_name": "Rossi", "primary_email": "intruso@example.org"}},
    )
    page.get_by_role("button", name="English").click()  # any event: the queued ones go first
    expect(page.get_by_text("Operazione non consentita.").first).to_be_visible()  # sent before the switch
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert db_rows(app, "select count(*) from user_account where id > :m", m=accounts) == [(0,)]
    assert (
        db_rows(app, "select id, first_name, last_name, is_active from user_account where parent_id is not null")
        == before
    )
