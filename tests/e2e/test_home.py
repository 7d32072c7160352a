"""Log in as the demo company in Chromium and read the Home figures against the database."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from portal import i18n
from portal.models import Customer, UserSession
from portal.seed.demo import DEMO_PASSWORD
from portal.services import clock
from portal.services.access import whole_customer
from portal.services.dashboard import home_summary
from tests.e2e.conftest import login, normalise, submit_password, text_of, visit


def test_protected_page_sends_to_login(new_page, app):
    page = new_page()
    visit(page, app, "/")
    page.wait_for_url(re.compile(r"/login/?\?next=%2F$"))
    expect(page.get_by_role("heading", name="Accedi all'area clienti")).to_be_visible()


def test_wrong_password_shows_an_error(new_page, app, db_session):
    page = new_page()
    submit_password(page, app, "10093.1", "non-e-la-password")
    expect(page.locator("#login-error")).to_contain_text("Username o password non corretti.")
    expect(page).to_have_url(re.compile(r"/login/?$"))


def test_home_figures_match_the_database(new_page, app, db_session, mailbox):
    page = new_page()
    login(page, app, "10093", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    expect(page.locator("#home-overdue")).not_to_be_empty()

    customer = db_session.exec(select(Customer).where(Customer.code == "10093")).one()
    summary = home_summary(session=db_session, scope=whole_customer(customer.id), today=clock.today())
    assert summary.overdue_total > 0 and summary.next_due_date is not None

    assert text_of(page, "#home-overdue") == normalise(i18n.money(summary.overdue_total, "it"))
    assert text_of(page, "#home-next-due") == i18n.short_date(summary.next_due_date, "it")
    assert text_of(page, "#home-next-payment") == normalise(i18n.money(summary.next_payment, "it"))
    assert text_of(page, "#home-advances") == normalise(i18n.money(summary.advances_paid, "it"))
    assert text_of(page, "#home-today") == i18n.long_date(clock.today(), "it")
    assert text_of(page, "#home-contracts-total") == f"{summary.active_contract_count} TOTALE"
    numbers = page.locator(".home-contract").all_inner_texts()
    assert [text.split()[0] for text in numbers] == [card.number for card in summary.contracts]
    dental = page.locator(".home-contract", has_text="84963")
    expect(dental).to_contain_text("5 beni")
    codes = [normalise(row).split()[0] for row in page.locator(".home-request").all_inner_texts()]
    assert codes == [row.code for row in summary.latest_requests]
    # the shell: tenant logo, initials in a circle, the menu
    expect(page.get_by_role("img", name="Aurora Leasing")).to_be_visible()
    expect(page.locator("#header-initials")).to_have_text("LC")
    expect(page.get_by_role("navigation").get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")


def test_language_switch_and_logout_confirmation(new_page, app, db_session, mailbox):
    page = new_page()
    login(page, app, "10093", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    expect(page.get_by_role("heading", name="La tua situazione")).to_be_visible()
    session_cookie = next(cookie for cookie in page.context.cookies() if cookie["name"] == "portal_session")
    assert session_cookie["httpOnly"] and session_cookie["sameSite"] == "Strict"
    assert "portal_session" not in page.evaluate("document.cookie")  # no script of the page can read it
    tab_token = page.evaluate("window.sessionStorage.getItem('token')")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Your situation")).to_be_visible()
    assert text_of(page, "#home-overdue").startswith("€")
    page.get_by_role("button", name="Italiano").click()
    expect(page.get_by_role("heading", name="La tua situazione")).to_be_visible()

    page.locator("#logout-button").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Sei sicuro di voler uscire dal portale?")
    dialog.get_by_role("button", name="Annulla").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(app.url("/"))

    page.locator("#logout-button").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Conferma").click()
    page.wait_for_url(re.compile(r"/login/?$"))
    revoked = db_session.exec(select(UserSession).where(UserSession.revoked_at.is_not(None))).all()
    assert revoked, "logout must end the session on the server"
    assert not any(cookie["name"] == "portal_session" for cookie in page.context.cookies())
    assert page.evaluate("window.sessionStorage.getItem('token')") != tab_token  # a fresh state tree for the tab
    expect(page.locator("#login-info")).to_have_text("Sei uscito dal portale.")
    visit(page, app, "/")
    page.wait_for_url(re.compile(r"/login/?\?next=%2F$"))


def test_phone_width_has_a_menu_button(new_page, app, mailbox):
    page = new_page(width=390, height=844)
    login(page, app, "10093", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    expect(page.locator("#home-overdue")).to_be_visible()
    expect(page.get_by_role("navigation")).to_be_hidden()
    page.get_by_role("button", name="Apri il menu").click()
    expect(page.get_by_role("menuitem", name="Home")).to_be_visible()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the page must not scroll sideways on a phone"
