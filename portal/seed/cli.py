"""The seed's command line (see __main__.py): sync the tenant, load the demo data, add the fleet."""

from __future__ import annotations

import argparse
import datetime as dt
import time

from sqlmodel import select

from portal.config import settings
from portal.db import session_scope
from portal.models import Customer
from portal.seed.demo import seed_demo
from portal.seed.fleet import FLEET_CODE, seed_fleet
from portal.services.common import clock
from portal.services.common.branding import load_branding, sync_tenant


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.seed")
    parser.add_argument("--size", choices=("demo", "large"), default="demo")
    parser.add_argument("--if-empty", action="store_true", help="skip when customers exist")
    parser.add_argument(
        "--as-of", type=dt.date.fromisoformat, default=clock.today()
    )  # Rome's day, as the billing job's
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
