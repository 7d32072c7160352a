"""Issue 13: a job worker dies (SIGKILL) in the middle of a job; after a new worker starts, the job
completes, once.

Real processes on this machine's PostgreSQL (a database of the test's own, migrated by alembic) and
a real SMTP server that holds the first message's DATA without answering: the first worker is
killed while it waits there. The mail was never accepted, so the one that counts is the second
worker's: exactly one message received, one `sent_at`, and the procrastinate job 'succeeded'
after one retry. No other test shares this database or these workers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import email
import email.policy
import sys
import threading
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlmodel import Session

from portal.jobs import tasks
from portal.services.common import mail
from tests.deploy.conftest import JobWorker, _env_base, _run, own_postgres_database
from tests.e2e.conftest import _free_port

STALLED_SECONDS = 2  # the workers' PORTAL_JOB_STALLED_SECONDS: a dead one is noticed quickly
TIMEOUT = 60  # s, for each outcome awaited


class HoldingMailbox:
    """An SMTP server that holds the first message (no answer to its DATA) until released, then
    refuses it; every later message is accepted and kept."""

    def __init__(self):
        self.received: list[email.message.EmailMessage] = []
        self.holding = threading.Event()
        self.release = threading.Event()
        self.port = _free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        if not self.holding.is_set():
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, TIMEOUT)
            return "451 4.3.0 not accepted"
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self._controller.stop()


def _wait(what: str, done: Callable[[], bool], workers: list[JobWorker]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if done():
            return
        for worker in workers:
            assert worker.alive(), f"{worker.name} exited:\n{worker.log()}"
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {TIMEOUT} s\n" + "\n".join(w.log() for w in workers))


@pytest.fixture
def job_database():
    with own_postgres_database() as url:
        env = {**_env_base(), "DATABASE_URL": url, "PORTAL_TENANT": "aurora"}
        _run([sys.executable, "-m", "alembic", "upgrade", "head"], env, "alembic upgrade head")
        engine = sa.create_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()


def _queue_mail(engine: sa.Engine, monkeypatch) -> tuple[int, int]:
    """What a portal transaction does on PostgreSQL: the outbox row and its send_mail job, one commit."""
    monkeypatch.setattr(mail, "enqueue_hooks", [tasks._remember])
    with Session(engine, expire_on_commit=False) as session:
        row = mail.enqueue(
            session=session,
            mail=mail.OutgoingMail(kind="test", to="laura@example.it", subject="Codice di accesso", text="123456"),
        )
        session.commit()
    with engine.connect() as connection:
        job_id = connection.execute(
            sa.text("select id from procrastinate_jobs where task_name = 'send_mail' and args->>'outbox_id' = :id"),
            {"id": str(row.id)},
        ).scalar_one()
    return row.id, job_id


def test_a_job_whose_worker_is_killed_completes_once_after_a_restart(job_database, tmp_path, monkeypatch):
    url, engine = job_database

    def one(query: str, **params):
        with engine.connect() as connection:
            return connection.execute(sa.text(query), params).one()

    with HoldingMailbox() as smtp:
        env = {
            **_env_base(),
            "DATABASE_URL": url,
            "PORTAL_TENANT": "aurora",
            "PORTAL_PRIVATE_DIR": str(tmp_path / "private"),
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp.port),
            "SMTP_TIMEOUT": str(TIMEOUT),  # the first worker waits for the held DATA until it is killed
            "PORTAL_JOB_STALLED_SECONDS": str(STALLED_SECONDS),
        }
        first = JobWorker("first", env, tmp_path / "first.log")
        second = JobWorker("second", env, tmp_path / "second.log")
        try:
            first.start()
            _wait(
                "the first worker registered",
                lambda: one("select count(*) from procrastinate_workers")[0] == 1,
                [first],
            )
            outbox_id, _send_job = _queue_mail(engine, monkeypatch)
            _wait("the first worker is in the middle of the job", smtp.holding.is_set, [first])
            # the job holding the mail: its send_mail job (or, by chance, the minute's drain_outbox)
            (owner,) = one("select claimed_by from mail_outbox where id = :id", id=outbox_id)
            job_id = int(owner.removeprefix("job:"))
            assert one("select status, worker_id is not null from procrastinate_jobs where id = :id", id=job_id) == (
                "doing",
                True,
            )
            first.kill()
            smtp.release.set()  # the held DATA is refused to a connection nobody listens to any more
            _wait(
                "the dead worker's heartbeat is old",
                lambda: (
                    one(
                        "select count(*) from procrastinate_workers "
                        "where last_heartbeat < now() - make_interval(secs => :s)",
                        s=STALLED_SECONDS,
                    )[0]
                    == 1
                ),
                [],
            )
            assert one("select status from procrastinate_jobs where id = :id", id=job_id) == ("doing",)
            assert smtp.received == []

            second.start()
            _wait(
                "the job succeeded",
                lambda: one("select status from procrastinate_jobs where id = :id", id=job_id)[0] == "succeeded",
                [second],
            )
            outbox_row = one(
                "select sent_at, attempts, claimed_by, last_error from mail_outbox where id = :id", id=outbox_id
            )
            assert [(m["To"], m["Subject"]) for m in smtp.received] == [("laura@example.it", "Codice di accesso")], (
                f"{outbox_row}\n{first.log()}\n{second.log()}"
            )
            sent_at, attempts, claimed_by = one(
                "select sent_at, attempts, claimed_by from mail_outbox where id = :id", id=outbox_id
            )
            assert sent_at is not None and (attempts, claimed_by) == (1, None)
            assert one("select count(*), count(sent_at) from mail_message where to_address = 'laura@example.it'") == (
                1,
                1,
            )
            # one job, started twice (killed, then run again by the second worker), succeeded once
            assert one("select attempts from procrastinate_jobs where id = :id", id=job_id) == (2,)
            assert one(
                "select count(*) filter (where type = 'started'), count(*) filter (where type = 'succeeded') "
                "from procrastinate_events where job_id = :id",
                id=job_id,
            ) == (2, 1)
            assert one("select count(*) from procrastinate_jobs where task_name = 'send_mail'") == (1,)
            assert second.stop() == 0  # SIGTERM: a clean stop, as under systemd
        finally:
            with contextlib.suppress(Exception):
                first.kill()
            with contextlib.suppress(Exception):
                second.kill()


def test_two_workers_requeue_a_dead_workers_job_once(job_database, monkeypatch):
    """Two workers start at once after a crash: both look for stalled jobs, the job is requeued once
    (listing and requeueing are two steps: without the lock both would requeue it)."""
    url, engine = job_database
    _outbox_id, job_id = _queue_mail(engine, monkeypatch)
    with engine.begin() as connection:
        dead = connection.execute(
            sa.text(
                "insert into procrastinate_workers (last_heartbeat) values (now() - interval '1 hour') returning id"
            )
        ).scalar_one()
        connection.execute(
            sa.text("update procrastinate_jobs set status = 'doing', worker_id = :worker where id = :id"),
            {"worker": dead, "id": job_id},
        )

    async def two_at_once() -> list[int]:
        job_app = tasks.make_app(url)
        async with job_app.open_async():
            return list(await asyncio.gather(tasks.retry_stalled(job_app), tasks.retry_stalled(job_app)))

    # in a thread of its own: the browser tests of this session keep an event loop in this one
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        assert sorted(thread.submit(asyncio.run, two_at_once()).result(timeout=TIMEOUT)) == [0, 1]
    with engine.connect() as connection:
        assert connection.execute(
            sa.text("select status, attempts from procrastinate_jobs where id = :id"), {"id": job_id}
        ).one() == ("todo", 1)
