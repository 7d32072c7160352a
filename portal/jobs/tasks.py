"""The portal's durable jobs on PostgreSQL, with procrastinate (docs/DEPLOY.md says why this library).

The jobs live in the portal's own database (the procrastinate_* tables, created by alembic 0010):
- `send_mail`: one outbox mail; deferred in the transaction that writes the mail (`install`), so
  the job exists exactly when the mail does, and a worker sends it a moment after the commit;
- `drain_outbox` every minute: what is due again after a refusal (the outbox's own backoff), and
  anything written without a job (the seed, a tool);
- `deliver_webhook`: one webhook delivery, deferred in the transaction that writes it (`install`);
  `retry_webhooks` every minute: the deliveries due again (their own backoff, RETRY_DELAYS in
  portal/integration/outbound/webhooks.py) and any written without a job;
- `sweep_attachments` hourly, `daily_billing` once a day (cron, deferred once for all workers);
- `insurance_reminders` once a day: the reminders before accepted insurance certificates lapse;
- `retry_stalled_jobs` every minute: the jobs of a worker that stopped beating (killed, machine lost)
  run again; a worker also does it when it starts; `remove_old_jobs` daily: succeeded jobs after a week.
A job that raises is retried with exponential backoff (RETRY); the tasks are idempotent, so a job
run again after its worker died does its work once: a mail claim names its job (`job:<id>`), and the
same job takes its own claim back at once instead of waiting for the claim to expire.

With SQLite there is no queue: the app runs the same work in its lifespan task (portal/jobs/embedded.py).
"""

from __future__ import annotations

import logging
from typing import Any

import procrastinate
import sqlalchemy as sa
from procrastinate import exceptions, jobs, manager
from sqlalchemy import event
from sqlmodel import Session

from portal.config import settings
from portal.integration.outbound import webhooks
from portal.jobs import billing, data_exports
from portal.jobs import documents as document_jobs
from portal.jobs import mail as jobs_mail
from portal.models.data_export import DataExport
from portal.models.mail import MailOutbox
from portal.models.outbound import WebhookDelivery
from portal.services.common import clock, mail, mail_sender
from portal.services.privacy import export

logger = logging.getLogger(__name__)

DRAIN_CRON = "* * * * *"
WEBHOOKS_CRON = "* * * * *"
SWEEP_CRON = "17 * * * *"
# 05:00 UTC: 06:00 or 07:00 in Rome, before the customers' day starts; procrastinate reads crons in UTC.
BILLING_CRON = "0 5 * * *"
REMINDERS_CRON = "10 5 * * *"  # the insurance expiry reminders (issue 15), after the billing run
STALLED_CRON = "* * * * *"
CLEANUP_CRON = "40 3 * * *"
DATA_EXPORTS_CRON = "* * * * *"
KEEP_JOBS_HOURS = 7 * 24
# A job that raised (a database hiccup, a full disk) runs again after 4, 16, 64, 256 and 1024 s, then
# is marked failed; refused mail is no such failure: the outbox keeps its own schedule (RETRY_DELAYS).
RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=4)
STALLED_LOCK = 0x706F7274616C  # the advisory lock of retry_stalled ("portal")
_PENDING = "portal.jobs.pending_mail"  # session.info key: outbox rows waiting for their job
_PENDING_WEBHOOKS = "portal.jobs.pending_webhooks"  # session.info key: deliveries waiting for their job


def conninfo(database_url: str) -> str:
    """libpq's form of an SQLAlchemy URL (postgresql+psycopg://… → postgresql://…)."""
    return sa.make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(database_url: str, **connection: Any) -> procrastinate.App:
    """The job app for `database_url`; `connection` goes to every connection (search_path in tests)."""
    connector = procrastinate.PsycopgConnector(
        conninfo="" if database_url.startswith("sqlite") else conninfo(database_url),
        kwargs=connection or None,
        min_size=1,
        max_size=4,
    )
    return procrastinate.App(connector=connector)


app = make_app(settings.database_url)
# Defers on the caller's own (synchronous) connection, never from a pool: the app's connector, once
# opened for a worker, is asynchronous and cannot take a psycopg.Connection, even from a job's thread.
_ON_A_GIVEN_CONNECTION = manager.JobManager(procrastinate.SyncPsycopgConnector())


def alembic_include_name(name: str | None, type_: str, parent_names) -> bool:
    """Alembic compares the models with the database, but procrastinate's tables are its own."""
    return not (name or "").startswith("procrastinate_")


def mail_owner(job_id: int | None) -> str:
    return f"job:{job_id}"


@app.task(name="send_mail", pass_context=True, retry=RETRY)
def send_mail(context: procrastinate.JobContext, outbox_id: int) -> str | None:
    """Send one outbox mail (nothing when it is done, taken by a live sender, or waits for its retry)."""
    return mail_sender.send_one(outbox_id, owner=mail_owner(context.job.id))


@app.periodic(cron=DRAIN_CRON, periodic_id="drain_outbox")
@app.task(name="drain_outbox", queueing_lock="drain_outbox", pass_context=True, retry=RETRY)
def drain_outbox(context: procrastinate.JobContext, timestamp: int) -> int:
    sent = 0
    while report := mail_sender.send_due(owner=mail_owner(context.job.id)).sent:  # in batches
        sent += report
    return sent


@app.task(name="deliver_webhook", pass_context=True, retry=RETRY)
def deliver_webhook(context: procrastinate.JobContext, delivery_id: int) -> str | None:
    """One attempt at a webhook delivery (nothing when it is done, taken, or waits for its retry)."""
    return webhooks.deliver_one(delivery_id, owner=mail_owner(context.job.id))


@app.periodic(cron=WEBHOOKS_CRON, periodic_id="retry_webhooks")
@app.task(name="retry_webhooks", queueing_lock="retry_webhooks", pass_context=True, retry=RETRY)
def retry_webhooks(context: procrastinate.JobContext, timestamp: int) -> int:
    attempted = 0
    while True:  # in batches; a retried delivery is due again only later
        report = webhooks.deliver_due(owner=mail_owner(context.job.id))
        done = report.delivered + report.retrying + report.given_up
        if not done:
            return attempted
        attempted += done


@app.periodic(cron=SWEEP_CRON, periodic_id="sweep_attachments")
@app.task(name="sweep_attachments", queueing_lock="sweep_attachments", retry=RETRY)
def sweep_attachments(timestamp: int) -> None:
    report = jobs_mail.sweep()
    if report.finished or report.orphans or report.abandoned:
        logger.warning("attachment sweep: %s", report)


@app.periodic(cron=BILLING_CRON, periodic_id="daily_billing")
@app.task(name="daily_billing", queueing_lock="daily_billing", retry=RETRY)
def daily_billing(timestamp: int) -> int:
    """The billing run of the day in Rome (idempotent: a second run issues nothing)."""
    return billing.run(as_of=clock.today())


@app.periodic(cron=REMINDERS_CRON, periodic_id="insurance_reminders")
@app.task(name="insurance_reminders", queueing_lock="insurance_reminders", retry=RETRY)
def insurance_reminders(timestamp: int) -> int:
    """The insurance expiry reminders of the day (idempotent: each threshold is sent once)."""
    return document_jobs.run(as_of=clock.today())


@app.task(name="build_data_export", retry=RETRY)
def build_data_export(export_id: int) -> int:
    """The copies of the customers' data (issue 15), deferred when one is asked for: builds what
    waits (this one among them; two builders never take the same, export.claim_next)."""
    return data_exports.run().built


@app.periodic(cron=DATA_EXPORTS_CRON, periodic_id="data_exports")
@app.task(name="data_exports", queueing_lock="data_exports", retry=RETRY)
def data_exports_due(timestamp: int) -> int:
    """Every minute: the exports whose builder died, and the files whose link lapsed."""
    return data_exports.run().built


@app.periodic(cron=STALLED_CRON, periodic_id="retry_stalled_jobs")
@app.task(name="retry_stalled_jobs", queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> int:
    return await retry_stalled(context.app)


@app.periodic(cron=CLEANUP_CRON, periodic_id="remove_old_jobs")
@app.task(name="remove_old_jobs", queueing_lock="remove_old_jobs", pass_context=True)
async def remove_old_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
    """Succeeded jobs go after KEEP_JOBS_HOURS; failed ones stay until someone has looked at them."""
    await context.app.job_manager.delete_old_jobs(nb_hours=KEEP_JOBS_HOURS)


async def retry_stalled(job_app: procrastinate.App) -> int:
    """Put back in the queue the jobs of workers silent for longer than PORTAL_JOB_STALLED_SECONDS.

    One worker at a time (a transaction-level advisory lock): listing and requeueing are two steps,
    and a second worker that listed the same job before the first requeued it could requeue it again
    while a live worker already runs it (two runs at once)."""
    connector = job_app.connector
    assert isinstance(connector, procrastinate.PsycopgConnector)
    async with connector.pool.connection() as lock:
        await lock.execute("select pg_advisory_xact_lock(%s)", (STALLED_LOCK,))
        stalled = list(await job_app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.job_stalled_seconds))
        for job in stalled:
            try:
                await job_app.job_manager.retry_job(job)
            except exceptions.ConnectorException:  # its worker was only slow: it finished
                logger.warning("job %s of a stalled worker ended meanwhile", job.call_string)
            else:
                logger.warning("job %s of a stalled worker runs again", job.call_string)
    return len(stalled)


def worker_options(**overrides: Any) -> dict[str, Any]:
    """How a worker runs: the heartbeat three times per stalled period, sync tasks in threads."""
    options: dict[str, Any] = {
        "concurrency": 4,
        "update_heartbeat_interval": settings.job_stalled_seconds / 3,
        "stalled_worker_timeout": settings.job_stalled_seconds,
    }
    options.update(overrides)
    return {key: value for key, value in options.items() if value is not None}


async def run_worker(job_app: procrastinate.App = app, **overrides: Any) -> None:
    """A worker until it is stopped; on the way in it requeues the jobs of workers that died."""
    async with job_app.open_async():
        await retry_stalled(job_app)
        await job_app.run_worker_async(**worker_options(**overrides))


def install() -> None:
    """On PostgreSQL, every mail written into the outbox gets its `send_mail` job, and every webhook
    delivery its `deliver_webhook` job, in the same transaction."""
    if not settings.is_sqlite and _remember not in mail.enqueue_hooks:
        mail.enqueue_hooks.append(_remember)
    if not settings.is_sqlite and _remember_delivery not in webhooks.enqueue_hooks:
        webhooks.enqueue_hooks.append(_remember_delivery)
    if not settings.is_sqlite and defer_data_export not in export.enqueue_hooks:
        export.enqueue_hooks.append(defer_data_export)


def defer_data_export(session: Session, row: DataExport) -> int:
    """The build job of an export just asked for, deferred in the asking transaction: it exists
    exactly when the request does."""
    deferrer = jobs.JobDeferrer(
        job_manager=_ON_A_GIVEN_CONNECTION,
        job=build_data_export.configure().job,
        connection=session.connection().connection.driver_connection,
    )
    return deferrer.batch_defer({"export_id": row.id})[0]


def _remember_delivery(session: Session, row: WebhookDelivery) -> None:
    session.info.setdefault(_PENDING_WEBHOOKS, []).append(row)
    if not event.contains(session, "before_commit", defer_pending_deliveries):
        event.listen(session, "before_commit", defer_pending_deliveries)


def defer_pending_deliveries(session: Session) -> list[int]:
    """As `defer_pending`, for the webhook deliveries this transaction wrote."""
    rows = [row for row in session.info.pop(_PENDING_WEBHOOKS, []) if row in session]
    if not rows:
        return []
    session.flush()
    deferrer = jobs.JobDeferrer(
        job_manager=_ON_A_GIVEN_CONNECTION,
        job=deliver_webhook.configure().job,
        connection=session.connection().connection.driver_connection,
    )
    return deferrer.batch_defer(*({"delivery_id": row.id} for row in rows))


def _remember(session: Session, row: MailOutbox) -> None:
    session.info.setdefault(_PENDING, []).append(row)
    if not event.contains(session, "before_commit", defer_pending):
        event.listen(session, "before_commit", defer_pending)


def defer_pending(session: Session) -> list[int]:
    """Defer the jobs of the outbox rows this transaction wrote, on its own connection: they commit
    or roll back with it. Rows a rollback took away are left out. The ids of the jobs."""
    rows = [row for row in session.info.pop(_PENDING, []) if row in session]
    if not rows:
        return []
    session.flush()
    deferrer = jobs.JobDeferrer(
        job_manager=_ON_A_GIVEN_CONNECTION,
        job=send_mail.configure().job,
        connection=session.connection().connection.driver_connection,
    )
    return deferrer.batch_defer(*({"outbox_id": row.id} for row in rows))
