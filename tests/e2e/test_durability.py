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
import datetime as dt
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
        for command in (["alembic", "upgrade", "head"], ["portal.seed", "--as-of", dt.date.today().isoformat()]):
            subprocess.run(
                [sys.executable, "-m", *command], cwd=PROJECT_ROOT, env=self.env, check=True, capture_output=True
            )

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
        assert self.files("stored") == keys, "stored files and attachment rows disagree"
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


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
