"""Signing in with username and password, and who the signed-in user is."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session, select

from portal.models import Customer, UserAccount
from portal.models.enums import Language, UserRole
from portal.services import audit
from portal.services.passwords import hash_password, needs_rehash, verify_password


@dataclasses.dataclass(frozen=True)
class Principal:
    """What the UI may know about the signed-in user: no secrets, nothing of other customers."""

    user_id: int
    tenant_id: int
    username: str
    role: UserRole
    customer_id: int | None
    display_name: str  # the person, or the company for the main customer account
    customer_name: str  # denominazione of the customer, "" for operators
    initials: str
    language: Language

    @property
    def is_operator(self) -> bool:
        return self.role is UserRole.OPERATOR


def initials_of(*names: str) -> str:
    letters = [word[0] for name in names for word in name.split() if word and word[0].isalnum()]
    return "".join(letters[:2]).upper() or "?"


def principal_for(*, session: Session, user: UserAccount) -> Principal:
    customer = session.get(Customer, user.customer_id) if user.customer_id else None
    person = f"{user.first_name} {user.last_name}".strip()
    customer_name = customer.denominazione if customer else ""
    display = person or customer_name or user.username
    if person:
        initials = initials_of(user.first_name, user.last_name)
    else:
        initials = initials_of(display)
    return Principal(
        user_id=user.id,
        tenant_id=user.tenant_id,
        username=user.username,
        role=user.role,
        customer_id=user.customer_id,
        display_name=display,
        customer_name=customer_name,
        initials=initials,
        language=user.language,
    )


def authenticate(
    *, session: Session, username: str, password: str, now: dt.datetime, client_ip: str = ""
) -> UserAccount | None:
    """The account when username and password match an active account, else None.

    The answer and the work done are the same whether or not the username exists.
    """
    user = session.exec(select(UserAccount).where(UserAccount.username == username.strip())).first()
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        audit.record(
            session=session,
            action="login.failure",
            tenant_id=user.tenant_id if user else None,
            user_id=user.id if user else None,
            customer_id=user.customer_id if user else None,
            client_ip=client_ip,
            username=username.strip()[:60],
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.add(user)
    audit.record(
        session=session,
        action="login.success",
        tenant_id=user.tenant_id,
        user_id=user.id,
        customer_id=user.customer_id,
        client_ip=client_ip,
    )
    return user
