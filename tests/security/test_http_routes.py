"""The HTTP route sweep: every route the app serves (read from the app: tests/security/http_sweep.py)
is called without a session, by customer A with customer B's ids (attachments, invoices as PDF and
XML, contracts for payoff estimates and statements, download tickets, B's pending authenticator
key, B's stored files through the static folders), in both directions, and with the wrong methods.
Nothing of B's may come back: no status but a refusal, none of B's texts, none of B's file bytes,
no document. The controls prove that each route does serve its caller's own data, so a refusal test
can fail. The figures (routes swept, requests, leaks) are printed at the end of the module."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
import sqlalchemy as sa

from portal import routes
from portal.services.access.sessions import SESSION_COOKIE
from portal.web.session_digest import DIGEST_COOKIE
from tests.e2e.conftest import data_fingerprint, db_rows, max_id
from tests.security.conftest import OPERATOR, sign_in
from tests.security.http_sweep import (
    APP_ORIGIN,
    SWEEP,
    Call,
    Holdings,
    files_under,
    holdings,
    looks_like_a_document,
    new_totp_secret,
    report_line,
    served_routes,
    session_digest,
    wrong_methods,
)
from tests.security.victims import changed_tables, snapshot

CUSTOMERS = ("10093", "20417")


@dataclasses.dataclass
class Tally:
    routes: set[str] = dataclasses.field(default_factory=set)
    requests: int = 0
    leaks: list[tuple] = dataclasses.field(default_factory=list)

    def line(self) -> str:
        return (
            f"HTTP route sweep: routes swept: {len(self.routes)}, requests: {self.requests}, leaks: {len(self.leaks)}"
        )


TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def _figures(request):
    """The closing note's figures, printed once the module has run (also without -s)."""
    yield
    if TALLY.requests:
        report_line(request.config, TALLY.line())


_SET_TOTP = sa.text("update user_account set totp_pending_secret = :s where username = :u")


@pytest.fixture(scope="module")
def owned(app, victims):
    """Both customers' holdings, each with a pending authenticator key (restored afterwards)."""
    keys = {code: new_totp_secret() for code in CUSTOMERS}
    before = {
        code: db_rows(app, "select totp_pending_secret from user_account where username = :u", u=code)[0][0]
        for code in CUSTOMERS
    }
    with app.engine.begin() as connection:
        for code in CUSTOMERS:
            connection.execute(_SET_TOTP, {"s": keys[code], "u": code})
    yield {code: holdings(app, victims[code], keys[code]) for code in CUSTOMERS}
    with app.engine.begin() as connection:
        for code in CUSTOMERS:
            connection.execute(_SET_TOTP, {"s": before[code], "u": code})


def _send(app, route: str, call: Call, cookie: str = "", method: str | None = None) -> httpx.Response:
    headers = {key: value.replace(APP_ORIGIN, app.base_url) for key, value in call.headers.items()}
    if cookie:
        headers["Cookie"] = cookie
    TALLY.routes.add(route)
    TALLY.requests += 1
    return httpx.request(
        method or call.method,
        app.url(call.path),
        headers=headers,
        json=call.json,
        content=call.content,
        follow_redirects=False,
        timeout=30,
    )


RANDOM_HEADERS = {"x-request-id"}


def _leaks(response: httpx.Response, *whose: Holdings) -> list[str]:
    """B's texts, keys and file bytes in what came back (headers included: a file name is one). The
    request id is left out: 32 random hex digits the server makes for its logs hold a 5-digit
    contract number by chance about once in 30,000 answers, and the sweep reads thousands."""
    body = response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items() if k.lower() not in RANDOM_HEADERS)
    text = body.decode("utf-8", errors="replace") + "\n" + headers
    found = [marker for h in whose for marker in (*h.who.markers, *h.secrets) if marker in text]
    found += [f"{len(data)} bytes of a stored file" for h in whose for data in h.file_bytes if data in body]
    return found


def _check_refused(route: str, call: Call, response: httpx.Response, allowed: frozenset[int], *whose: Holdings):
    problems = []
    if response.status_code not in allowed:
        problems.append(f"status {response.status_code}")
    if allowed <= {400, 401, 403, 404, 405} and looks_like_a_document(response.headers.get("content-type", "")):
        problems.append(f"a document ({response.headers['content-type']})")
    if SESSION_COOKIE in response.headers.get("set-cookie", "") and "Max-Age=0" not in response.headers["set-cookie"]:
        problems.append("a session cookie")
    leaked = _leaks(response, *whose)
    if leaked:
        TALLY.leaks.append((route, call.method, call.path, leaked))
    return problems + leaked


def test_every_route_has_a_sweep_entry():
    served = served_routes()
    assert len(served) >= 14  # the walk really sees the app: the portal's 8 routes and Reflex's own
    missing = sorted(served - SWEEP.keys() - {"/{path}"})
    assert missing == [], "add the route's attempts (who may call it, with what) to tests/security/http_sweep.py"
    stale = sorted(SWEEP.keys() - served - {"/{path}"})
    assert stale == [], "these sweep entries name routes the app no longer has"


def test_the_routes_the_table_names_are_the_ones_the_app_serves(app, owned):
    """The table's routes are really there (a control for the 404s below): each own call of a
    served route answers something else than the frontend's "no such page"."""
    absent = {route for route, entry in SWEEP.items() if entry.audience == "absent"}
    for route in absent:
        for call in SWEEP[route].attempts(owned["10093"]):
            assert _send(app, route, call).status_code == 404
    # the upload endpoint exists: without a session it answers the gate's 401, not 404 or 405
    assert _send(app, "/_upload", SWEEP["/_upload"].attempts(owned["10093"])[0]).status_code == 401


@pytest.mark.parametrize("forged", ["none", "invented", "digest-as-token", "digest-cookie"])
def test_no_route_serves_anything_without_a_session(app, cookies, owned, forged):
    """Every attempt of every route, with no session or a forged one: the victim's session digest
    (what the states hold) sent as the token, or under the digest's own cookie name."""
    digest = session_digest(cookies("10093"))
    cookie = {
        "none": "",
        "invented": f"{SESSION_COOKIE}={'A' * 43}",
        "digest-as-token": f"{SESSION_COOKIE}={digest}",
        "digest-cookie": f"{DIGEST_COOKIE}={digest}",
    }[forged]
    fingerprint, problems = data_fingerprint(app), []
    for route, entry in SWEEP.items():
        allowed = entry.anonymous or entry.refused
        for code in CUSTOMERS:
            for call in entry.attempts(owned[code].sample()):
                response = _send(app, route, call, cookie)
                problems += [
                    (route, call.path, p) for p in _check_refused(route, call, response, allowed, *owned.values())
                ]
            for call in entry.own(owned[code]) if entry.own else []:
                if entry.audience in ("customer", "signed_in"):
                    response = _send(app, route, call, cookie)
                    found = _check_refused(route, call, response, allowed, *owned.values())
                    problems += [(route, call.path, p) for p in found]
    assert problems == []
    assert data_fingerprint(app) == fingerprint


@pytest.mark.parametrize(("attacker", "target"), [("20417", "10093"), ("10093", "20417")])
def test_a_customer_fetching_another_customers_ids_gets_nothing(app, cookies, owned, tidy, attacker, target):
    victim, cookie = owned[target], cookies(attacker)
    # the attacker has no enrolment of their own in progress: the QR route has nothing to show them
    tidy.keep_rows("user_account", "username = :u", u=attacker)
    with app.engine.begin() as connection:
        connection.execute(_SET_TOTP, {"s": None, "u": attacker})
    before, files = snapshot(app, victim.who), files_under(app.private_dir / "attachments")
    ticket_mark = max_id(app, "download_ticket")
    problems = []
    for route, entry in SWEEP.items():
        for call in entry.attempts(victim):
            response = _send(app, route, call, cookie)
            problems += [
                (route, call.method, call.path, p) for p in _check_refused(route, call, response, entry.refused, victim)
            ]
    assert problems == [], f"{attacker} got {target}'s data"
    assert changed_tables(before, snapshot(app, victim.who)) == []
    assert files_under(app.private_dir / "attachments") == files  # the uploads staged nothing for anyone
    # the victim's ticket the attacker tried is still unused: a refused attempt spends nothing
    tried = db_rows(app, "select user_id, used_at from download_ticket where id > :m", m=ticket_mark)
    assert tried == [(victim.main_user_id, None)]


@pytest.mark.parametrize("caller", CUSTOMERS)
def test_each_route_serves_its_callers_own_data(app, cookies, owned, caller):
    """The control: the same routes, with the caller's own ids, do answer (so the refusals above
    are the ownership checks, not a route that serves nobody)."""
    mine, cookie = owned[caller], cookies(caller)
    served = []
    for route, entry in SWEEP.items():
        if entry.own is None:
            continue
        for call in entry.own(mine):
            response = _send(app, route, call, cookie)
            assert response.status_code in (200, 204), (route, call.path, response.status_code)
            served.append((route, response))
    by_route = dict(served)
    assert by_route[routes.API_ATTACHMENT].content in mine.file_bytes
    assert by_route[routes.API_PAYOFF].content.startswith(b"%PDF")
    assert by_route[routes.API_STATEMENT].content.startswith(b"%PDF")
    invoice_number = mine.invoices[0][1]
    pdf, xml = [r for route, r in served if route == routes.API_INVOICE]
    assert pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    assert invoice_number in xml.text
    assert mine.secrets[1] in by_route[routes.API_TOTP_QR].text
    assert by_route[routes.API_DOWNLOAD].content in mine.file_bytes
    assert by_route[routes.API_MY_DATA].content in mine.file_bytes  # issue 15: the copy of the data
    assert by_route[routes.API_V1_REQUEST_ATTACHMENT].content in mine.file_bytes
    assert by_route[routes.API_V1_REQUESTS].json()["events"] == []
    # and the other customer's texts are in none of them
    other = owned[next(code for code in CUSTOMERS if code != caller)]
    assert [(route, _leaks(r, other)) for route, r in served if _leaks(r, other)] == []


def test_signing_in_is_the_control_of_the_session_route(app, mailbox):
    """The sign-in route's refusals above (forged tickets, a post from another site) are not a
    route that opens nothing: a real ticket, posted by the portal's page, opens a session."""
    TALLY.requests += 1
    TALLY.routes.add(routes.API_SIGN_IN)
    assert sign_in(app, mailbox, "20417").startswith(f"{SESSION_COOKIE}=")


def test_the_operator_reads_a_customers_file_but_no_customer_document(app, cookies, owned):
    """Audiences: the attachment route serves the service desk too (its "signed_in"); the customer
    document routes serve customers only; no route is for the service desk alone (a customer calling
    one would be refused by the sweep above)."""
    assert [route for route, entry in SWEEP.items() if entry.audience == "operator"] == []
    cookie = cookies(OPERATOR)
    customer = owned["10093"]
    answer = _send(app, routes.API_ATTACHMENT, Call("GET", routes.attachment_url(customer.attachment_ids[0])), cookie)
    assert answer.status_code == 200 and answer.content in customer.file_bytes
    problems = []
    for route, entry in SWEEP.items():
        if entry.audience != "customer":
            continue
        for call in entry.own(customer) if entry.own else []:
            response = _send(app, route, call, cookie)
            problems += [(route, call.path, p) for p in _check_refused(route, call, response, entry.refused, customer)]
    assert problems == []


@pytest.mark.parametrize("caller", CUSTOMERS)
def test_wrong_methods_are_refused(app, cookies, owned, caller):
    """Each route's own (control) call, with the methods the route does not take: refused, and
    nothing served or changed."""
    mine, cookie = owned[caller], cookies(caller)
    fingerprint, problems = data_fingerprint(app), []
    for route, entry in SWEEP.items():
        calls = entry.own(mine) if entry.own else entry.attempts(mine)[:1]
        for call in calls[:1]:
            for method in wrong_methods(entry):
                response = _send(app, route, call, cookie, method=method)
                problems += [
                    (route, method, p)
                    for p in _check_refused(route, call, response, entry.wrong_method, *owned.values())
                ]
    assert problems == []
    assert data_fingerprint(app) == fingerprint


def test_the_figures(app):
    """The sweep's figures, for the closing note; no leak was recorded by any test above."""
    assert TALLY.leaks == [], TALLY.leaks
    assert len(TALLY.routes) >= 14, TALLY.line()
    print(TALLY.line())
