"""The hostile suite's fixtures: the real app as production runs it (demo mode off), on its own
seeded database and port, with a real SMTP mailbox; crafted clients that sign in as a user does
(password, then the code the mail brought) and then speak Reflex's websocket and the HTTP routes
directly, as an attacker's script would.

The app is started by the browser tests' helpers (tests/e2e/conftest.py), with the small demo data
set (the suite needs two customers, not the fleet) and PORTAL_DEMO_MODE=0.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from portal.seed.demo import DEMO_PASSWORD
from portal.services.access.sessions import SESSION_COOKIE
from tests.e2e.conftest import (
    Mailbox,
    RunningApp,
    Tidy,
    _app_environment,
    _free_port,
    address_of,
    db_rows,
    italian_today,
    own_web_workdir,
    serving,
)
from tests.security.victims import Victim, attach_file, victim
from tests.support import app_process
from tests.support.reflex_socket import ReflexSocket, state_event

__all__ = ["Victim", "db_rows"]

OPERATOR = "servicedesk"


@pytest.fixture(scope="session")
def mailbox() -> Mailbox:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="session")
def app(tmp_path_factory, mailbox) -> RunningApp:
    tmp = tmp_path_factory.mktemp("security")
    port = _free_port()
    database_url = f"sqlite:///{tmp / 'security.db'}"
    env = _app_environment(tmp, port, database_url, mailbox.port)
    env["PORTAL_DEMO_MODE"] = "0"  # as production runs: the demo mailbox must be closed
    env["PORTAL_ALLOWED_ORIGINS"] = f"http://127.0.0.1:{port}"
    env.pop("PORTAL_EXTRA_FORMS", None)
    env["REFLEX_WEB_WORKDIR"] = own_web_workdir("security")
    env["TMPDIR"] = str(tmp / "tmp")  # where the server spools upload bodies: test_upload_attacks.py watches it
    (tmp / "tmp").mkdir()
    today = italian_today()
    app_process.prepare_database(env, "--size", "demo", "--as-of", today.isoformat())
    # Outside demo mode the seed gives random passwords: the suite sets its own on the accounts it uses.
    _set_password(database_url, ("10093", "20417", OPERATOR), DEMO_PASSWORD)
    with serving(env, database_url, today, tmp) as running:
        running.temp_dir = tmp / "tmp"
        yield running


def _set_password(database_url: str, usernames: tuple[str, ...], password: str) -> None:
    from portal.services.access.passwords import hash_password

    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        for username in usernames:
            connection.execute(
                sa.text("update user_account set password_hash = :h, must_change_password = false where username = :u"),
                {"h": hash_password(password), "u": username},
            )
    engine.dispose()


@pytest.fixture(autouse=True)
def _no_error_logged(request):
    """Whatever a hostile client sends, the app answers it without logging an ERROR or a traceback."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    app.new_log_errors()
    yield
    errors = app.new_log_errors()
    assert errors == [], "the app logged errors:\n" + "\n".join(errors)


_TICKET = re.compile(r'ticket\\*"\s*:\s*\\*"([A-Za-z0-9_\-]+)')


def sign_in(app: RunningApp, mailbox: Mailbox, username: str, password: str = DEMO_PASSWORD) -> str:
    """Sign in as the login page does, over the websocket: password, the code from the mail, then the
    one-time ticket traded for the session cookie at /api/sessione. Returns the Cookie header."""
    from portal.pages.login import LoginState

    with ReflexSocket(app.base_url) as tab:
        since = mailbox.mark()
        answer = tab.send(
            state_event(LoginState, "submit"),
            {"form_data": {"username": username, "password": password}},
            path="/login",
        )
        assert answer.var("step") == "code", answer.text()[:2000]
        code = mailbox.code(address_of(app, username), since)
        answer = tab.send(state_event(LoginState, "verify_code"), {"form_data": {"code": code}}, path="/login")
    found = _TICKET.search(answer.text())
    assert found, f"no sign-in ticket in {answer.text()[:2000]}"
    response = httpx.post(app.url("/api/sessione"), json={"ticket": found.group(1)}, headers={"Origin": app.base_url})
    assert response.status_code == 204, response.status_code
    return f"{SESSION_COOKIE}={response.cookies[SESSION_COOKIE]}"


@pytest.fixture(scope="session")
def cookies(app, mailbox):
    """Session cookies by username, signed in once per run (the sweep does not sign anyone out)."""
    known: dict[str, str] = {}

    def cookie_of(username: str) -> str:
        if username not in known:
            known[username] = sign_in(app, mailbox, username)
        return known[username]

    return cookie_of


@pytest.fixture
def tab(app):
    """Open crafted tabs (websocket connections), closed after the test."""
    opened: list[ReflexSocket] = []

    def open_tab(cookie: str = "") -> ReflexSocket:
        socket = ReflexSocket(app.base_url, cookie=cookie, token=str(uuid.uuid4()))
        opened.append(socket)
        return socket

    yield open_tab
    for socket in opened:
        socket.close()


@pytest.fixture
def tidy(app):
    keeper = Tidy(app)
    try:
        yield keeper
    finally:
        keeper.close()


@pytest.fixture(scope="session")
def victims(app) -> dict[str, Victim]:
    """What each customer owns, read from the database, with one stored attachment each (the demo
    data has none) so attachment ids are swept too."""
    for code in ("10093", "20417"):
        attach_file(app, code)
    return {code: victim(app, code) for code in ("10093", "20417")}


def engine_of(app: RunningApp) -> sa.Engine:
    return app.engine


def private_dir(app: RunningApp) -> Path:
    return app.private_dir
