"""python -m portal.seed [--size demo|large] [--if-empty] [--as-of YYYY-MM-DD]

Syncs the tenant row with tenants/<PORTAL_TENANT>.toml, then loads the demo data set (and, for
`large`, the fleet customer). With --if-empty nothing is loaded into a database that already
has customers, so `make run` can call it every time.
"""

from __future__ import annotations

import os

# Demo data never sends real mail: what the seed "sends" lands in the demo outbox.
os.environ["MAIL_BACKEND"] = "outbox"

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from sqlmodel import select  # noqa: E402

from portal.config import settings  # noqa: E402
from portal.db import session_scope  # noqa: E402
from portal.models import Customer  # noqa: E402
from portal.seed.demo import seed_demo  # noqa: E402
from portal.seed.fleet import FLEET_CODE, seed_fleet  # noqa: E402
from portal.services.branding import load_branding, sync_tenant  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.seed")
    parser.add_argument("--size", choices=("demo", "large"), default="demo")
    parser.add_argument("--if-empty", action="store_true", help="skip when customers exist")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args(argv)

    started = time.perf_counter()
    with session_scope() as session:
        tenant = sync_tenant(session=session, branding=load_branding(settings.tenant_slug))
        customers = session.exec(select(Customer.code).where(Customer.tenant_id == tenant.id)).all()
        if not customers:
            seed_demo(session=session, tenant=tenant, as_of=args.as_of)
            print(f"demo data loaded for {tenant.name} (as of {args.as_of.isoformat()})")
        elif args.if_empty:
            print("database already has customers: demo data left as it is")
        if args.size == "large" and FLEET_CODE not in customers:
            seed_fleet(session=session, tenant=tenant, as_of=args.as_of)
            print(f"fleet customer {FLEET_CODE} loaded")
    print(f"seeding took {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
