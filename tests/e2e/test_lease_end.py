"""End of lease and art. 119 copies (issue 15), as the customer and the service desk use them.

The demo's Trasporti Rinaldi (account 50731) has contract 99120, a vehicle lease that ends 60 to
90 days after today, and a request for copies of documentation filed 80 days ago (due in 10 days).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from playwright.sync_api import expect

from tests.e2e.conftest import (
    db_rows,
    euro,
    italian_today,
    max_id,
    normalise,
    signed_in_page,
    text_of,
    visit,
    wait_ready,
)
from tests.e2e.test_accessibility import assert_accessible

NUMBER = "99120"
CENT = D("0.01")


def _cents(value: D) -> D:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _short(day: dt.date) -> str:
    return day.strftime("%d/%m/%y")


def test_the_end_of_lease_options_and_a_choice(new_page, app, mailbox, tidy):
    tidy.drop_new_requests()
    end, residual, vat_rate, rate = _read_terms(app)
    # the figures by hand: the riscatto with VAT as the invoices charge it, and the 12-month
    # extension's rent: residual × (1 + rate) / 12
    vat = _cents(residual * vat_rate / 100)
    rent = _cents(residual * (1 + rate) / 12)
    rent_total = rent + _cents(rent * vat_rate / 100)
    days = (end - italian_today()).days
    assert 0 < days <= 120

    customer = signed_in_page(new_page, app, mailbox, "50731")
    home = customer.locator("#home-lease-end")
    expect(home).to_contain_text(f"Il contratto {NUMBER} termina il {_short(end)}, tra {days} giorni.")
    assert text_of(customer, "#home-lease-end-residual") == euro(residual)
    assert text_of(customer, "#home-lease-end-total") == euro(residual + vat)
    assert text_of(customer, "#home-lease-end-extension-rent") == euro(rent)
    assert_accessible(customer, "Home with the end-of-lease options")

    # a second tab already on the contract page: it will try a second choice later
    other_tab = customer.context.new_page()
    customer.locator(".lease-end-go").click()
    customer.wait_for_url(f"**/contratti**numero={NUMBER}**")
    wait_ready(customer)
    card = customer.locator("#lease-end-card")
    expect(card).to_be_visible()
    assert text_of(customer, "#lease-end-residual") == euro(residual)
    assert text_of(customer, "#lease-end-vat") == euro(vat)
    assert text_of(customer, "#lease-end-total") == euro(residual + vat)
    assert text_of(customer, "#lease-end-extension-rent") == euro(rent)
    assert text_of(customer, "#lease-end-extension-total") == euro(rent_total)
    expect(card).to_contain_text("La fattura di riscatto comparirà in Fatture e pagamenti")
    assert_accessible(customer, "contract page with the end-of-lease options")
    visit(other_tab, app, f"/contratti?numero={NUMBER}")
    expect(other_tab.locator("#lease-end-choose-return")).to_be_visible()

    # riscatto, after the confirmation
    mark = max_id(app, "service_request")
    customer.locator("#lease-end-choose-purchase").click()
    dialog = customer.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Vuoi riscattare il bene al valore residuo indicato, per il contratto {NUMBER}")
    assert_accessible(customer, "the confirmation dialog")
    customer.locator("#lease-end-confirm-purchase").click()
    expect(customer.locator("#lease-end-chosen")).to_contain_text("Hai scelto: riscatto.")
    rows = db_rows(
        app,
        "select r.code, r.form_key, r.status, r.payload, c.number from service_request r"
        " join contract c on c.id = r.contract_id where r.id > :m",
        m=mark,
    )
    assert len(rows) == 1
    code, form_key, status, payload, number = rows[0]
    assert (form_key, status, number) == ("lease_end", "submitted", NUMBER)
    assert json.loads(payload)["lease_end"] == {
        "contract": NUMBER,
        "choice": "purchase",
        "end_date": end.isoformat(),
        "residual_value": str(residual),
        "vat_rate": str(vat_rate),
        "vat": str(vat),
        "total": str(residual + vat),
    }
    # the core system's feed has it
    assert db_rows(
        app,
        "select e.kind from request_event e join service_request r on r.id = e.request_id where r.code = :c",
        c=code,
    ) == [("request.opened",)]
    expect(customer.locator("#lease-end-request")).to_have_attribute("href", f"/richieste/dettaglio?codice={code}")

    # the other tab still offers the choices: a second one is refused and nothing changes
    other_tab.locator("#lease-end-choose-return").click()
    other_tab.locator("#lease-end-confirm-return").click()
    expect(other_tab.get_by_text("Hai già indicato una scelta per questo contratto")).to_be_visible()
    assert db_rows(app, "select count(*) from service_request where id > :m", m=mark) == [(1,)]

    # Home shows the choice with its request
    visit(customer, app, "/")
    expect(customer.locator("#home-lease-end-chosen")).to_contain_text("Hai scelto: riscatto.")
    expect(customer.locator("#home-lease-end-request")).to_contain_text(code)

    # the desk sees it, by its type
    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    visit(operator, app, "/operatore/richieste")
    operator.locator("#desk-type").select_option("lease_end")
    operator.locator("#desk-apply").click()
    expect(operator.locator(".desk-row")).to_have_count(1)
    expect(operator.locator(".desk-row")).to_have_attribute("data-code", code)


def _read_terms(app) -> tuple[dt.date, D, D, D]:
    end, residual, vat_rate, rate = db_rows(
        app, "select end_date, residual_value, vat_rate, annual_rate from contract where number = :n", n=NUMBER
    )[0]
    # SQLite hands numbers back as floats: the stored values have two decimals (rates: six)
    return dt.date.fromisoformat(str(end)), _cents(D(str(residual))), _cents(D(str(vat_rate))), D(str(rate))


def test_copies_of_documentation_with_their_legal_deadline(new_page, app, mailbox, tidy):
    tidy.drop_new_requests()
    today = italian_today()
    customer = signed_in_page(new_page, app, mailbox, "50731")
    customer.locator("#self-service").get_by_role(
        "link", name="Fai richiesta: Richiesta copia documentazione (art. 119 TUB)"
    ).click()
    customer.wait_for_url("**/richieste/nuova**")
    wait_ready(customer)
    assert_accessible(customer, "the art. 119 form")
    mark = max_id(app, "service_request")
    # eleven years back: refused with the field's own message, nothing stored
    customer.locator("#field-period_from").fill(today.replace(year=today.year - 11, day=1).isoformat())
    customer.locator("#field-period_to").fill(today.isoformat())
    customer.locator("#field-documents").select_option("invoices")
    customer.locator("#field-delivery").select_option("pec")
    customer.locator("#form-submit").click()
    expect(customer.locator("#field-period_from-error")).to_have_text(
        "Si possono chiedere le copie degli ultimi 10 anni: scegli una data più recente."
    )
    assert db_rows(app, "select count(*) from service_request where id > :m", m=mark) == [(0,)]
    customer.locator("#field-period_from").fill(today.replace(year=today.year - 3, month=1, day=1).isoformat())
    customer.locator("#field-contract").select_option(NUMBER)
    customer.locator("#form-submit").click()
    customer.wait_for_url("**/richieste/dettaglio**")
    wait_ready(customer)
    (code, due_on, form_key) = db_rows(app, "select code, due_on, form_key from service_request where id > :m", m=mark)[
        0
    ]
    due = today + dt.timedelta(days=90)
    assert (form_key, str(due_on)) == ("copies_119", due.isoformat())
    expect(customer.locator("#request-due")).to_have_text(_short(due))  # 90 days: no warning yet
    visit(customer, app, f"/richieste/dettaglio?codice={code}")  # the page at rest, without the sent toast
    expect(customer.locator("#request-due")).to_have_text(_short(due))
    assert_accessible(customer, "the request with its legal deadline")

    # the desk: requests with a legal deadline, the nearest first; the demo's is due in 10 days
    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    visit(operator, app, "/operatore/richieste")
    operator.locator("#desk-deadline").select_option("with")
    operator.locator("#desk-sort").select_option("deadline")
    operator.locator("#desk-apply").click()
    expected = db_rows(
        app,
        "select code, due_on from service_request where due_on is not null"
        " and status not in ('resolved', 'rejected') order by due_on, id desc",
    )
    expect(operator.locator(".desk-row")).to_have_count(len(expected))
    codes = operator.locator(".desk-row").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert codes == [row[0] for row in expected] and code in codes
    demo_code, demo_due = expected[0]
    assert dt.date.fromisoformat(str(demo_due)) == today + dt.timedelta(days=10)
    first_due = normalise(operator.locator(".desk-row").first.locator(".desk-due").inner_text())
    assert "In scadenza" in first_due and _short(today + dt.timedelta(days=10)) in first_due
    mine = operator.locator(f".desk-row[data-code='{code}'] .desk-due")
    expect(mine).to_have_text(_short(due))
    assert_accessible(operator, "the desk queue with legal deadlines")
    operator.locator(".desk-row").first.get_by_role("link", name=demo_code).click()
    operator.wait_for_url("**/operatore/richieste/dettaglio**")
    wait_ready(operator)
    expect(operator.locator("#request-due")).to_contain_text(_short(today + dt.timedelta(days=10)))
    expect(operator.locator("#request-due")).to_contain_text("In scadenza")
    assert_accessible(operator, "the desk's request with its legal deadline")
