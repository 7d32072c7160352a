"""Log in as the demo company in Chromium and read the Home figures against the database (plain
SQL, amounts and dates written out by hand); the English user; the language switch and logout."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from playwright.sync_api import expect

from portal.seed.demo import DEMO_PASSWORD
from tests.e2e.conftest import (
    address_of,
    db_rows,
    euro,
    italian_today,
    login,
    max_id,
    normalise,
    submit_password,
    text_of,
    visit,
)

CENT = Decimal("0.01")
WEEKDAYS = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
MONTHS = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
]


def _money(value) -> Decimal:
    return Decimal(str(value or 0))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _home_figures(app, today: dt.date) -> dict:
    """La tua situazione of customer 10093, from the tables as the user manual defines it."""
    day = today.isoformat()
    (overdue,) = db_rows(
        app,
        "select sum(i.total - i.paid_amount) from invoice i join customer c on c.id = i.customer_id "
        "where c.code = '10093' and i.kind = 'invoice' and i.paid_amount < i.total and i.due_date < :d",
        d=day,
    )[0]
    # the next day something falls due: an open invoice, or a plan row of an active contract not yet
    # invoiced (indexation rows count once invoiced, when their amount is final)
    uninvoiced = (
        "from schedule_line s join contract k on k.id = s.contract_id join customer c on c.id = k.customer_id "
        "left join invoice i on i.schedule_line_id = s.id where c.code = '10093' and s.due_date >= :d "
        "and s.kind != 'indexation' and k.status = 'active' and i.id is null"
    )
    open_invoices = (
        "from invoice i join customer c on c.id = i.customer_id "
        "where c.code = '10093' and i.due_date >= :d and i.paid_amount < i.total"
    )
    days = [
        row[0]
        for row in db_rows(
            app, f"select min(i.due_date) {open_invoices} union all select min(s.due_date) {uninvoiced}", d=day
        )
        if row[0] is not None
    ]
    next_day = min(days)
    invoiced = db_rows(
        app, f"select i.kind, i.total - i.paid_amount {open_invoices} and i.due_date = :n", d=day, n=next_day
    )
    planned = db_rows(app, f"select s.amount, k.vat_rate {uninvoiced} and s.due_date = :n", d=day, n=next_day)
    next_payment = sum((_money(owed) * (-1 if kind == "credit_note" else 1) for kind, owed in invoiced), Decimal(0))
    next_payment += sum(
        (_money(amount) + _cents(_money(amount) * _money(vat) / 100) for amount, vat in planned), Decimal(0)
    )
    (advances,) = db_rows(
        app,
        "select sum(i.paid_amount) from invoice i join schedule_line s on s.id = i.schedule_line_id "
        "join contract k on k.id = i.contract_id join customer c on c.id = i.customer_id "
        "where c.code = '10093' and s.kind = 'advance' and k.status = 'active'",
    )[0]
    contracts = db_rows(
        app,
        "select k.number, (select count(*) from leased_asset a where a.contract_id = k.id) from contract k "
        "join customer c on c.id = k.customer_id where c.code = '10093' and k.status = 'active' "
        "order by k.signed_on desc, k.id desc",
    )
    requests = db_rows(
        app,
        "select r.code from service_request r join customer c on c.id = r.customer_id where c.code = '10093' "
        "order by r.updated_at desc, r.id desc limit 5",
    )
    return {
        "overdue": _cents(_money(overdue)),
        "next_day": dt.date.fromisoformat(next_day[:10]),
        "next_payment": _cents(next_payment),
        "advances": _cents(_money(advances)),
        "contracts": contracts,
        "requests": [code for (code,) in requests],
    }


def test_protected_page_sends_to_login(new_page, app):
    page = new_page()
    visit(page, app, "/")
    page.wait_for_url(re.compile(r"/login/?\?next=%2F$"))
    expect(page.get_by_role("heading", name="Accedi all'area clienti")).to_be_visible()


def test_wrong_password_shows_an_error(new_page, app, tidy):
    tidy.keep_account("10093.1")
    sessions = max_id(app, "user_session")
    (failed_before,) = db_rows(app, "select failed_login_count from user_account where username = '10093.1'")[0]
    page = new_page()
    submit_password(page, app, "10093.1", "non-e-la-password")
    expect(page.locator("#login-error")).to_contain_text("Username o password non corretti.")
    expect(page).to_have_url(re.compile(r"/login/?$"))
    expect(page.locator("#login-code")).to_have_count(0)
    assert db_rows(app, "select count(*) from user_session where id > :m", m=sessions) == [(0,)]
    assert db_rows(app, "select failed_login_count from user_account where username = '10093.1'") == [
        (failed_before + 1,)
    ]


def test_home_figures_match_the_database(new_page, app, mailbox):
    page = new_page()
    login(page, app, "10093", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    expect(page.locator("#home-overdue")).not_to_be_empty()
    today = italian_today()
    figures = _home_figures(app, today)
    assert figures["overdue"] > 0  # the seed's one overdue instalment

    assert text_of(page, "#home-overdue") == euro(figures["overdue"])
    assert text_of(page, "#home-next-due") == figures["next_day"].strftime("%d/%m/%y")
    assert text_of(page, "#home-next-payment") == euro(figures["next_payment"])
    assert text_of(page, "#home-advances") == euro(figures["advances"])
    assert text_of(page, "#home-today") == (
        f"{WEEKDAYS[today.weekday()]} {today.day} {MONTHS[today.month - 1]} {today.year}"
    )
    contracts = figures["contracts"]
    assets = sum(count for _, count in contracts)
    assert text_of(page, "#home-contracts-total") == f"{len(contracts)} TOTALE"
    assert text_of(page, "#home-contracts-summary") == f"{len(contracts)} Contratti ({assets} Beni)"
    numbers = page.locator(".home-contract").all_inner_texts()
    assert [text.split()[0] for text in numbers] == [number for number, _ in contracts[:5]]
    dental = page.locator(".home-contract", has_text="84963")
    expect(dental).to_contain_text("5 beni")
    codes = [normalise(row).split()[0] for row in page.locator(".home-request").all_inner_texts()]
    assert codes == figures["requests"]
    # the shell: tenant logo, initials in a circle, the menu
    expect(page.get_by_role("img", name="Aurora Leasing")).to_be_visible()
    expect(page.locator("#header-initials")).to_have_text("LC")
    expect(page.get_by_role("navigation").get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")


def test_the_english_user_signs_in_and_reads_english(new_page, app, mailbox):
    """Alessandro Bianchi (20417) chose English: an Italian browser signs him in, then speaks English."""
    assert db_rows(app, "select language from user_account where username = '20417'") == [("en",)]
    page = new_page(locale="it-IT")
    since = mailbox.mark()
    submit_password(page, app, "20417", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Codice di verifica")).to_be_visible()  # not signed in yet
    message = mailbox.wait_for(address_of(app, "20417"), "Sign-in code", since)
    assert "the code to sign in to the customer area is" in mailbox.text(message)
    page.locator("#login-code").fill(mailbox.code(address_of(app, "20417"), since))
    page.locator("#code-submit").click()
    page.wait_for_url(app.url("/"))
    expect(page.get_by_role("heading", name="Your situation")).to_be_visible()
    menu = page.get_by_role("navigation")
    for label in ("Home", "Invoices and payments", "Contracts", "Leased assets", "Requests", "Profile"):
        expect(menu.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="La tua situazione")).to_have_count(0)
    menu.get_by_role("link", name="Invoices and payments").click()
    page.wait_for_url("**/fatture-e-pagamenti**")
    expect(page.get_by_role("heading", name="Invoices and payments", level=1)).to_be_visible()
    expect(page.get_by_label("Status", exact=True)).to_be_visible()


def test_language_switch_and_logout_confirmation(new_page, app, mailbox):
    sessions = max_id(app, "user_session")
    page = new_page()
    login(page, app, "10093", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    expect(page.get_by_role("heading", name="La tua situazione")).to_be_visible()
    session_cookie = next(cookie for cookie in page.context.cookies() if cookie["name"] == "portal_session")
    assert session_cookie["httpOnly"] is True and session_cookie["sameSite"] == "Strict"
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
    ours = (
        "select s.revoked_at is not null from user_session s join user_account u on u.id = s.user_id "
        "where u.username = '10093' and s.id > :m"
    )
    assert db_rows(app, ours, m=sessions) == [(0,)]

    page.locator("#logout-button").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Conferma").click()
    page.wait_for_url(re.compile(r"/login/?$"))
    assert db_rows(app, ours, m=sessions) == [(1,)], "logout must end the session on the server"
    assert [cookie for cookie in page.context.cookies() if cookie["name"] == "portal_session"] == []
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


def test_following_links_does_not_reload_the_bell_but_reloading_the_page_does(new_page, app, mailbox):
    """The bell's refresher is mounted once for the app (issue 13): a link followed sends only the
    new page's load, a reload (or the 30-second timer) refreshes the bell."""
    from tests.e2e.conftest import signed_in_page, wait_ready

    page = signed_in_page(new_page, app, mailbox)
    wait_ready(page)
    sockets: list = []
    sent: list[str] = []

    def watch(ws) -> None:
        sockets.append(ws)
        ws.on("framesent", lambda payload: sent.append(str(payload)))

    page.on("websocket", watch)
    page.reload()
    wait_ready(page)
    # Playwright delivers frames only while it waits, so nothing slips between the check and the wait.
    if not any("notification_state.refresh" in frame for frame in sent):
        sockets[-1].wait_for_event("framesent", predicate=lambda p: "notification_state.refresh" in str(p))
    sent.clear()
    page.get_by_role("link", name="Contratti", exact=True).first.click()
    page.wait_for_url(app.url("/contratti"))
    wait_ready(page)
    expect(page.get_by_label("Seleziona contratto")).to_be_visible()
    events = [frame for frame in sent if frame.startswith("42")]
    assert any("on_load_internal" in frame for frame in events), events
    assert not any("notification_state" in frame for frame in events), events
