"""Issue 11 through the pages' handlers: re-authentication before the primary e-mail, the
authenticator and the IBAN change; the authenticator's users sign in with recovery codes, never
with an e-mailed code."""

from __future__ import annotations

import asyncio
import re

import pyotp
from sqlmodel import select

from portal.db import session_scope
from portal.models import MailMessage, RecoveryCode, ServiceRequest, UserAccount
from portal.pages.login import LoginState
from portal.pages.new_request import NewRequestState
from portal.pages.profile import ProfileState, SecurityState
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access import two_factor
from portal.services.common import clock
from portal.state.reauth import ReauthState
from tests.state.conftest import Browser, address_of, id_mark, reauthenticate, rows_after, script_of

REAUTH_REQUIRED_EN = "This change needs you to confirm it is you: enter your password and a code, then do it again."
REAUTH_REQUIRED_IT = (
    "Per questa modifica devi confermare la tua identità: inserisci password e codice, poi ripeti l'operazione."
)


def _user(username: str) -> UserAccount:
    with session_scope() as db:
        return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def test_primary_email_change_waits_for_reauthentication_then_tells_the_old_address(signed_in, restore_users):
    restore_users("20417")
    browser = signed_in("20417")
    browser.visit("/profilo")
    browser.run(ProfileState, "load")
    old = address_of("20417")
    mails = id_mark(MailMessage)
    form = {"language": "en", "primary_email": "new.owner@example.org", "secondary_email": ""}
    result = asyncio.run(browser.run(ProfileState, "save_settings", form))
    assert result == ReauthState.ask and browser.state(ProfileState).settings_errors == {
        "primary_email": REAUTH_REQUIRED_EN
    }
    assert address_of("20417") == old and rows_after(MailMessage, mails) == []
    reauthenticate(browser, "20417")
    assert browser.state(ReauthState).reauth_open is False
    mails = id_mark(MailMessage)
    asyncio.run(browser.run(ProfileState, "save_settings", form))
    assert browser.state(ProfileState).settings_errors == {} and address_of("20417") == "new.owner@example.org"
    assert [(mail.kind, mail.to_address) for mail in rows_after(MailMessage, mails)] == [("primary_email_changed", old)]


def test_the_authenticator_does_not_change_without_reauthentication(signed_in, restore_users):
    restore_users("20417")
    browser = signed_in("20417")
    browser.visit("/profilo")
    browser.run(SecurityState, "load")
    assert browser.run(SecurityState, "start_totp") == ReauthState.ask
    security = browser.state(SecurityState)
    assert security.totp_enrolling is False and security.totp_error == REAUTH_REQUIRED_EN
    assert _user("20417").totp_pending_secret is None


def test_iban_change_is_not_submitted_without_reauthentication(signed_in):
    browser = signed_in()
    browser.visit("/richieste/nuova?modulo=iban_change")
    browser.run(NewRequestState, "load")
    browser.run(NewRequestState, "set_field", "contract", "90317")
    browser.run(NewRequestState, "set_field", "new_iban", "IT40S0542811101000000123456")
    browser.run(NewRequestState, "set_field", "start_date", "2030-01-01")
    mark = id_mark(ServiceRequest)
    assert browser.run(NewRequestState, "submit", {}) == ReauthState.ask
    assert rows_after(ServiceRequest, mark) == []
    assert browser.state(NewRequestState).form_error == REAUTH_REQUIRED_IT


def test_an_app_user_signs_in_with_a_recovery_code_and_gets_no_mailed_code(signed_in, restore_users):
    restore_users("20417")
    browser = signed_in("20417")
    browser.visit("/profilo")
    browser.run(SecurityState, "load")
    reauthenticate(browser, "20417")
    browser.run(SecurityState, "start_totp")
    secret = _user("20417").totp_pending_secret
    codes_mark = id_mark(RecoveryCode)
    result = browser.run(SecurityState, "confirm_totp", {"code": pyotp.TOTP(secret).at(clock.now())})
    codes = re.findall(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){3}", script_of(result))
    assert len(codes) == 10 and browser.state(SecurityState).recovery_shown is True
    assert not any(code in repr(browser.root.dict()) for code in codes)  # shown, never kept in the state
    assert len(rows_after(RecoveryCode, codes_mark)) == 10

    login = Browser()
    login.visit("/login")
    login.run(LoginState, "submit", {"username": "20417", "password": DEMO_PASSWORD})
    state = login.state(LoginState)
    assert state.code_method == two_factor.TOTP
    mails = id_mark(MailMessage)
    login.run(LoginState, "resend_code")
    assert state.code_error == (  # a fresh tab speaks Italian
        "Con l'app di autenticazione attiva il codice non viene inviato per e-mail: "
        "usa l'app o uno dei codici di recupero."
    )
    assert rows_after(MailMessage, mails) == []
    result = login.run(LoginState, "verify_code", {"code": codes[0]})
    assert login.follow(result) == "/"
    with session_scope() as db:
        used = db.exec(select(RecoveryCode).where(RecoveryCode.id > codes_mark, RecoveryCode.used_at.isnot(None))).all()
    assert len(used) == 1
