"""Issue 13: the durable jobs (portal/jobs/tasks.py): their schedules, their retries, and the job of
an outbox mail written in the transaction of the mail (PostgreSQL; the SQLite run skips that one)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import sqlalchemy as sa
from procrastinate import exceptions as job_exceptions
from procrastinate.jobs import Job
from sqlmodel import select

from portal.jobs import embedded, tasks
from portal.models.mail import MailOutbox
from portal.services.common import mail
from tests.unit.conftest import id_mark, rows_after

on_postgres = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="the job queue lives in PostgreSQL (TEST_DATABASE_URL)"
)


def test_the_periodic_jobs_are_registered_with_their_schedules():
    registered = tasks.app.periodic_registry.periodic_tasks
    schedules = {periodic_id: periodic.cron for (_task, periodic_id), periodic in registered.items()}
    assert schedules == {
        "drain_outbox": "* * * * *",
        "retry_webhooks": "* * * * *",
        "retry_stalled_jobs": "* * * * *",
        "sweep_attachments": "17 * * * *",
        "daily_billing": "0 5 * * *",
        "insurance_reminders": "10 5 * * *",
        "remove_old_jobs": "40 3 * * *",
        "data_exports": "* * * * *",
    }
    # a periodic job waits in the queue at most once: a slow worker does not pile them up
    for name in schedules:
        assert tasks.app.tasks[name].queueing_lock == name


def _retry_wait(task, attempts: int, now: dt.datetime) -> float | None:
    job = Job(id=1, queue="default", lock=None, queueing_lock=None, task_name=task.name, attempts=attempts)
    retry = task.get_retry_exception(RuntimeError("database gone"), job)
    if retry is None:
        return None
    assert isinstance(retry, job_exceptions.JobRetry)
    assert retry.retry_decision.retry_at is not None
    return round((retry.retry_decision.retry_at - now).total_seconds())


@pytest.mark.parametrize(
    "name",
    [
        "send_mail",
        "drain_outbox",
        "deliver_webhook",
        "retry_webhooks",
        "sweep_attachments",
        "daily_billing",
        "insurance_reminders",
        "build_data_export",
        "data_exports",
    ],
)
def test_a_failed_job_is_retried_with_exponential_backoff_then_given_up(name):
    task = tasks.app.tasks[name]
    now = dt.datetime.now(dt.UTC)
    waits = [_retry_wait(task, attempts, now) for attempts in range(6)]
    assert waits == [4, 16, 64, 256, 1024, None]  # 4 ** (attempt + 1) seconds; five retries, then failed


def test_the_app_runs_the_daily_billing_at_the_cron_hour():
    rome_evening = dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert embedded.next_billing_run(rome_evening) == dt.datetime(2026, 12, 8, 5, 0, tzinfo=dt.UTC)
    assert embedded.next_billing_run(dt.datetime(2026, 12, 8, 5, 0, tzinfo=dt.UTC)) == dt.datetime(
        2026, 12, 9, 5, 0, tzinfo=dt.UTC
    )


def test_the_app_runs_the_insurance_reminders_daily_after_the_billing():
    assert embedded.next_reminders_run(dt.datetime(2026, 12, 8, 5, 0, tzinfo=dt.UTC)) == dt.datetime(
        2026, 12, 8, 5, 10, tzinfo=dt.UTC
    )
    assert embedded.next_reminders_run(dt.datetime(2026, 12, 8, 5, 10, tzinfo=dt.UTC)) == dt.datetime(
        2026, 12, 9, 5, 10, tzinfo=dt.UTC
    )


def test_sqlite_has_no_job_queue_to_defer_into(monkeypatch):
    monkeypatch.setattr(mail, "enqueue_hooks", [])
    tasks.install()  # the tests' settings are SQLite: the app sends the mail itself
    assert mail.enqueue_hooks == []


def _jobs(db, mark: int) -> list[tuple[str, dict, str]]:
    return [
        (row.task_name, row.args, row.status)
        for row in db.execute(
            sa.text("select task_name, args, status from procrastinate_jobs where id > :mark order by id"),
            {"mark": mark},
        )
    ]


def _job_mark(db) -> int:
    return db.execute(sa.text("select coalesce(max(id), 0) from procrastinate_jobs")).scalar_one()


def _queue(db, to: str) -> MailOutbox:
    return mail.enqueue(session=db, mail=mail.OutgoingMail(kind="test", to=to, subject="S", text="t"))


class OpenedForAWorker:
    """The job app's connector once a worker has opened it: asynchronous, it cannot take the
    transaction's psycopg.Connection (a job that mails, the billing run, defers from a thread)."""

    def get_sync_connector(self):
        raise AssertionError("the sending job must be deferred on the transaction's own connection")


@on_postgres
def test_a_queued_mail_gets_its_sending_job_in_the_same_transaction(db, demo, monkeypatch):
    monkeypatch.setattr(mail, "enqueue_hooks", [tasks._remember])
    monkeypatch.setattr(tasks.app.job_manager, "connector", OpenedForAWorker())
    jobs, outbox = _job_mark(db), id_mark(db, MailOutbox)
    first, second = _queue(db, "uno@example.it"), _queue(db, "due@example.it")
    assert _jobs(db, jobs) == []  # not before the commit
    db.commit()
    assert [row.id for row in rows_after(db, MailOutbox, outbox)] == [first.id, second.id]
    assert _jobs(db, jobs) == [
        ("send_mail", {"outbox_id": first.id}, "todo"),
        ("send_mail", {"outbox_id": second.id}, "todo"),
    ]


@on_postgres
def test_a_rolled_back_mail_leaves_no_job(db, demo, monkeypatch):
    monkeypatch.setattr(mail, "enqueue_hooks", [tasks._remember])
    jobs, outbox = _job_mark(db), id_mark(db, MailOutbox)
    nested = db.begin_nested()
    _queue(db, "uno@example.it")
    db.flush()
    nested.rollback()
    kept = _queue(db, "due@example.it")
    db.commit()
    assert [row.id for row in rows_after(db, MailOutbox, outbox)] == [kept.id]
    assert _jobs(db, jobs) == [("send_mail", {"outbox_id": kept.id}, "todo")]


@on_postgres
def test_an_asked_data_export_gets_its_build_job_in_the_same_transaction(db, demo, monkeypatch):
    from portal.models import DataExport, UserAccount
    from portal.services.privacy import export

    monkeypatch.setattr(export, "enqueue_hooks", [tasks.defer_data_export])
    monkeypatch.setattr(tasks.app.job_manager, "connector", OpenedForAWorker())
    jobs, exports = _job_mark(db), id_mark(db, DataExport)
    user = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    export.request_export(session=db, user=user, now=dt.datetime.now(dt.UTC))
    db.commit()
    [row] = rows_after(db, DataExport, exports)
    assert _jobs(db, jobs) == [("build_data_export", {"export_id": row.id}, "todo")]
