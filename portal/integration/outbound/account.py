"""The account the core system's changes are made by.

A message's author and a status change's maker are user accounts (foreign keys), and the desk's
answer is reserved to operators of the request's leasing company. Rather than lend a real
operator's name, each tenant gets one operator account for its core system, created on first use:
the request's history says the core system did it, and the customer sees the leasing company's
name as the author. It can never sign in: it is inactive and has no password (sign-in, password
recovery and sessions all refuse inactive accounts)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.models import Tenant, UserAccount
from portal.models.enums import UserRole

PREFIX = "integration:"  # no customer's username has a colon: they are customer codes


def username_for(tenant: Tenant) -> str:
    return f"{PREFIX}{tenant.slug}"


def is_core_system(user: UserAccount) -> bool:
    return user.role is UserRole.OPERATOR and user.username.startswith(PREFIX)


def core_system_account(session: Session, tenant_id: int) -> UserAccount:
    """The tenant's core-system account, created the first time it is needed (two first calls at
    once: the second finds the first's row once the unique username has stopped it)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError(f"no tenant {tenant_id}")
    query = select(UserAccount).where(UserAccount.username == username_for(tenant))
    found = session.exec(query).first()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            account = UserAccount(
                tenant_id=tenant.id,
                username=username_for(tenant),
                role=UserRole.OPERATOR,
                first_name=tenant.name[:80],
                primary_email=tenant.support_email,
                password_hash=None,
                is_active=False,
                may_submit_requests=False,
            )
            session.add(account)
            session.flush()
        return account
    except IntegrityError:
        return session.exec(query).one()
