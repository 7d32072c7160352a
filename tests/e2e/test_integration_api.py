"""The core system and the portal, end to end over HTTP on a running portal: an operator creates an
API key with the command; the core system sends a new contract with its plan and an invoice as a
batch; the customer finds the invoice in the bell and in Fatture e pagamenti and the contract in
Contratti; the core system reads the customer's requests, takes one in hand with a message, and the
customer reads it in the request's thread."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from decimal import Decimal

import httpx
import pytest
from playwright.sync_api import expect

from portal import routes
from portal.config import PROJECT_ROOT
from tests.e2e.conftest import (
    db_rows,
    euro,
    normalise,
    own_web_workdir,
    running_app,
    signed_in_page,
    wait_ready,
)

CONTRACT = "E2E-K1"
INVOICE = "E2E/000001"
TAKEN = "Presa in carico dal nostro ufficio contratti: vi richiamiamo entro domani."


@pytest.fixture(scope="module")
def core_app(tmp_path_factory, mailbox, app):
    """A portal of its own: the batch adds a contract and an invoice that other tests must not see."""
    with running_app(
        tmp_path_factory.mktemp("core"), mailbox, size="demo", REFLEX_WEB_WORKDIR=own_web_workdir("core")
    ) as running:
        yield running


def _api_key(core_app) -> str:
    """The token `keys create` prints, as an operator would copy it."""
    done = subprocess.run(
        [sys.executable, "-m", "portal.integration", "keys", "create", "core-e2e"]
        + ["--scope", "records:write", "--scope", "requests:read", "--scope", "requests:write"],
        cwd=PROJECT_ROOT,
        env=core_app.env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _batch(today: dt.date) -> dict:
    """A contract of customer 10093 (10,000.00 financed: advance 1,000.00 + two instalments of 4,000.00
    principal + residual 1,000.00) and the invoice of its advance, issued today."""
    day = today.isoformat()

    def line(position, kind, number, months, principal, interest, residual_capital):
        due = (today + dt.timedelta(days=30 * months)).isoformat()
        return {
            "contract_number": CONTRACT,
            "position": position,
            "kind": kind,
            "number": number,
            "due_date": due,
            "amount": str(Decimal(principal) + Decimal(interest)),
            "principal": principal,
            "interest": interest,
            "residual_capital": residual_capital,
            "competence_start": due,
            "competence_end": due,
        }

    return {
        "records": {
            "contract": [
                {
                    "number": CONTRACT,
                    "customer_code": "10093",
                    "module_number": "1",
                    "product": "Leasing strumentale",
                    "product_code": "equipment",
                    "signed_on": day,
                    "start_date": day,
                    "end_date": (today + dt.timedelta(days=90)).isoformat(),
                    "amount": "10000.00",
                    "advance": "1000.00",
                    "residual_value": "1000.00",
                    "instalment_amount": "4050.00",
                    "instalment_count": 2,
                    "duration_months": 3,
                    "annual_rate": "0.0500",
                    "beneficiary_code": "F-E2E",
                    "beneficiary_name": "Forniture Prova S.r.l.",
                }
            ],
            "schedule_line": [
                line(1, "advance", 0, 0, "1000.00", "0.00", "9000.00"),
                line(2, "instalment", 1, 1, "4000.00", "50.00", "5000.00"),
                line(3, "instalment", 2, 2, "4000.00", "50.00", "1000.00"),
                line(4, "residual_value", 3, 3, "1000.00", "0.00", "0.00"),
            ],
            "invoice": [
                {
                    "number": INVOICE,
                    "kind": "invoice",
                    "customer_code": "10093",
                    "contract_number": CONTRACT,
                    "schedule_line_position": 1,
                    "issue_date": day,
                    "due_date": (today + dt.timedelta(days=15)).isoformat(),
                    "description": f"Rata anticipata contratto {CONTRACT}",
                    "taxable_amount": "1000.00",
                    "vat_amount": "220.00",
                    "total": "1220.00",
                    "payment_method": "bank_transfer",
                }
            ],
            "invoice_line": [
                {
                    "invoice_number": INVOICE,
                    "line_number": 1,
                    "description": "Rata anticipata",
                    "unit_price": "1000.00",
                    "taxable_amount": "1000.00",
                    "vat_rate": "22.00",
                    "vat_amount": "220.00",
                }
            ],
        }
    }


def test_the_core_system_feeds_the_portal_and_answers_a_request(new_page, core_app, mailbox):
    token = _api_key(core_app)
    core = httpx.Client(base_url=core_app.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    unread_before = db_rows(
        core_app,
        "select count(*) from notification n join user_account u on u.id = n.user_id"
        " where u.username = '10093' and n.kind = 'document'",
    )[0][0]

    answer = core.post(routes.API_V1_BATCHES, json=_batch(core_app.today))

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["outcome"], report["warnings"], report["rejections"]) == ("imported", [], [])
    created = {name: counts["created"] for name, counts in report["counts"].items() if counts["created"]}
    assert created == {"contract": 1, "schedule_line": 4, "invoice": 1, "invoice_line": 1}
    assert db_rows(core_app, "select source, outcome, created from import_run order by id desc limit 1") == [
        ("api:core-e2e", "imported", 7)
    ]
    # the invoice was published as the billing run publishes: one bell notice for the customer's owner
    assert db_rows(
        core_app,
        "select count(*) from notification n join user_account u on u.id = n.user_id"
        " where u.username = '10093' and n.kind = 'document'",
    ) == [(unread_before + 1,)]

    customer = signed_in_page(new_page, core_app, mailbox, "10093")
    customer.locator("#bell-button").click()
    expect(customer.locator("#bell-list .notice-item").first).to_contain_text(f"Nuova fattura {INVOICE}")
    customer.keyboard.press("Escape")

    customer.get_by_role("navigation").get_by_role("link", name="Fatture e pagamenti").click()
    customer.wait_for_url("**/fatture-e-pagamenti**")
    wait_ready(customer)
    row = customer.locator(f".document-row[data-number='{INVOICE}']")
    expect(row).to_be_visible()
    expect(row).to_contain_text(CONTRACT)
    expect(row).to_contain_text(euro(Decimal("1220.00")).replace(" ", "\xa0"))
    expect(row).to_have_attribute("data-status", "to_be_due")

    customer.get_by_role("navigation").get_by_role("link", name="Contratti").click()
    customer.wait_for_url("**/contratti**")
    wait_ready(customer)
    customer.get_by_label("Seleziona contratto").select_option(CONTRACT)
    customer.wait_for_url(re.compile(f"numero={CONTRACT}"))
    expect(customer.locator("#contract-title")).to_have_text(f"{CONTRACT}/1")
    expect(customer.locator("#contract-amount-full")).to_have_text(euro(Decimal("10000.00")).replace(" ", "\xa0"))

    # the core system collects the customers' requests and takes one of 10093's in hand
    feed = core.get(routes.API_V1_REQUESTS, params={"limit": 500})
    assert feed.status_code == 200, feed.text
    open_codes = db_rows(
        core_app,
        "select r.code from service_request r join customer c on c.id = r.customer_id"
        " where c.code = '10093' and r.status = 'submitted' order by r.id",
    )
    assert open_codes, "the demo data has a submitted request of 10093"
    code = open_codes[0][0]
    assert code in {request["code"] for request in feed.json()["requests"]}

    changed = core.post(
        routes.api_request_status_url(code), json={"status": "in_progress", "message": TAKEN, "reference": "CRM-1"}
    )

    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["changed"]) == ("in_progress", True)
    assert db_rows(core_app, "select status from service_request where code = :c", c=code) == [("in_progress",)]
    again = core.post(
        routes.api_request_status_url(code), json={"status": "in_progress", "message": TAKEN, "reference": "CRM-1"}
    )
    assert again.json()["duplicate"] is True  # the core system's retry changes nothing
    assert db_rows(
        core_app,
        "select count(*) from request_message m join service_request r on r.id = m.request_id"
        " where r.code = :c and m.body = :b",
        c=code,
        b=TAKEN,
    ) == [(1,)]

    customer.goto(core_app.url(routes.request_url(code)))
    wait_ready(customer)
    expect(customer.locator("#request-thread")).to_contain_text(TAKEN)
    assert normalise(customer.locator("#request-status").inner_text()) == "In lavorazione"
