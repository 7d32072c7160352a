"""IDOR sweep through the real websocket: a crafted client signed in as customer A sends every event
handler of the app with customer B's ids (contract numbers and ids, request codes, invoice,
attachment, notification, user and asset ids); nothing of B's may come back in any delta or event,
and none of B's rows may change. Operator handlers sent by a customer, and every handler that is not
public sent with no session, are refused."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import data_fingerprint, db_rows
from tests.security.conftest import sign_in
from tests.security.sweep import SWEEP, Attempt, audience_of, entry_key, portal_handlers
from tests.security.victims import Victim, changed_tables, snapshot
from tests.support.reflex_socket import Answer, ReflexSocket, state_event

# Timers the page runs by itself answer a visitor with nothing at all (no redirect from a timer).
SILENT_FOR_VISITORS = {"NotificationState.refresh"}
ATTACKER_ADDRESSES = ("attacker@sweep.example", "intruso@sweep.example")


def _leaks(answer: Answer, markers: tuple[str, ...], attempt: Attempt | None = None) -> list[str]:
    """The victim's texts in what came back, except those the attacker sent itself: the page's
    address is echoed in the router data, and repeating a guessed id back reveals nothing."""
    sent = json.dumps([attempt.payload, attempt.query, attempt.before, attempt.path], default=str) if attempt else ""
    text = answer.text()
    return [marker for marker in markers if marker in text and marker not in sent]


def _run(tab: ReflexSocket, state, name: str, attempt: Attempt) -> list[Answer]:
    answers = [
        tab.send(state_event(state, before), payload, path=attempt.path, query=attempt.query)
        for before, payload in attempt.before
    ]
    answers.append(tab.send(state_event(state, name), attempt.payload, path=attempt.path, query=attempt.query))
    return answers


def test_every_handler_has_a_sweep_entry():
    handlers = {entry_key(state, name) for state, name, _ in portal_handlers()}
    assert len(handlers) > 60  # the walk really sees the app
    missing = sorted(handlers - SWEEP.keys())
    assert missing == [], "add the handler's attempts (what its arguments are) to tests/security/sweep.py"
    stale = sorted(SWEEP.keys() - handlers)
    assert stale == [], "these sweep entries name handlers the app no longer has"


def _sweep(app, tab, cookie: str, victim: Victim, *, skip_audiences: tuple[str, ...] = ()) -> tuple[list, int]:
    leaks, sent = [], 0
    for state, name, fn in portal_handlers():
        if name in ("logout", "expire") or audience_of(state, fn) in skip_audiences:  # they end the own session
            continue
        connection = tab(cookie)  # a fresh tab per handler: what one left in its state cannot hide another
        for attempt in SWEEP[entry_key(state, name)](victim):
            for answer in _run(connection, state, name, attempt):
                sent += 1
                leaks += [
                    (entry_key(state, name), attempt.query, marker)
                    for marker in _leaks(answer, victim.markers, attempt)
                ]
    return leaks, sent


@pytest.mark.parametrize(("attacker", "target"), [("20417", "10093"), ("10093", "20417")])
def test_a_customer_sending_every_handler_with_another_customers_ids_gets_nothing(
    app, mailbox, tab, cookies, victims, tidy, attacker, target
):
    victim = victims[target]
    tidy.keep_account(attacker)
    tidy.drop_new_requests()
    tidy.drop_new_accounts()
    tidy.drop_new("notification_read")
    before, mail_mark = snapshot(app, victim), mailbox.mark()

    leaks, sent = _sweep(app, tab, cookies(attacker), victim)

    assert sent > 150
    assert leaks == [], f"{attacker} saw {target}'s data"
    # The public recovery pages (forgot password, unlock) may mail the account's OWNER a link: a new
    # token row for the victim is that mail, never a way in for the attacker (checked just below).
    assert [t for t in changed_tables(before, snapshot(app, victim)) if t != "password_reset_token"] == []
    # The sweep also adds a sub-user to the attacker's OWN account (ticking B's contracts): its
    # invitation may reach the attacker's address, but that user is the attacker's and sees none of B's.
    to_attacker = {m["To"] for m in mailbox.messages[mail_mark:] if m["To"] in ATTACKER_ADDRESSES}
    invited = db_rows(
        app,
        "select u.primary_email, c.code, (select count(*) from sub_user_contract g join contract k"
        " on k.id = g.contract_id where g.user_id = u.id and k.customer_id = :victim)"
        " from user_account u join customer c on c.id = u.customer_id where u.primary_email in ('"
        + "', '".join(ATTACKER_ADDRESSES)
        + "')",
        victim=victim.customer_id,
    )
    assert {email for email, _, _ in invited} >= to_attacker, "mail about another customer's account"
    assert [(code, grants) for _, code, grants in invited] == [(attacker, 0)] * len(invited)


def test_the_sweep_would_see_a_leak(app, tab, cookies, victims):
    """The control: the victim's own pages carry the texts the sweep looks for, so a leak would show."""
    from portal.pages.contracts.state import ContractsState
    from portal.pages.notifications import NotificationsPageState
    from portal.pages.request_detail import RequestDetailState

    victim = victims["10093"]
    connection = tab(cookies("10093"))
    seen = "".join(
        connection.send(state_event(state, "load"), path=path, query=query).text()
        for state, path, query in (
            (ContractsState, "/contratti", {"numero": victim.contract_number}),
            (RequestDetailState, "/richieste/dettaglio", {"codice": victim.request_code}),
            (NotificationsPageState, "/notifiche", {}),
        )
    )
    assert victim.contract_number in seen
    assert victim.request_code in seen
    attachment = next(m for m in victim.markers if m.startswith("riservato-10093-"))
    assert attachment in seen


def test_operator_handlers_refuse_a_customer(app, tab, cookies, victims):
    victim, fingerprint = victims["10093"], data_fingerprint(app)
    refused, leaks = [], []
    for state, name, fn in portal_handlers():
        if audience_of(state, fn) != "operator":
            continue
        connection = tab(cookies("20417"))
        for attempt in SWEEP[entry_key(state, name)](victim):
            answers = _run(connection, state, name, attempt)
            last = answers[-1]
            leaks += [
                (entry_key(state, name), marker) for a in answers for marker in _leaks(a, victim.markers, attempt)
            ]
            if not last.redirects() and "toast" not in last.text():
                refused.append(entry_key(state, name))
    assert len({entry for entry, _ in leaks}) == 0, leaks
    assert refused == [], "operator handlers a customer ran without being turned away"
    assert data_fingerprint(app) == fingerprint


def test_every_handler_but_the_public_ones_refuses_a_visitor_without_session(app, tab, victims):
    markers = victims["10093"].markers + victims["20417"].markers
    fingerprint, not_refused, leaks = data_fingerprint(app), [], []
    for state, name, fn in portal_handlers():
        if audience_of(state, fn) == "public":
            continue
        connection = tab("")
        for attempt in SWEEP[entry_key(state, name)](victims["10093"]):
            answers = _run(connection, state, name, attempt)
            leaks += [(entry_key(state, name), marker) for a in answers for marker in _leaks(a, markers, attempt)]
            silent = entry_key(state, name) in SILENT_FOR_VISITORS and answers[-1].events == []
            if not silent and not any(path.startswith("/login") for path in answers[-1].redirects()):
                not_refused.append(entry_key(state, name))
    assert leaks == []
    assert not_refused == [], "handlers that did not send a visitor without session to the login page"
    assert data_fingerprint(app) == fingerprint


def test_logout_ends_only_the_callers_session(app, mailbox, tab, cookies, victims):
    """The one handler the sweep leaves out (it ends the attacker's session): sent with B's page in
    the address, it ends A's session and none of B's."""
    from portal.state.session import SessionState

    victim = victims["10093"]
    cookie = sign_in(app, mailbox, "20417")
    before = snapshot(app, victim)
    answer = tab(cookie).send(
        state_event(SessionState, "logout"), path="/richieste/dettaglio", query={"codice": victim.request_code}
    )
    address = Attempt({}, "/richieste/dettaglio", {"codice": victim.request_code})
    assert _leaks(answer, victim.markers, address) == []
    assert changed_tables(before, snapshot(app, victim)) == []
