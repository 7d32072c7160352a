"""python -m portal.jobs.documents [--as-of YYYY-MM-DD]

The daily reminders before accepted insurance certificates lapse (30 and 7 days before; each sent
once: services/documents/reminders.py). The job workers run it every day (portal/jobs/tasks.py
`insurance_reminders`; the app itself with SQLite, portal/jobs/embedded.py); this command is the
same run by hand. A run that missed a day sends what has come due meanwhile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from sqlmodel import select

from portal.config import settings
from portal.db import session_scope
from portal.models import Tenant
from portal.services.common import clock, mail_sender
from portal.services.documents.reminders import run_reminders


def run(*, as_of: dt.date) -> int:
    """The reminders due as of `as_of` (their mail waits in the outbox); how many were sent."""
    with session_scope() as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == settings.tenant_slug)).one()
        return run_reminders(
            session=session, tenant_id=tenant.id, as_of=as_of, now=clock.now(), public_url=settings.public_url
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.jobs.documents")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=clock.today())
    args = parser.parse_args(argv)
    sent = run(as_of=args.as_of)
    print(f"{sent} insurance reminders sent as of {args.as_of.isoformat()}")
    while mail_sender.send_due().sent:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
