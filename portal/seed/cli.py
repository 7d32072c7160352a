"""The seed's command line (see __main__.py): sync the tenant, load the demo data, add the fleet."""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import time

from sqlmodel import Session, col, func, select

from portal.config import settings
from portal.db import session_scope
from portal.models import Customer, Tenant, UserAccount
from portal.models.enums import UserRole
from portal.seed.demo import seed_demo
from portal.seed.fleet import FLEET_CODE, seed_fleet
from portal.services.access.passwords import hash_password
from portal.services.common import clock
from portal.services.common.branding import load_branding, sync_tenant

# The file sets the seed imports are kept for the operators to look at (the private folder is not served).
FEEDS = settings.private_dir / "demo-feed"


def replace_demo_passwords(*, session: Session, tenant: Tenant, after_id: int) -> dict[str, str]:
    """Outside demo mode no account keeps the password printed in README.md (issue 11): every
    seeded account gets a random one, to change at first login; the operators' are returned to be
    shown once, the customers' are never shown (they use "password dimenticata")."""
    shown: dict[str, str] = {}
    users = session.exec(
        select(UserAccount).where(UserAccount.tenant_id == tenant.id, col(UserAccount.id) > after_id)
    ).all()
    for user in users:
        password = secrets.token_urlsafe(18)
        user.password_hash = hash_password(password)
        user.must_change_password = True
        user.temporary_password_sent_at = clock.now()
        session.add(user)
        if user.role is UserRole.OPERATOR:
            shown[user.username] = password
    session.flush()
    return shown


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
        accounts_before = session.exec(select(func.coalesce(func.max(UserAccount.id), 0))).one()
        if not customers:
            step = time.perf_counter()
            seed_demo(session=session, tenant=tenant, as_of=args.as_of, feed=FEEDS / "demo")
            print(
                f"demo data loaded for {tenant.name} (as of {args.as_of.isoformat()}) through the file set "
                f"{FEEDS / 'demo'} in {time.perf_counter() - step:.1f} s"
            )
        elif args.if_empty:
            print("database already has customers: demo data left as it is")
        if args.size == "large" and FLEET_CODE not in customers:
            step = time.perf_counter()
            seed_fleet(session=session, tenant=tenant, as_of=args.as_of, feed=FEEDS / "fleet")
            print(f"fleet customer {FLEET_CODE} loaded through {FEEDS / 'fleet'} in {time.perf_counter() - step:.1f} s")
        if not settings.demo_mode:
            shown = replace_demo_passwords(session=session, tenant=tenant, after_id=accounts_before)
            for username, password in shown.items():
                print(f"operator {username}: one-time password {password} (change it at first login)")
            if shown:
                print("not in demo mode: seeded accounts have random passwords; customers reset theirs by e-mail")
    print(f"seeding took {time.perf_counter() - started:.1f} s")
    return 0
