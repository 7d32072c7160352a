"""The idle timeout is told in advance (WCAG 2.2.1), and a form left unsent survives it.

A second app runs with the timeout shortened by configuration: 1 minute, warned 40 s before."""

from __future__ import annotations

import re
import time
import urllib.parse

import pytest
from playwright.sync_api import expect

from portal.seed.demo import DEMO_PASSWORD
from tests.e2e.conftest import address_of, db_rows, login, own_web_workdir, running_app, visit, wait_ready

WAIT_MS = 90_000  # the timeout is a minute: the page's own clock decides, the test only waits for it


@pytest.fixture(scope="module")
def short_idle_app(tmp_path_factory, mailbox, app):
    with running_app(
        tmp_path_factory.mktemp("idle"),
        mailbox,
        size="demo",
        PORTAL_SESSION_IDLE_MINUTES="1",
        PORTAL_IDLE_WARNING_SECONDS="40",
        REFLEX_WEB_WORKDIR=own_web_workdir("idle"),
    ) as running:
        yield running


def _last_seen(app) -> str:
    rows = db_rows(
        app,
        "select s.last_seen_at from user_session s join user_account u on u.id = s.user_id"
        " where u.username = '10093' and s.revoked_at is null order by s.id desc",
    )
    return str(rows[0][0]) if rows else ""


def _seen_again(app, before: str) -> bool:
    """The keep-alive reaches the database a moment after the button hid the warning: poll for it
    (the outcome is in the database, not on the page), for at most 10 s."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _last_seen(app) not in ("", before):
            return True
        time.sleep(0.1)
    return False


def test_warning_before_the_timeout_and_the_draft_kept_across_sign_in(new_page, short_idle_app, mailbox):
    app = short_idle_app
    page = new_page()
    login(page, app, "10093", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    wait_ready(page)
    visit(page, app, "/richieste/nuova?modulo=address_change")
    page.locator("#field-new_address").fill("Via dei Mille 12, 20121 Milano")

    # 20 s after the last activity the warning shows, with the button focused.
    warning = page.get_by_role("alertdialog", name="La sessione sta per scadere")
    expect(warning).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("button", name="Resta collegato")).to_be_focused()
    before = _last_seen(app)
    page.keyboard.press("Enter")
    expect(warning).to_be_hidden()
    # The server's idle clock started again (the session row was touched), and the page still works.
    expect(page.locator("#field-new_address")).to_have_value("Via dei Mille 12, 20121 Milano")
    assert _seen_again(app, before), "the session's idle clock did not start again"

    # Now nobody answers: the session ends, the login page says why, and the draft is kept.
    expect(warning).to_be_visible(timeout=WAIT_MS)
    page.wait_for_url(re.compile(r"/login/?\?next="), timeout=WAIT_MS)
    next_page = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)["next"]
    assert [path.replace("/?", "?") for path in next_page] == ["/richieste/nuova?modulo=address_change"]
    wait_ready(page)
    expect(page.locator("#login-info")).to_have_text(
        "La sessione è scaduta per inattività. Accedi di nuovo per continuare."
    )
    assert _last_seen(app) == ""  # no open session left for 10093
    since = mailbox.mark()
    page.get_by_label("Username").fill("10093")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.locator("#login-submit").click()
    page.locator("#login-code").fill(mailbox.code(address_of(app, "10093"), since))
    page.locator("#code-submit").click()
    page.wait_for_url(re.compile(r"/richieste/nuova/?\?modulo=address_change$"))
    wait_ready(page)
    expect(page.locator("#draft-restored")).to_be_visible()
    expect(page.locator("#field-new_address")).to_have_value("Via dei Mille 12, 20121 Milano")
