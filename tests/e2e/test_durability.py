"""Durability (issue 11, hostile suite): the process serving a customer is killed with SIGKILL in
the middle of submitting a request with attachments, and in the middle of a reply; after the
restart there is no half-written request, no orphan file, and nothing the user was told was saved
is missing.

The serving process (`python -m tests.e2e.test_durability`) runs the portal's real event
handlers on a real state tree (the state tests' Browser: sign-in with the mailed code, the upload
handler, the submit and reply handlers) against its own migrated and seeded SQLite database and
private folder. It is stopped at a chosen point by the test-only hook (PORTAL_TEST_HOOKS=1 with
demo mode, PORTAL_TEST_PAUSE_AT=…, see portal/services/requests/pause.py), then SIGKILLed there.
The restart runs what the app's lifespan task runs at start: `python -m portal.jobs.mail` (the
attachment sweep, then the outbox). Every point is checked by plain SQL and a listing of the folders.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.config import PROJECT_ROOT
from tests.e2e.conftest import italian_today
from tests.support import app_process

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 5000
TITLE_MARK = "Durabilita"
TIMEOUT = 120


# The serving process ------------------------------------------------------------------------


def _serve(action: str, code: str) -> None:
    """Sign in as the demo customer, stage two files, submit a request (or reply to `code`), and
    print what the user is told; the hook may stop this process anywhere on the way."""
    import reflex as rx

    from portal.pages.login import LoginState
    from portal.pages.new_request import NewRequestState
    from portal.pages.request_detail import RequestDetailState
    from portal.seed.demo import DEMO_PASSWORD
    from tests.state.conftest import Browser, address_of, mailed_code, redirect_target, toast_of

    browser = Browser()
    browser.visit("/login")
    browser.run(LoginState, "submit", {"username": "10093", "password": DEMO_PASSWORD})
    result = browser.run(LoginState, "verify_code", {"code": mailed_code(address_of("10093"))})
    assert browser.follow(result) == "/"
    state_cls = NewRequestState if action == "submit" else RequestDetailState
    if action == "submit":
        browser.visit("/richieste/nuova?modulo=other")
    else:
        browser.visit(f"/richieste/dettaglio?codice={code}")
    browser.run(state_cls, "load")
    state = browser.state(state_cls)
    uploads = [rx.UploadFile(file=io.BytesIO(PNG + bytes([i])), path=Path(f"foto{i}.png")) for i in range(2)]
    asyncio.run(browser.run(state_cls, "upload", uploads))
    assert len(state.attachment_names) == 2, state.attachment_error
    print("STAGED", flush=True)
    if action == "submit":
        choice = state.specs[0].options[1].value
        state.values = {**state.values, "request_type": choice, "message": f"{TITLE_MARK} messaggio"}
        result = browser.run(state_cls, "submit", {})
        told = redirect_target(result)
    else:
        result = browser.run(state_cls, "reply", {"body": f"{TITLE_MARK} risposta"})
        told = code
    if toast_of(result) and toast_of(result)[0] == "success":
        print("TOLD", told.rsplit("=", 1)[-1] if told else "", flush=True)


# The test's side ----------------------------------------------------------------------------


class World:
    """One database and one private folder, as a deployed portal has."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.db_path = tmp / "durability.db"
        self.private = tmp / "private"
        self.env = dict(os.environ)
        self.env.update(
            DATABASE_URL=f"sqlite:///{self.db_path}",
            PORTAL_DEMO_MODE="1",
            MAIL_BACKEND="outbox",
            PORTAL_PRIVATE_DIR=str(self.private),
            PORTAL_TENANT="aurora",
            PORTAL_TEST_HOOKS="1",
            REFLEX_TELEMETRY_ENABLED="false",
        )
        self.env.pop("REDIS_URL", None)
        app_process.prepare_database(self.env, "--as-of", italian_today().isoformat())

    def sql(self, query: str, *params) -> list[tuple]:
        with sqlite3.connect(self.db_path) as connection:
            return connection.execute(query, params).fetchall()

    def files(self, folder: str) -> set[str]:
        path = self.private / "attachments" / folder
        return {p.name for p in path.iterdir()} if path.exists() else set()

    def serve(self, action: str, code: str = "", pause_at: str = "") -> tuple[list[str], int]:
        """Run the serving process; when `pause_at` is reached, SIGKILL it there. Its output, and
        the signal that ended it (0 when it finished)."""
        marker = self.tmp / "paused"
        marker.unlink(missing_ok=True)
        env = dict(self.env, PORTAL_TEST_PAUSE_AT=pause_at, PORTAL_TEST_PAUSE_FILE=str(marker))
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.test_durability", action, code],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + TIMEOUT
        while pause_at and not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if pause_at:
            assert marker.exists() and marker.read_text() == pause_at, process.stderr and process.communicate()[1]
            process.send_signal(signal.SIGKILL)
        out, err = process.communicate(timeout=TIMEOUT)
        assert pause_at or process.returncode == 0, err
        return out.splitlines(), -process.returncode if process.returncode < 0 else 0

    def restart(self) -> None:
        """What the app does when it starts again: the sweep and the outbox (its lifespan task)."""
        subprocess.run(
            [sys.executable, "-m", "portal.jobs.mail"], cwd=PROJECT_ROOT, env=self.env, check=True, capture_output=True
        )

    def consistent(self) -> None:
        """No orphan file, no row without its file, no half-written request."""
        keys = {key for (key,) in self.sql("SELECT storage_key FROM request_attachment")}
        # the demo's complaint and document files share the folder (services/requests/attachments.py)
        others = {
            key
            for table in ("complaint_attachment", "published_document", "document_upload")
            for (key,) in self.sql(f"SELECT storage_key FROM {table}")
        }
        assert self.files("stored") == keys | others, "stored files and attachment rows disagree"
        assert not (self.files("staging") & keys), "a committed file is still staged"
        for request_id, _code in self.durability_requests():
            assert self.sql("SELECT COUNT(*) FROM request_status_change WHERE request_id = ?", request_id) == [(1,)]
        for key, sha in self.sql("SELECT storage_key, sha256 FROM request_attachment"):
            digest = hashlib.sha256((self.private / "attachments" / "stored" / key).read_bytes()).hexdigest()
            assert digest == sha

    def durability_requests(self) -> list[tuple[int, str]]:
        """The requests the serving process opened (their first message carries the mark)."""
        return self.sql(
            "SELECT r.id, r.code FROM service_request r WHERE EXISTS (SELECT 1 FROM request_message m "
            "WHERE m.request_id = r.id AND m.body = ?) ORDER BY r.id",
            f"{TITLE_MARK} messaggio",
        )


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    return World(tmp_path_factory.mktemp("durability"))


def test_killed_before_the_commit_of_a_request_leaves_nothing_half_written(world):
    before, files_before = world.durability_requests(), world.files("stored")
    out, killed = world.serve("submit", pause_at="after_files")
    assert killed == signal.SIGKILL and "STAGED" in out and not any(line.startswith("TOLD") for line in out)
    world.restart()
    assert world.durability_requests() == before  # no request, no attachment row
    assert world.files("stored") == files_before  # no orphan in storage
    world.consistent()


def test_killed_after_the_commit_of_a_request_loses_nothing(world):
    before = world.durability_requests()
    out, killed = world.serve("submit", pause_at="after_commit")
    assert killed == signal.SIGKILL and not any(line.startswith("TOLD") for line in out)
    # committed before the kill, files not yet moved: the restart finishes the move
    world.restart()
    [(request_id, code)] = [row for row in world.durability_requests() if row not in before]
    names = world.sql("SELECT display_name FROM request_attachment WHERE request_id = ? ORDER BY id", request_id)
    assert names == [("foto0.png",), ("foto1.png",)]
    world.consistent()
    # and its acknowledgement, queued in the same transaction, left once after the restart
    sent = world.sql("SELECT COUNT(*) FROM mail_message WHERE subject LIKE ? AND sent_at IS NOT NULL", f"{code} – %")
    assert sent == [(1,)]


def test_what_the_user_was_told_survives_a_restart(world):
    out, killed = world.serve("submit")
    assert killed == 0
    [code] = [line.split()[1] for line in out if line.startswith("TOLD")]
    world.restart()
    [(request_id,)] = world.sql("SELECT id FROM service_request WHERE code = ?", code)
    assert world.sql("SELECT COUNT(*) FROM request_attachment WHERE request_id = ?", request_id) == [(2,)]
    world.consistent()


def test_killed_in_the_middle_of_a_reply(world):
    [(request_id, code), *_] = world.durability_requests()
    messages = world.sql("SELECT COUNT(*) FROM request_message WHERE request_id = ?", request_id)
    out, killed = world.serve("reply", code, pause_at="after_files")
    assert killed == signal.SIGKILL
    world.restart()
    assert world.sql("SELECT COUNT(*) FROM request_message WHERE request_id = ?", request_id) == messages
    world.consistent()

    out, killed = world.serve("reply", code, pause_at="after_commit")
    assert killed == signal.SIGKILL
    world.restart()
    [(message_id,)] = world.sql(
        "SELECT id FROM request_message WHERE request_id = ? AND body = ?", request_id, f"{TITLE_MARK} risposta"
    )
    files = world.sql("SELECT display_name FROM request_attachment WHERE message_id = ? ORDER BY id", message_id)
    assert files == [("foto0.png",), ("foto1.png",)]
    world.consistent()


def test_staged_files_of_killed_submissions_leave_after_a_day(world):
    """The files the killed forms had staged are nobody's: the sweep removes them after STAGING_TTL."""
    staged = world.files("staging")
    assert staged  # the killed-before-commit submission and reply left theirs
    old = time.time() - 2 * 24 * 3600
    for name in staged:
        os.utime(world.private / "attachments" / "staging" / name, (old, old))
    world.restart()
    assert world.files("staging") == set()
    world.consistent()


# The real server -----------------------------------------------------------------------------


class Server:
    """The app as the browser tests run it (production build, one port), started again and again
    on the same database and folders; each start may carry a pause point for the hook."""

    def __init__(self, tmp: Path, mailbox):
        from tests.e2e.conftest import _app_environment, _free_port, own_web_workdir

        self.tmp = tmp
        self.port = _free_port()
        self.database_url = f"sqlite:///{tmp / 'server.db'}"
        self.env = _app_environment(tmp, self.port, self.database_url, mailbox.port)
        self.env["PORTAL_TEST_HOOKS"] = "1"
        self.env["REFLEX_WEB_WORKDIR"] = own_web_workdir("durability")  # the shared app keeps its files
        app_process.prepare_database(self.env, "--as-of", italian_today().isoformat())
        self.marker = tmp / "paused"
        self.process: subprocess.Popen | None = None
        self.app = None

    def start(self, pause_at: str = ""):
        from tests.e2e.conftest import RunningApp, _wait_until_up

        self.marker.unlink(missing_ok=True)
        env = dict(self.env, PORTAL_TEST_PAUSE_AT=pause_at, PORTAL_TEST_PAUSE_FILE=str(self.marker))
        log_path = self.tmp / "server.log"
        self.process = app_process.start(app_process.SINGLE_PORT_APP + app_process.INFO_LOG, env, log_path, append=True)
        base_url = f"http://127.0.0.1:{self.port}"
        _wait_until_up(base_url, self.process, log_path)
        self.app = RunningApp(base_url, self.database_url, log_path, italian_today(), self.tmp / "private")
        return self.app

    def wait_paused(self, point: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not self.marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.marker.exists() and self.marker.read_text() == point, f"the server did not reach {point}"

    def kill(self, *pages) -> None:
        """SIGKILL to the server's whole process group: nothing gets to clean up. The tabs that
        were talking to it are closed first (a new start is on the same port)."""
        assert self.process is not None
        for page in pages:
            page.context.close()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=TIMEOUT)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=TIMEOUT)
            self.process = None


def _files(app, folder: str) -> set[str]:
    path = app.private_dir / "attachments" / folder
    return {p.name for p in path.iterdir()} if path.exists() else set()


def _settled(app) -> set[str]:
    """Wait until the start-up sweep has made the folders agree with the rows; the stored keys."""
    from tests.e2e.conftest import db_rows

    deadline = time.monotonic() + TIMEOUT
    while True:
        keys = {key for (key,) in db_rows(app, "select storage_key from request_attachment")}
        others = {
            key
            for table in ("complaint_attachment", "published_document", "document_upload")
            for (key,) in db_rows(app, f"select storage_key from {table}")
        }
        if _files(app, "stored") == keys | others and not (_files(app, "staging") & keys):
            return keys
        assert time.monotonic() < deadline, "stored files and attachment rows still disagree"
        time.sleep(0.2)


def _sign_in(browser, app, mailbox):
    from tests.e2e.conftest import signed_in_page

    def new_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    return signed_in_page(new_page, app, mailbox)


def _photos(tag: str) -> list[dict]:
    return [{"name": f"{tag}{n}.png", "mimeType": "image/png", "buffer": PNG + bytes([n])} for n in range(2)]


def _submit(page, app, tag: str) -> None:
    from playwright.sync_api import expect

    from tests.e2e.conftest import visit

    visit(page, app, "/richieste/nuova?modulo=other")
    page.locator("#field-request_type").select_option("invoice_copy")
    page.locator("#field-message").fill(f"{TITLE_MARK} {tag}")
    page.locator("input[type=file]").set_input_files(files=_photos(tag))
    expect(page.locator(".staged-attachment")).to_have_count(2)
    page.locator("#form-submit").click()


def _reply(page, app, code: str, tag: str) -> None:
    from playwright.sync_api import expect

    from tests.e2e.conftest import visit

    visit(page, app, f"/richieste/dettaglio?codice={code}")
    page.locator("input[type=file]").set_input_files(files=_photos(tag))
    expect(page.locator(".staged-attachment")).to_have_count(2)
    page.get_by_label("Il tuo messaggio").fill(f"{TITLE_MARK} {tag}")
    page.locator("#reply-submit").click()


@pytest.fixture
def server(tmp_path, mailbox):
    running = Server(tmp_path, mailbox)
    try:
        yield running
    finally:
        running.stop()


def test_the_real_server_killed_mid_submit_and_mid_reply(server, browser, mailbox):
    """Five starts of the real app on one database: SIGKILL before and after the commit of a
    request, then of a reply; each start's lifespan task sweeps and sends the outbox."""
    from playwright.sync_api import expect

    from tests.e2e.conftest import db_rows, open_in_new_tab

    def requests_with(app, tag: str) -> list[tuple]:
        return db_rows(
            app,
            "select r.id, r.code from service_request r join request_message m on m.request_id = r.id "
            "where m.body = :b order by r.id",
            b=f"{TITLE_MARK} {tag}",
        )

    # 1. killed after the rows were written, before the commit
    app = server.start(pause_at="after_files")
    page = _sign_in(browser, app, mailbox)
    _submit(page, app, "first")
    server.wait_paused("after_files")
    server.kill(page)

    # 2. nothing of it after the restart; killed again, this time after the commit
    app = server.start(pause_at="after_commit")
    before = _settled(app)
    assert requests_with(app, "first") == []
    page = _sign_in(browser, app, mailbox)
    _submit(page, app, "second")
    server.wait_paused("after_commit")
    server.kill(page)

    # 3. the committed request is whole after the restart, its files in storage, its mail sent
    app = server.start(pause_at="after_files")
    kept = _settled(app)
    [(request_id, code)] = requests_with(app, "second")
    names = db_rows(app, "select display_name, storage_key from request_attachment where request_id = :r", r=request_id)
    assert sorted(name for name, _ in names) == ["second0.png", "second1.png"]
    assert kept == before | {key for _, key in names}
    (owner,) = db_rows(
        app, "select coalesce(secondary_email, primary_email) from user_account where username = '10093'"
    )[0]
    mailbox.wait_for(owner, code)  # queued with the request, sent by the restarted app's sender
    page = _sign_in(browser, app, mailbox)
    _reply(page, app, code, "third")
    server.wait_paused("after_files")
    server.kill(page)

    # 4. the reply killed before its commit left nothing; killed again after the commit
    app = server.start(pause_at="after_commit")
    assert _settled(app) == kept
    assert db_rows(app, "select count(*) from request_message where body = :b", b=f"{TITLE_MARK} third") == [(0,)]
    page = _sign_in(browser, app, mailbox)
    _reply(page, app, code, "fourth")
    server.wait_paused("after_commit")
    server.kill(page)

    # 5. the committed reply is whole, and the customer opens its files
    app = server.start()
    final = _settled(app)
    reply_files = db_rows(
        app,
        "select a.display_name from request_attachment a join request_message m on m.id = a.message_id "
        "where m.body = :b order by a.id",
        b=f"{TITLE_MARK} fourth",
    )
    assert reply_files == [("fourth0.png",), ("fourth1.png",)] and len(final) == len(kept) + 2
    page = _sign_in(browser, app, mailbox)
    from tests.e2e.conftest import visit

    visit(page, app, f"/richieste/dettaglio?codice={code}")
    message = page.locator(".thread-message", has_text=f"{TITLE_MARK} fourth")
    expect(message.locator(".attachment-link")).to_have_count(2)
    opened = open_in_new_tab(page, message.locator(".attachment-link", has_text="fourth1.png"))
    assert (opened.status, opened.body) == (200, PNG + bytes([1]))
    first = page.locator(".thread-message", has_text=f"{TITLE_MARK} second")
    opened = open_in_new_tab(page, first.locator(".attachment-link", has_text="second0.png"))
    assert (opened.status, opened.body) == (200, PNG + bytes([0]))
    page.context.close()
    assert not app.new_log_errors()


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
