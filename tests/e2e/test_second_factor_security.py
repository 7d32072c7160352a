"""Issue 11 in the browser: the authenticator's users sign in with a one-time recovery code and are
never offered an e-mailed code; the primary e-mail changes only after the password and a code
again, and the old address is told."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from portal.seed.demo import DEMO_PASSWORD
from tests.e2e.conftest import (
    address_of,
    confirm_identity,
    db_rows,
    max_id,
    signed_in_page,
    submit_password,
    visit,
)

RECOVERY_CODE = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){3}")


def _turn_the_app_on(page, app, mailbox) -> list[str]:
    """Profilo: re-authenticate, start the app, confirm it with its code; the recovery codes shown."""
    import pyotp

    visit(page, app, "/profilo")
    page.locator("#totp-start").click()
    confirm_identity(page, app, mailbox)
    page.locator("#totp-start").click()
    expect(page.locator("#totp-qr")).to_be_visible()
    (secret,) = db_rows(app, "select totp_pending_secret from user_account where username = '10093'")[0]
    page.get_by_label("Codice dall'app").fill(pyotp.TOTP(secret).now())
    page.locator("#totp-confirm").click()
    expect(page.locator("#totp-status")).to_be_visible()
    expect(page.locator("#recovery-box")).to_be_visible()
    expect(page.locator("#recovery-codes")).to_have_text(RECOVERY_CODE)
    return RECOVERY_CODE.findall(page.locator("#recovery-codes").inner_text())


def test_recovery_code_sign_in_and_no_email_fallback(new_page, app, mailbox, tidy):
    tidy.keep_account("10093")
    tidy.drop_new("recovery_code")
    page = signed_in_page(new_page, app, mailbox)
    address = address_of(app, "10093")
    since = mailbox.mark()
    codes = _turn_the_app_on(page, app, mailbox)
    assert len(codes) == 10 and len(set(codes)) == 10
    mailbox.wait_for(address, "App di autenticazione", since)  # the owner is told
    (user_id,) = db_rows(app, "select id from user_account where username = '10093'")[0]
    hashes = [
        h
        for (h,) in db_rows(
            app, "select code_hash from recovery_code where user_id = :u and used_at is null", u=user_id
        )
    ]
    assert len(hashes) == 10 and not any(code.replace("-", "") in h for h in hashes for code in codes)

    other = new_page()
    challenges = max_id(app, "login_challenge")
    since = mailbox.mark()
    submit_password(other, app, "10093", DEMO_PASSWORD)
    expect(other.locator("#login-code")).to_be_visible()
    expect(other.locator("#code-recovery-hint")).to_be_visible()
    expect(other.locator("#code-resend")).to_have_count(0)  # no "get the code by e-mail instead"
    other.locator("#login-code").fill(codes[2].lower())
    other.locator("#code-submit").click()
    other.wait_for_url(app.url("/"))
    assert db_rows(app, "select method from login_challenge where id > :m", m=challenges) == [("totp",)]
    assert [m for m in mailbox.messages[since:] if m["To"] == address] == []  # no code was mailed
    used = db_rows(app, "select count(*) from recovery_code where user_id = :u and used_at is null", u=user_id)
    assert used == [(9,)]  # one spent

    # spent: the same code again is refused
    third = new_page()
    submit_password(third, app, "10093", DEMO_PASSWORD)
    third.locator("#login-code").fill(codes[2])
    third.locator("#code-submit").click()
    expect(third.locator("#login-code-error")).to_contain_text("Codice non corretto")


def test_primary_email_change_needs_reauthentication_and_tells_the_old_address(new_page, app, mailbox, tidy):
    tidy.keep_account("10093")
    old = address_of(app, "10093")
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/profilo")
    page.get_by_label("E-mail principale").fill("nuovo.indirizzo@example.org")
    page.locator("#profile-save").click()
    expect(page.locator("#profile-primary-email-error")).to_contain_text("devi confermare la tua identità")
    expect(page.locator("#reauth-dialog")).to_be_visible()
    assert address_of(app, "10093") == old  # nothing changed yet
    confirm_identity(page, app, mailbox)
    since = mailbox.mark()
    page.locator("#profile-save").click()
    expect(page.locator("#profile-primary-email-error")).to_have_count(0)
    message = mailbox.wait_for(old, "Indirizzo e-mail cambiato", since)
    assert "nuovo.indirizzo@example.org" in mailbox.text(message)
    assert address_of(app, "10093") == "nuovo.indirizzo@example.org"
