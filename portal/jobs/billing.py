"""python -m portal.jobs.billing [--as-of YYYY-MM-DD]

The daily billing run: issues the invoices whose publication day has come and notifies the
customers (bell and e-mail). Safe to run again: nothing is issued or notified twice. The job
workers run it every day (portal/jobs/tasks.py `daily_billing`; the app itself with SQLite); this
command is the same run by hand. The mail is queued with the documents and sent once they are
committed, before the command returns; what the mail server refuses stays in the outbox for the
job workers (or `python -m portal.jobs.mail`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from sqlmodel import select

from portal.config import settings
from portal.db import session_scope
from portal.models import Tenant
from portal.services.billing.publication import run_billing
from portal.services.common import clock, mail_sender


def run(*, as_of: dt.date) -> int:
    """Issue and publish what is due as of `as_of`; how many documents. The mail waits in the outbox.
    Nothing when the core system bills (PORTAL_BILLING=core): its invoices come by the import, which
    publishes them."""
    if settings.billing == "core":
        return 0
    with session_scope() as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == settings.tenant_slug)).one()
        issued = run_billing(
            session=session, tenant_id=tenant.id, as_of=as_of, now=clock.now(), public_url=settings.public_url
        )
    return len(issued)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.jobs.billing")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=clock.today())
    args = parser.parse_args(argv)
    issued = run(as_of=args.as_of)
    if settings.billing == "core":
        print("PORTAL_BILLING=core: the core system issues the invoices (they come by the import); nothing issued")
    else:
        print(f"{issued} documents issued and published as of {args.as_of.isoformat()}")
    while mail_sender.send_due().sent:  # in batches, until what is due has gone or waits for a retry
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
