"""python -m portal.jobs.mail [--loop]

Sends the mail waiting in the outbox (with retries, see services/common/mail_sender.py) and makes
the attachment folders agree with the committed rows (services/requests/attachments.py `sweep`).
The app runs the same work as a lifespan background task (`background`, registered in
portal/portal.py); this command is for cron, or for a worker of its own with --loop. Several
senders at once never send a mail twice at the same time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time

from portal.db import session_scope
from portal.services.common import mail, mail_sender
from portal.services.requests import attachments

logger = logging.getLogger(__name__)

POLL_SECONDS = 5  # how long the sender waits when nothing wakes it
SWEEP_EVERY_SECONDS = 3600


def sweep() -> attachments.SweepReport:
    with session_scope() as session:
        return attachments.sweep(session=session)


def send() -> mail_sender.SendReport:
    mail.wake_sender.clear()
    return mail_sender.send_due()


async def background() -> None:
    """The app's lifespan task: sweep at start and hourly, send as soon as a commit queues mail.
    The work runs in a worker thread; a failure is logged and tried again on the next round."""
    last_sweep = 0.0
    while True:
        try:
            if time.monotonic() - last_sweep >= SWEEP_EVERY_SECONDS or not last_sweep:
                report = await asyncio.to_thread(sweep)
                last_sweep = time.monotonic()
                if report.finished or report.orphans or report.abandoned:
                    logger.warning("attachment sweep: %s", report)
            await asyncio.to_thread(send)
        except Exception:  # a database or disk hiccup must not end the sender for the app's life
            logger.exception("mail sender round failed; trying again")
        for _ in range(POLL_SECONDS * 10):
            if mail.wake_sender.is_set():
                break
            await asyncio.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.jobs.mail")
    parser.add_argument("--loop", action="store_true", help="keep running (a worker of its own)")
    args = parser.parse_args(argv)
    if args.loop:
        asyncio.run(background())
        return 0
    swept = sweep()
    sent = send()
    print(
        f"mail: {sent.sent} sent, {sent.retried} to retry, {sent.failed} given up; "
        f"attachments: {swept.finished} moves finished, {swept.orphans} orphans and "
        f"{swept.abandoned} abandoned staged files removed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
