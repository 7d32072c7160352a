"""python -m portal.jobs.mail [--loop]

Sends the mail waiting in the outbox (with retries, see services/common/mail_sender.py) and makes
the attachment folders agree with the committed rows (services/requests/attachments.py `sweep`).
The job workers run the same work (portal/jobs/tasks.py; the app itself with SQLite,
portal/jobs/embedded.py); this command is for cron or by hand, and --loop runs the SQLite loop of
the app in a process of its own. Several senders at once never send a mail twice at the same time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from portal.db import session_scope
from portal.services.common import mail, mail_sender
from portal.services.requests import attachments

logger = logging.getLogger(__name__)


def sweep() -> attachments.SweepReport:
    with session_scope() as session:
        return attachments.sweep(session=session)


def send() -> mail_sender.SendReport:
    mail.wake_sender.clear()
    return mail_sender.send_due()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.jobs.mail")
    parser.add_argument("--loop", action="store_true", help="keep running (a worker of its own)")
    args = parser.parse_args(argv)
    if args.loop:
        from portal.jobs.embedded import run_in_process

        asyncio.run(run_in_process())
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
