"""Status changes from the core system: made as a desk answer (the customer gets the bell notice and
the e-mail), by the company's core-system account; a refused change changes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.integration.outbound import status as outbound
from portal.integration.outbound.errors import InvalidInput, NotFound
from portal.services.access.accounts import SignIn, authenticate
from tests.conftest import NOW
from tests.unit.integration.outbound.conftest import count, open_ticket

URL = "http://portal.test"

# What a status change can leave behind, each counted by plain SQL.
TRACES = {
    "notices": "select count(*) from notification",
    "outbox": "select count(*) from mail_outbox",
    "messages": "select count(*) from request_message",
    "history": "select count(*) from request_status_change",
    "events": "select count(*) from request_event",
    "accounts": "select count(*) from user_account",
    "requests_in_progress": "select count(*) from service_request where status = 'in_progress'",
}


def _traces(db) -> dict[str, int]:
    return {name: count(db, sql) for name, sql in TRACES.items()}


def test_a_status_change_tells_the_customer_as_a_desk_answer_does(db, demo, customer):
    request = open_ticket(db, customer)
    notices, outbox = (
        count(db, "select coalesce(max(id), 0) from notification"),
        count(db, "select coalesce(max(id), 0) from mail_outbox"),
    )
    answer = outbound.apply_status(
        db,
        tenant_id=demo.id,
        code=request.code,
        status="resolved",
        message="IBAN aggiornato dal 1° gennaio.",
        now=NOW,
        public_url=URL,
        reference="CRM-4711",
    )
    assert answer["changed"] is True and answer["status"] == "resolved" and answer["duplicate"] is False
    assert count(db, "select count(*) from service_request where id = :r and status = 'resolved'", r=request.id) == 1
    # the bell of the request's author, and an e-mail to the author's address
    bell = db.execute(
        sa.text("select user_id, request_id, body from notification where id > :m order by id"), {"m": notices}
    ).all()
    assert (customer.id, request.id) in [(row[0], row[1]) for row in bell]
    assert all("IBAN aggiornato dal 1° gennaio." in row[2] for row in bell)
    mails = db.execute(
        sa.text("select to_address, kind, subject from mail_outbox where id > :m order by id"), {"m": outbox}
    ).all()
    address = customer.secondary_email or customer.primary_email
    assert (address, "request_update") in [(row[0], row[1]) for row in mails]
    assert answer["notified"] == len(bell) == len([row for row in mails if row[1] == "request_update"])
    # the message and the history are the core system's
    author = db.execute(
        sa.text(
            "select u.username, u.role, u.is_active, u.password_hash, m.from_service_desk, m.body"
            " from request_message m join user_account u on u.id = m.author_id"
            " where m.request_id = :r order by m.id desc limit 1"
        ),
        {"r": request.id},
    ).one()
    assert tuple(author) == ("integration:aurora", "operator", False, None, True, "IBAN aggiornato dal 1° gennaio.")
    events = db.execute(
        sa.text("select seq, kind, actor, reference from request_event where request_id = :r order by seq"),
        {"r": request.id},
    ).all()
    assert [tuple(row)[1:] for row in events][-2:] == [
        ("request.message_added", "core_system", "CRM-4711"),
        ("request.status_changed", "core_system", "CRM-4711"),
    ]
    assert answer["event_ids"] == [row[0] for row in events][-2:]


def test_the_core_system_account_is_made_once_and_cannot_sign_in(db, demo, customer):
    first, second = open_ticket(db, customer), open_ticket(db, customer, title="Altro")
    accounts = count(db, "select count(*) from user_account")
    for request in (first, second):
        outbound.apply_status(db, tenant_id=demo.id, code=request.code, status="in_progress", now=NOW, public_url=URL)
    assert count(db, "select count(*) from user_account") == accounts + 1
    assert count(db, "select count(*) from user_account where username = 'integration:aurora'") == 1
    outcome, user = authenticate(
        session=db, username="integration:aurora", password="", now=NOW, client_ip="127.0.0.1", public_url=URL
    )
    assert outcome is SignIn.FAILED and user is None


def test_a_retried_call_with_the_same_reference_changes_nothing(db, demo, customer):
    request = open_ticket(db, customer)
    outbound.apply_status(
        db, tenant_id=demo.id, code=request.code, status="waiting_customer", message="Manca il documento", now=NOW,
        public_url=URL, reference="R-1",
    )  # fmt: skip
    before = _traces(db)
    again = outbound.apply_status(
        db, tenant_id=demo.id, code=request.code, status="waiting_customer", message="Manca il documento", now=NOW,
        public_url=URL, reference="R-1",
    )  # fmt: skip
    assert again == {
        "code": request.code,
        "status": "waiting_customer",
        "changed": False,
        "duplicate": True,
        "notified": 0,
        "event_ids": [],
    }
    assert _traces(db) == before


def test_the_same_status_without_a_message_changes_nothing(db, demo, customer):
    request = open_ticket(db, customer)
    outbound.apply_status(db, tenant_id=demo.id, code=request.code, status="in_progress", now=NOW, public_url=URL)
    before = _traces(db)
    answer = outbound.apply_status(
        db, tenant_id=demo.id, code=request.code, status="in_progress", now=NOW, public_url=URL
    )
    assert answer["changed"] is False and _traces(db) == before


@pytest.mark.parametrize(
    ("status", "message", "error"),
    [
        ("done", "", InvalidInput),  # not a status
        ("submitted", "", InvalidInput),  # only a customer's submission makes it
        ("IN_PROGRESS", "", InvalidInput),  # codes are lower case
        ("in_progress", "x" * 5001, InvalidInput),  # longer than a thread message
    ],
)
def test_a_refused_change_changes_nothing(db, demo, customer, status, message, error):
    request = open_ticket(db, customer)
    before = _traces(db)
    with pytest.raises(error):
        outbound.apply_status(
            db, tenant_id=demo.id, code=request.code, status=status, message=message, now=NOW, public_url=URL
        )
    assert _traces(db) == before
    assert count(db, "select count(*) from service_request where id = :r and status = 'submitted'", r=request.id) == 1


def test_an_unknown_code_or_another_companys_request_is_not_found(db, demo, customer, other):
    mine = open_ticket(db, customer)
    before = _traces(db)
    with pytest.raises(NotFound):
        outbound.apply_status(db, tenant_id=demo.id, code="RIC-2026-999999", status="resolved", now=NOW, public_url=URL)
    with pytest.raises(NotFound):  # the other company's core system names our request
        outbound.apply_status(
            db, tenant_id=other.tenant.id, code=mine.code, status="resolved", message="x", now=NOW, public_url=URL
        )
    with pytest.raises(NotFound):  # and ours names theirs
        outbound.apply_status(
            db, tenant_id=demo.id, code=other.request.code, status="resolved", now=NOW, public_url=URL
        )
    assert _traces(db) == before
    assert count(db, "select count(*) from service_request where status = 'resolved' and id in (:a, :b)",
                 a=mine.id, b=other.request.id) == 0  # fmt: skip
