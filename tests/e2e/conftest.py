"""Browser tests: the real app (production build, one port) in Chromium, on a seeded database.

The app runs in its own process on a free port, with its own database, web build folder and
state folder, so a `make run` on the same machine is not disturbed. Any ERROR or traceback the
app logs, and any error the page reports in the browser console, fails the test that caused it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import email
import email.policy
import os
import re
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from sqlmodel import Session

from portal.config import PROJECT_ROOT
from portal.db import make_engine
from tests.support import app_process

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
STARTUP_TIMEOUT = 900
ERROR_LINE = re.compile(r"\bERROR\b|Traceback \(most recent call last\)")


def italian_today() -> dt.date:
    """Today as the portal counts days (the Italian calendar), whatever the machine's time zone:
    between 23:00 and 24:00 UTC it is already tomorrow in Rome."""
    return dt.datetime.now(ZoneInfo("Europe/Rome")).date()


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """A real SMTP server on loopback: the app under test sends its mail here."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.port = _free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def mark(self) -> int:
        return len(self.messages)

    def wait_for(
        self, to: str, subject_contains: str = "", since: int = 0, timeout: float = 20
    ) -> email.message.EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages[since:]:
                if message["To"] == to and subject_contains in message["Subject"]:
                    return message
            time.sleep(0.2)
        raise AssertionError(
            f"no mail to {to} about {subject_contains!r}; "
            f"got {[(m['To'], m['Subject']) for m in self.messages[since:]]}"
        )

    @staticmethod
    def text(message: email.message.EmailMessage) -> str:
        return message.get_body(("plain",)).get_content()

    def code(self, to: str, since: int = 0) -> str:
        return re.search(r"\b(\d{6})\b", self.text(self.wait_for(to, "", since))).group(1)


class RunningApp:
    def __init__(self, base_url: str, database_url: str, log_path: Path, today: dt.date, private_dir: Path):
        self.base_url = base_url
        self.private_dir = private_dir
        self.database_url = database_url
        self.log_path = log_path
        self.today = today
        self.engine = make_engine(database_url)
        self._log_offset = 0

    def url(self, path: str) -> str:
        return self.base_url + path

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def new_log_errors(self) -> list[str]:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        fresh, self._log_offset = text[self._log_offset :], len(text)
        return [line for line in fresh.splitlines() if ERROR_LINE.search(line)]


def _app_environment(tmp: Path, port: int, database_url: str, smtp_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        PORT=str(port),
        PORTAL_DEMO_MODE="1",
        MAIL_BACKEND="smtp+outbox",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        PORTAL_PUBLIC_URL=f"http://127.0.0.1:{port}",
        PORTAL_PRIVATE_DIR=str(tmp / "private"),
        PORTAL_EXTRA_FORMS="tests.e2e.extra_form",  # a form only the tests know: see test_requests.py
        PORTAL_TENANT="aurora",
        REFLEX_USE_SYSTEM_BUN="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        REFLEX_WEB_WORKDIR=os.environ.get("E2E_WEB_WORKDIR", ".web-e2e"),
        REFLEX_STATES_WORKDIR=str(tmp / "states"),
        PATH=f"{PROJECT_ROOT / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}",
    )
    env.pop("REDIS_URL", None)
    return env


def _wait_until_up(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log_path.read_text(errors='replace')[-4000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(base_url + "/ping", timeout=2) as response:
            if response.status == 200:
                with urllib.request.urlopen(base_url + "/login", timeout=5) as page:
                    if page.status == 200:
                        return
        time.sleep(1)
    raise RuntimeError(f"the app did not start in {STARTUP_TIMEOUT} s:\n{log_path.read_text(errors='replace')[-4000:]}")


@pytest.fixture(scope="session")
def mailbox() -> Mailbox:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="session")
def app(tmp_path_factory, mailbox) -> RunningApp:
    with running_app(tmp_path_factory.mktemp("e2e"), mailbox) as running:
        yield running


def own_web_workdir(name: str) -> str:
    """A web build folder of its own for a second app, so its build never replaces the files the
    shared app is serving (app_process.own_web_folder)."""
    return app_process.own_web_folder(f".web-e2e-{name}", os.environ.get("E2E_WEB_WORKDIR", ".web-e2e"))


@contextlib.contextmanager
def serving(env: dict[str, str], database_url: str, today: dt.date, tmp: Path):
    """The app of a prepared database (env's DATABASE_URL, PORT) until the block ends, as a
    RunningApp whose log errors are counted from the end of its start-up."""
    log_path = tmp / "app.log"
    process = app_process.start(app_process.SINGLE_PORT_APP + app_process.INFO_LOG, env, log_path)
    base_url = f"http://127.0.0.1:{env['PORT']}"
    try:
        _wait_until_up(base_url, process, log_path)
        running = RunningApp(base_url, database_url, log_path, today, tmp / "private")
        running.env = env
        running.process = process
        running.new_log_errors()  # start counting after start-up
        yield running
    finally:
        app_process.stop(process)


@contextlib.contextmanager
def running_app(tmp: Path, mailbox: Mailbox, size: str = "large", **settings: str):
    """The app on a free port with its own seeded database (`size`, see portal.seed: "demo" seeds
    in a third of the time); `settings` override its environment (e.g. a short idle timeout for one test)."""
    port = _free_port()
    database_url = f"sqlite:///{tmp / 'e2e.db'}"
    env = _app_environment(tmp, port, database_url, mailbox.port)
    env.update(settings)
    today = italian_today()
    # The large data set adds the fleet customer (500 contracts) for the export of 30,000 rows.
    app_process.prepare_database(env, "--size", size, "--as-of", today.isoformat())
    with serving(env, database_url, today, tmp) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, app, request):
    """Open pages in fresh browser contexts; errors in their consoles fail the test."""
    contexts, problems = [], []

    def open_page(*, width: int = 1280, height: int = 900, locale: str = "it-IT") -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console", lambda message: problems.append(f"console: {message.text}") if message.type == "error" else None
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    app_errors = app.new_log_errors()
    assert not app_errors, "the app logged errors:\n" + "\n".join(app_errors)
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


def visit(page: Page, app: RunningApp, path: str) -> None:
    """Open a page and wait until its state has hydrated, as a user waits for it to load."""
    page.goto(app.url(path))
    wait_ready(page)


def wait_ready(page: Page) -> None:
    page.locator("main[data-hydrated='true']").wait_for(state="attached")


def submit_password(page: Page, app: RunningApp, username: str, password: str) -> None:
    visit(page, app, "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.locator("#login-submit").click()


def address_of(app: RunningApp, username: str) -> str:
    with app.engine.connect() as connection:
        return connection.execute(
            sa.text("select primary_email from user_account where username = :u"), {"u": username}
        ).scalar_one()


def login(page: Page, app: RunningApp, username: str, password: str, mailbox: Mailbox | None = None) -> None:
    """Both factors, as a user does: password, then the code read from the mail that arrived."""
    assert mailbox is not None, "pass the mailbox fixture to read the code"
    since = mailbox.mark()
    submit_password(page, app, username, password)
    expect(page.locator("#login-code")).to_be_visible()
    page.locator("#login-code").fill(mailbox.code(address_of(app, username), since))
    page.locator("#code-submit").click()


def signed_in_page(new_page, app: RunningApp, mailbox: Mailbox, username: str = "10093") -> Page:
    """A new browser page with `username` signed in (demo password) and Home loaded."""
    from portal.seed.demo import DEMO_PASSWORD

    page = new_page()
    login(page, app, username, DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    wait_ready(page)
    return page


def confirm_identity(page: Page, app: RunningApp, mailbox: Mailbox, username: str = "10093", code: str = "") -> None:
    """Issue 11: the re-authentication dialog a sensitive change opens: the password, then the code
    (read from the mail, or `code` for a user of the authenticator app)."""
    from portal.seed.demo import DEMO_PASSWORD

    dialog = page.locator("#reauth-dialog")
    expect(dialog).to_be_visible()
    since = mailbox.mark()
    dialog.locator("#reauth-password").fill(DEMO_PASSWORD)
    dialog.locator("#reauth-password-submit").click()
    expect(dialog.locator("#reauth-code")).to_be_visible()
    dialog.locator("#reauth-code").fill(code or mailbox.code(address_of(app, username), since))
    dialog.locator("#reauth-code-submit").click()
    expect(dialog).to_be_hidden()


def db_rows(app: RunningApp, sql: str, **params) -> list:
    """Rows of a query on the app's database, to check what the browser did."""
    with app.engine.connect() as connection:
        return connection.execute(sa.text(sql), params).all()


def dispatch_event(page: Page, handler: str, payload: dict | None = None) -> None:
    """Send a state event from the page as a crafted client would, bypassing the UI: it joins
    Reflex's event queue and leaves with the next event the page sends."""
    page.evaluate(
        """([name, payload]) => {
            const state = window.__reflex["$/utils/state"];
            return state.queueEvents([state.ReflexEvent(name, payload)], null, false);
        }""",
        [handler, payload or {}],
    )


def text_of(page: Page, selector: str) -> str:
    return page.locator(selector).inner_text().replace("\xa0", " ").replace("\u202f", " ").strip()


def normalise(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ").strip()


def italian_number(value) -> str:
    """A number as the Italian pages write it ("1.234,56"), worked out by hand, not by Babel."""
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def euro(amount) -> str:
    """An amount as the Italian pages write it ("1.234,56 €", normalised spaces)."""
    return f"{italian_number(amount)} €"


def unread_notices(app: RunningApp, username: str) -> int:
    """How many notices the user has not read: their own and the leasing company's broadcasts."""
    return db_rows(
        app,
        "select count(*) from notification n, user_account u where u.username = :username "
        "and (n.user_id = u.id or (n.user_id is null and n.kind = 'broadcast' and n.tenant_id = u.tenant_id)) "
        "and n.id not in (select notification_id from notification_read where user_id = u.id)",
        username=username,
    )[0][0]


def max_id(app: RunningApp, table: str) -> int:
    """The highest id of `table` now: a test's own rows are those above it."""
    with app.engine.connect() as connection:
        return connection.execute(sa.text(f"select coalesce(max(id), 0) from {table}")).scalar_one()


@dataclasses.dataclass(frozen=True)
class Received:
    """What a link opened in a new tab brought the user."""

    url: str
    status: int
    content_type: str
    disposition: str
    body: bytes


# Chromium hands the bytes of a PDF it navigates to over to its viewer (the response's body is then
# the viewer's page): the tab reads its own address once more, with its own cookie, for the file.
_READ_OWN_ADDRESS = """async () => {
    const response = await fetch(window.location.href, {credentials: 'same-origin'});
    if (!response.ok) throw new Error(`the tab's address answered ${response.status}`);
    return Array.from(new Uint8Array(await response.arrayBuffer()));
}"""


def open_in_new_tab(page: Page, link: Locator) -> Received:
    """Click a link that opens a document in a new tab, as the user does, and read what arrived."""
    url = urllib.parse.urljoin(page.url, link.get_attribute("href") or "")
    with (
        page.context.expect_event(
            "response", lambda response: response.url == url and response.request.is_navigation_request()
        ) as answered,
        page.context.expect_page() as opened,
    ):
        link.click()
    tab, response = opened.value, answered.value
    tab.wait_for_load_state()
    headers = response.headers
    content_type = headers.get("content-type", "")
    body = bytes(tab.evaluate(_READ_OWN_ADDRESS)) if content_type == "application/pdf" else response.body()
    received = Received(
        url=tab.url,
        status=response.status,
        content_type=content_type,
        disposition=headers.get("content-disposition", ""),
        body=body,
    )
    tab.close()
    return received


def download(page: Page, trigger, timeout: float = 30_000) -> tuple[str, bytes]:
    """Click what starts a download, as the user does: the file's suggested name and its bytes."""
    with page.expect_download(timeout=timeout) as started:
        trigger()
    saved = started.value
    return saved.suggested_filename, Path(saved.path()).read_bytes()


# The tables that reference a portal account, children first (their own children come before them).
_ACCOUNT_TABLES = (
    ("notification_read", "user_id"),
    ("notification_read", "notification_id in (select id from notification where user_id in ({ids}))"),
    ("notification", "user_id"),
    ("sub_user_contract", "user_id"),
    ("user_session", "user_id"),
    ("login_challenge", "user_id"),
    ("password_reset_token", "user_id"),
    ("download_ticket", "user_id"),
    ("mail_message", "user_id"),
    ("mail_outbox", "user_id"),  # issue 11 (S3): mail queued for the account
    ("audit_event", "user_id"),
)
# A request's rows, children first.
_REQUEST_TABLES = (
    "notification_read",
    "notification",
    "webhook_delivery",  # the events handed to the core system (portal/integration/outbound)
    "request_event",
    "request_attachment",
    "request_contact",
    "request_status_change",
    "request_message",
    "service_request",
)


class Tidy:
    """What a test changes in the shared database, put back after it (a fixture: it runs even when
    the test fails). Register before the change: `keep_rows` before an update, `drop_new_*` before
    rows are added."""

    def __init__(self, app: RunningApp):
        self.app = app
        self._undo = contextlib.ExitStack()

    def keep_rows(self, table: str, where: str, **params) -> None:
        """These rows get back every column they have now."""
        with self.app.engine.connect() as connection:
            rows = [
                dict(row)
                for row in connection.execute(sa.text(f"select * from {table} where {where}"), params).mappings()
            ]

        def restore() -> None:
            with self.app.engine.begin() as connection:
                for row in rows:
                    columns = [name for name in row if name != "id"]
                    assignments = ", ".join(f"{name} = :{name}" for name in columns)
                    connection.execute(sa.text(f"update {table} set {assignments} where id = :id"), row)

        self._undo.callback(restore)

    def keep_account(self, username: str) -> None:
        self.keep_rows("user_account", "username = :username", username=username)

    def drop_new(self, *tables: str) -> None:
        """Rows added to these tables from now on are deleted (name children before parents)."""
        marks = [(table, max_id(self.app, table)) for table in tables]

        def drop() -> None:
            with self.app.engine.begin() as connection:
                for table, mark in marks:
                    connection.execute(sa.text(f"delete from {table} where id > :mark"), {"mark": mark})

        self._undo.callback(drop)

    def drop_new_requests(self) -> None:
        """Requests opened from now on go, with their thread, files, history and notices."""
        attachment_mark = max_id(self.app, "request_attachment")

        def drop_files() -> None:
            stored = self.app.private_dir / "attachments" / "stored"
            keys = db_rows(self.app, "select storage_key from request_attachment where id > :m", m=attachment_mark)
            for (key,) in keys:
                (stored / key).unlink(missing_ok=True)

        self.drop_new(*_REQUEST_TABLES)
        self._undo.callback(drop_files)  # runs first: the rows still name the files

    def drop_new_accounts(self) -> None:
        """Portal accounts created from now on go, with every row that names them."""
        mark = max_id(self.app, "user_account")

        def drop() -> None:
            with self.app.engine.begin() as connection:
                ids = [
                    row[0]
                    for row in connection.execute(sa.text("select id from user_account where id > :m"), {"m": mark})
                ]
                if not ids:
                    return
                listed = ", ".join(str(int(user_id)) for user_id in ids)
                for table, column in _ACCOUNT_TABLES:
                    condition = column.format(ids=listed) if "{ids}" in column else f"{column} in ({listed})"
                    connection.execute(sa.text(f"delete from {table} where {condition}"))
                connection.execute(sa.text(f"delete from user_account where id in ({listed})"))

        self._undo.callback(drop)

    def close(self) -> None:
        self._undo.close()


# The customer data a test may change, and the columns that only record activity (a login).
_DATA_TABLES = (
    "customer",
    "user_account",
    "sub_user_contract",
    "password_reset_token",
    "contract",
    "leased_asset",
    "schedule_line",
    "invoice",
    "invoice_line",
    "payment",
    "service_request",
    "request_message",
    "request_attachment",
    "request_contact",
    "request_status_change",
    "notification",
    "notification_read",
)
_ACTIVITY_COLUMNS = {"last_login_at"}


def data_fingerprint(app: RunningApp) -> dict[str, int]:
    """A hash of every row of the customer data, table by table (logs, sessions and mail excluded)."""
    prints = {}
    with app.engine.connect() as connection:
        for table in _DATA_TABLES:
            rows = connection.execute(sa.text(f"select * from {table} order by id")).mappings()
            prints[table] = hash(tuple(tuple(v for k, v in row.items() if k not in _ACTIVITY_COLUMNS) for row in rows))
    return prints


@pytest.fixture(autouse=True)
def _leaves_the_data_as_found(request):
    """With E2E_CHECK_LEFTOVERS=1, every test must leave the customer data exactly as it found it
    (run the suite so once in a while: it reads every table twice per test)."""
    if os.environ.get("E2E_CHECK_LEFTOVERS") != "1" or "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    before = data_fingerprint(app)
    yield
    after = data_fingerprint(app)
    changed = [table for table in _DATA_TABLES if before[table] != after[table]]
    assert changed == [], f"{request.node.name} left changes in {changed}"


@pytest.fixture
def tidy(app):
    keeper = Tidy(app)
    try:
        yield keeper
    finally:
        keeper.close()


@pytest.fixture(autouse=True)
def _e2e_marker(request):
    request.node.add_marker(pytest.mark.e2e)


__all__ = ["Received", "RunningApp", "Tidy", "login", "normalise", "sa", "text_of"]
