"""The background jobs run by the app itself: the app's lifespan task (registered in portal/portal.py).

PORTAL_JOB_WORKER=separate (production's default, docs/DEPLOY.md): the worker processes
(`python -m portal.jobs worker`) run every job and the app only defers them. Otherwise the app runs
them in-process:
- on PostgreSQL, a procrastinate worker inside the app process: the same queue, tasks and
  schedules as a separate worker (portal/jobs/tasks.py);
- on SQLite (`make run`, the embedded default), which procrastinate cannot serve, a loop calling the
  same functions: the outbox sender and the webhook sender, woken by the commit that queued mail or
  a delivery (and every POLL_SECONDS for the retries), the attachment sweep at start and hourly,
  the billing run daily at BILLING_CRON, the insurance reminders daily at REMINDERS_CRON. The outbox
  and the webhook deliveries are the durable part there: a mail or a delivery written before a crash
  is sent after the restart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import time

from croniter import croniter

from portal.config import JOB_WORKER_SEPARATE, settings
from portal.integration.outbound import webhooks
from portal.jobs import billing, data_exports, tasks
from portal.jobs import documents as document_jobs
from portal.jobs import mail as jobs_mail
from portal.services.common import clock, mail
from portal.services.privacy import export

logger = logging.getLogger(__name__)

POLL_SECONDS = 5  # how long the sender waits when nothing wakes it
SWEEP_EVERY_SECONDS = 3600
BILLING_RETRY = dt.timedelta(minutes=15)  # after a failed daily run


async def background() -> None:
    """The app's lifespan task."""
    tasks.install()
    if settings.job_worker == JOB_WORKER_SEPARATE:
        logger.info("background jobs: run by separate workers (python -m portal.jobs worker)")
        return
    if settings.is_sqlite:
        await run_in_process()
    else:
        await tasks.run_worker(install_signal_handlers=False, name=f"app-{os.getpid()}")


def next_billing_run(after: dt.datetime) -> dt.datetime:
    return croniter(tasks.BILLING_CRON, after.astimezone(dt.UTC)).get_next(dt.datetime)


def next_reminders_run(after: dt.datetime) -> dt.datetime:
    return croniter(tasks.REMINDERS_CRON, after.astimezone(dt.UTC)).get_next(dt.datetime)


def deliver_webhooks() -> webhooks.DeliveryReport:
    """The webhook deliveries that are due (the SQLite loop's share of the PostgreSQL jobs)."""
    webhooks.wake.clear()
    return webhooks.deliver_due()


async def run_in_process() -> None:
    """The SQLite loop; a failure is logged and tried again on the next round."""
    last_sweep: float | None = None
    billing_at = next_billing_run(clock.now())
    reminders_at = next_reminders_run(clock.now())
    while True:
        try:
            if last_sweep is None or time.monotonic() - last_sweep >= SWEEP_EVERY_SECONDS:
                last_sweep = time.monotonic()
                report = await asyncio.to_thread(jobs_mail.sweep)
                if report.finished or report.orphans or report.abandoned:
                    logger.warning("attachment sweep: %s", report)
            if clock.now() >= billing_at:
                billing_at = clock.now() + BILLING_RETRY  # until it has succeeded
                issued = await asyncio.to_thread(billing.run, as_of=clock.today())
                logger.info("daily billing: %s documents issued", issued)
                billing_at = next_billing_run(clock.now())
            if clock.now() >= reminders_at:
                reminders_at = clock.now() + BILLING_RETRY  # until it has succeeded
                reminded = await asyncio.to_thread(document_jobs.run, as_of=clock.today())
                logger.info("insurance reminders: %s sent", reminded)
                reminders_at = next_reminders_run(clock.now())
            await asyncio.to_thread(data_exports.run)  # issue 15: woken by the commit that asked
            await asyncio.to_thread(jobs_mail.send)
            await asyncio.to_thread(deliver_webhooks)
        except Exception:  # a database or disk hiccup must not end the jobs for the app's life
            logger.exception("background jobs round failed; trying again")
        for _ in range(POLL_SECONDS * 10):
            if mail.wake_sender.is_set() or webhooks.wake.is_set() or export.wake.is_set():
                break
            await asyncio.sleep(0.1)
