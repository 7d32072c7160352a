"""Registration, first login, lockout and unlock, reset, profile and sub-users, invitations."""

from __future__ import annotations

import re
import urllib.parse

import pyotp
from sqlmodel import select

from portal.db import session_scope
from portal.models import Customer, UserAccount
from portal.pages.forgot_password import ForgotPasswordState
from portal.pages.login import LoginState
from portal.pages.operator_customers import OperatorCustomersState
from portal.pages.profile import ProfileState
from portal.pages.registration import RegistrationState
from portal.pages.reset_password import ResetPasswordState
from portal.pages.unlock import UnlockState
from portal.seed.demo import DEMO_PASSWORD
from portal.services import clock
from portal.services.sessions import SESSION_COOKIE
from tests.state.conftest import Browser, address_of, last_mail, mailed_code, redirect_target

NEW_PASSWORD = "un ponte sul fiume giallo"


def _reset_link_token(address: str) -> str:
    body = last_mail(address, "password_reset").body_text
    return re.search(r"/reimposta-password\?token=([\w-]+)", body).group(1)


def test_registration_then_forced_password_change(browser):
    browser.visit("/registrazione")
    browser.run(RegistrationState, "submit", {"contract_number": "93015", "module_number": "2", "tax_code": "05527480154",
                                               "email": "studio.mariani@pec.mariani-demo.it"})
    registration = browser.state(RegistrationState)
    assert registration.tax_code_error and not registration.done
    browser.run(RegistrationState, "submit", {"contract_number": "93015", "module_number": "2", "tax_code": "05527480155",
                                               "email": "studio.mariani@pec.mariani-demo.it"})
    assert registration.done == "Ti abbiamo inviato la password temporanea all'indirizzo indicato. Il tuo username è 30882."
    body = last_mail("studio.mariani@pec.mariani-demo.it", "temporary_password.registration").body_text
    temporary = re.search(r"Password temporanea: (\S+)", body).group(1)

    login = Browser()
    login.visit("/login")
    login.run(LoginState, "submit", {"username": "30882", "password": temporary})
    result = login.run(LoginState, "verify_code", {"code": mailed_code("studio.mariani@pec.mariani-demo.it")})
    state = login.state(LoginState)
    assert state.step == "new_password" and login.follow(result) is None and not login.cookies
    login.run(LoginState, "choose_password", {"new_password": NEW_PASSWORD, "confirm_password": "altro"})
    assert state.confirm_error == "Le due password non coincidono."
    login.run(LoginState, "choose_password", {"new_password": "password123456", "confirm_password": "password123456"})
    assert state.new_password_error.startswith("Questa password è troppo comune")
    result = login.run(LoginState, "choose_password", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert login.follow(result) == "/" and login.cookies.get(SESSION_COOKIE)
    with session_scope() as db:
        user = db.exec(select(UserAccount).where(UserAccount.username == "30882")).one()
        assert not user.must_change_password


def test_lockout_unlock_and_reset(browser):
    browser.visit("/login")
    for attempt in range(3):
        browser.run(LoginState, "submit", {"username": "20417", "password": f"wrong password {attempt}"})
    browser.run(LoginState, "submit", {"username": "20417", "password": DEMO_PASSWORD})
    assert "bloccato" in browser.state(LoginState).form_error

    unlock = Browser()
    unlock.visit("/login-bloccata")
    unlock.run(UnlockState, "submit", {"contract_number": "88120", "module_number": "1", "tax_code": "XXXXXX"})
    assert unlock.state(UnlockState).tax_code_error
    unlock.run(UnlockState, "submit", {"contract_number": "88120", "module_number": "1", "tax_code": "BNCLSN80A01F205T"})
    assert unlock.state(UnlockState).done.startswith("Se i dati corrispondono")
    token = _reset_link_token(address_of("20417"))

    reset = Browser()
    reset.visit(f"/reimposta-password?token={urllib.parse.quote(token)}")
    reset.run(ResetPasswordState, "load")
    assert reset.state(ResetPasswordState).link_valid
    reset.run(ResetPasswordState, "submit", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert reset.state(ResetPasswordState).done
    # the link is spent
    again = Browser()
    again.visit(f"/reimposta-password?token={urllib.parse.quote(token)}")
    again.run(ResetPasswordState, "load")
    assert again.state(ResetPasswordState).link_valid is False
    # the new password works, and still asks for the code
    login = Browser()
    login.visit("/login")
    result = login.run(LoginState, "submit", {"username": "20417", "password": NEW_PASSWORD})
    assert login.state(LoginState).step == "code" and login.follow(result) is None and not login.cookies
    _restore_password("20417")


def _restore_password(username: str) -> None:
    from portal.services.passwords import hash_password

    with session_scope() as db:
        user = db.exec(select(UserAccount).where(UserAccount.username == username)).one()
        user.password_hash = hash_password(DEMO_PASSWORD)
        user.locked_at = None
        user.failed_login_count = 0
        db.add(user)


def test_forgot_password_answers_the_same_for_unknown_addresses(browser):
    browser.visit("/password-dimenticata")
    browser.run(ForgotPasswordState, "submit", {"email": "nessuno@example.org"})
    unknown = browser.state(ForgotPasswordState).done
    browser.run(ForgotPasswordState, "submit", {"email": address_of("10093")})
    assert browser.state(ForgotPasswordState).done == unknown != ""
    browser.run(ForgotPasswordState, "submit", {"email": "not an address"})
    assert browser.state(ForgotPasswordState).email_error


def test_profile_language_applies_at_once_and_is_saved(signed_in):
    browser = signed_in("20417")
    browser.visit("/profilo")
    browser.run(ProfileState, "load")
    profile = browser.state(ProfileState)
    assert profile.profile_language == "en" and profile.can_manage_sub_users is True
    browser.run(ProfileState, "save_settings", {"language": "it", "primary_email": "not valid", "secondary_email": ""})
    assert profile.settings_errors["primary_email"] == "L'indirizzo e-mail non è valido."
    browser.run(ProfileState, "save_settings", {"language": "it", "primary_email": address_of("20417"), "secondary_email": "ale@example.org"})
    assert profile.lang == "it" and profile.settings_errors == {}
    with session_scope() as db:
        user = db.exec(select(UserAccount).where(UserAccount.username == "20417")).one()
        assert user.language.value == "it" and user.secondary_email == "ale@example.org"
        user.language = type(user.language)("en")
        db.add(user)


def test_sub_user_management_refused_to_a_sub_user_even_called_directly(signed_in):
    browser = signed_in("10093.1")
    browser.visit("/profilo")
    browser.run(ProfileState, "load")
    profile = browser.state(ProfileState)
    assert profile.can_manage_sub_users is False and profile.sub_users == []
    with session_scope() as db:
        before = len(db.exec(select(UserAccount).where(UserAccount.parent_id.is_not(None))).all())
        owner_sub_user = db.exec(select(UserAccount).where(UserAccount.username == "10093.1")).one()
    browser.run(ProfileState, "open_new_sub_user")
    assert profile.dialog_open is False
    browser.run(ProfileState, "save_sub_user", {"first_name": "Evil", "last_name": "Twin", "primary_email": "evil@example.org"})
    profile.delete_id = owner_sub_user.id  # as if the browser had sent it
    browser.run(ProfileState, "confirm_delete")
    with session_scope() as db:
        assert len(db.exec(select(UserAccount).where(UserAccount.parent_id.is_not(None))).all()) == before
        assert db.get(UserAccount, owner_sub_user.id).is_active


def test_owner_adds_edits_and_deletes_a_sub_user(signed_in):
    browser = signed_in()
    browser.visit("/profilo")
    browser.run(ProfileState, "load")
    profile = browser.state(ProfileState)
    assert [row["username"] for row in profile.sub_users] == ["10093.1"]
    browser.run(ProfileState, "open_new_sub_user")
    browser.run(ProfileState, "save_sub_user", {"first_name": "", "last_name": "Neri", "primary_email": "x"})
    assert set(profile.sub_user_errors) == {"first_name", "primary_email"} and profile.dialog_open
    browser.run(ProfileState, "set_draft_all_contracts", False)
    van = next(option["id"] for option in profile.contract_options if option["label"].startswith("90317"))
    browser.run(ProfileState, "toggle_draft_contract", van, True)
    browser.run(ProfileState, "set_draft_may_submit", False)
    browser.run(ProfileState, "save_sub_user", {"first_name": "Giulia", "last_name": "Neri", "primary_email": "giulia.neri@valverde-demo.it"})
    assert profile.dialog_open is False
    created = next(row for row in profile.sub_users if row["first_name"] == "Giulia")
    assert created["contracts"] == "90317" and created["may_submit"] == ""
    assert last_mail("giulia.neri@valverde-demo.it").subject == "Aurora Leasing – Credenziali di accesso all'area clienti"
    browser.run(ProfileState, "open_edit_sub_user", created["id"])
    browser.run(ProfileState, "save_sub_user", {"first_name": "Giulia", "last_name": "Neri Rossi", "primary_email": "giulia.neri@valverde-demo.it"})
    assert next(row for row in profile.sub_users if row["id"] == created["id"])["last_name"] == "Neri Rossi"
    browser.run(ProfileState, "ask_delete_sub_user", created["id"])
    assert profile.delete_username == created["username"]
    browser.run(ProfileState, "confirm_delete")
    assert created["id"] not in {row["id"] for row in profile.sub_users}


def test_totp_enrolment_through_the_profile(signed_in):
    browser = signed_in("20417")
    browser.visit("/profilo")
    browser.run(ProfileState, "load")
    browser.run(ProfileState, "start_totp")
    profile = browser.state(ProfileState)
    assert profile.totp_enrolling
    with session_scope() as db:
        secret = db.exec(select(UserAccount.totp_pending_secret).where(UserAccount.username == "20417")).one()
    assert secret not in repr(profile.dict())  # the secret never enters the UI state
    browser.run(ProfileState, "confirm_totp", {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert profile.totp_error
    browser.run(ProfileState, "confirm_totp", {"code": pyotp.TOTP(secret).at(clock.now())})
    assert profile.totp_enabled
    login = Browser()
    login.visit("/login")
    login.run(LoginState, "submit", {"username": "20417", "password": DEMO_PASSWORD})
    assert login.state(LoginState).code_method == "totp"
    with session_scope() as db:
        user = db.exec(select(UserAccount).where(UserAccount.username == "20417")).one()
        user.totp_secret = None
        user.totp_last_step = None
        db.add(user)


def test_operator_invites_and_customers_cannot(signed_in):
    operator = signed_in("servicedesk")
    operator.visit("/operatore/clienti")
    operator.run(OperatorCustomersState, "load")
    page = operator.state(OperatorCustomersState)
    bakery = next(row for row in page.rows if row["code"] == "41250")
    assert bakery["status"] == "none"
    operator.run(OperatorCustomersState, "invite_customer", bakery["id"])
    assert next(row for row in page.rows if row["code"] == "41250")["status"] == "invited"
    assert "41250" in last_mail("panificio.gallo@pec.gallo-demo.it").body_text

    customer = signed_in("10093")
    customer.visit("/operatore/clienti")
    assert redirect_target(customer.run(OperatorCustomersState, "load")) == "/"
    with session_scope() as db:
        studio = db.exec(select(Customer).where(Customer.code == "30882")).one()
    before = _mail_count()
    result = customer.run(OperatorCustomersState, "invite_customer", str(studio.id))
    assert redirect_target(result) == "/login?next=%2Foperatore%2Fclienti"  # not an operator: nothing done
    assert _mail_count() == before


def _mail_count() -> int:
    from portal.models import MailMessage

    with session_scope() as db:
        return len(db.exec(select(MailMessage.id)).all())
