"""Signing in with username and password, and who the signed-in user is."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.config import settings
from portal.models import Customer, UserAccount
from portal.models.enums import Language, UserRole
from portal.services.access.links import send_unlock
from portal.services.access.password_policy import password_problem
from portal.services.access.passwords import hash_password, needs_rehash, verify_password
from portal.services.access.scope import Scope, can_manage_sub_users, can_submit_requests, scope_of
from portal.services.common import audit, throttle


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
    scope: Scope | None  # the customer data this user may read; None for operators
    can_manage_sub_users: bool
    may_submit_requests: bool

    @property
    def is_operator(self) -> bool:
        return self.role is UserRole.OPERATOR

    @property
    def customer_scope(self) -> Scope:
        """The scope of a customer or sub-user; asking it of an operator is a bug the guard prevents."""
        if self.scope is None:
            raise PermissionError(f"{self.username} reads no customer's data")
        return self.scope


def account_of(*, session: Session, principal: Principal) -> UserAccount:
    """The signed-in user's row (a Principal always names an existing account)."""
    user = session.get(UserAccount, principal.user_id)
    if user is None:
        raise LookupError(f"no account {principal.user_id}")
    return user


def initials_of(*names: str) -> str:
    letters = [word[0] for name in names for word in name.split() if word and word[0].isalnum()]
    return "".join(letters[:2]).upper() or "?"


def principal_for(*, session: Session, user: UserAccount) -> Principal:
    customer = session.get(Customer, user.customer_id) if user.customer_id else None
    person = user.full_name
    customer_name = customer.denominazione if customer else ""
    display = person or customer_name or user.username
    initials = initials_of(user.first_name, user.last_name) if person else initials_of(display)
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
        scope=scope_of(session=session, user=user),
        can_manage_sub_users=can_manage_sub_users(user),
        may_submit_requests=can_submit_requests(user),
    )


MAX_PASSWORD_FAILURES = 3
# A temporary password (invitation, registration, new sub-user) not replaced within this time no
# longer opens the account: the owner asks for a new one ("Password dimenticata?", the desk).
TEMPORARY_PASSWORD_TTL = dt.timedelta(hours=72)


class SignIn(enum.StrEnum):
    OK = "ok"
    FAILED = "failed"  # unknown user or wrong password: the same answer for both
    LOCKED = "locked"  # the password was right but the account is locked


def temporary_password_expired(user: UserAccount, now: dt.datetime) -> bool:
    sent = user.temporary_password_sent_at
    return user.must_change_password and sent is not None and now >= sent + TEMPORARY_PASSWORD_TTL


def _notify_locked(session: Session, user: UserAccount, now: dt.datetime, public_url: str | None) -> None:
    """Tell the owner the account was locked, with the link that unlocks it (a few times a day at
    most: whoever locks it again and again must not flood the owner's mailbox)."""
    if not throttle.allow("lock_notice", client="", subject=f"user:{user.id}"):
        return
    send_unlock(session=session, user=user, now=now, public_url=public_url or settings.public_url, locked_notice=True)


def authenticate(
    *,
    session: Session,
    username: str,
    password: str,
    now: dt.datetime,
    client_ip: str = "",
    public_url: str | None = None,
    user_agent: str = "",
) -> tuple[SignIn, UserAccount | None]:
    """Check username and password; the third wrong password in a row locks the account and the
    owner is told by e-mail (with a link that unlocks it).

    An unknown username costs the same work and gets the same answer as a wrong password, and a
    locked account is only reported to whoever knows its password. A temporary password older
    than TEMPORARY_PASSWORD_TTL is refused like a wrong one (without counting as a failure).
    """
    # The row is locked until the end of the transaction: two workers counting failures at once
    # cannot both read 2 and write 3 for four wrong passwords.
    user = session.exec(
        select(UserAccount)
        .where(UserAccount.username == username.strip(), col(UserAccount.is_active).is_(True))
        .with_for_update()
    ).first()
    valid = verify_password(user.password_hash if user else None, password)
    context = {
        "tenant_id": user.tenant_id if user else None,
        "user_id": user.id if user else None,
        "customer_id": user.customer_id if user else None,
        "client_ip": client_ip,
    }
    if user is None or not valid:
        audit.record(
            session=session, action="login.failure", username=username.strip()[:60], user_agent=user_agent, **context
        )
        if user is not None:
            count_password_failure(session=session, user=user, now=now, client_ip=client_ip, public_url=public_url)
        return SignIn.FAILED, None
    if temporary_password_expired(user, now):
        audit.record(session=session, action="login.temporary_password_expired", **context)
        return SignIn.FAILED, None
    if user.locked_at is not None:
        audit.record(session=session, action="login.refused_locked", user_agent=user_agent, **context)
        return SignIn.LOCKED, None
    # A valid password implies a stored hash (verify_password); the check only tells pyright.
    if user.password_hash is not None and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_login_count = 0
    session.add(user)
    audit.record(session=session, action="login.password_ok", **context)
    return SignIn.OK, user


def count_password_failure(
    *, session: Session, user: UserAccount, now: dt.datetime, client_ip: str = "", public_url: str | None = None
) -> bool:
    """One more wrong password for the account; True when it locked the account (issue 11), and then
    the owner is told by e-mail, with the link that unlocks it.

    The count is raised by the database (UPDATE … SET n = n + 1 … RETURNING), never read, added to
    and written back: several workers each get their own number, so none can slip past the limit.
    """
    table = UserAccount.__table__  # type: ignore[attr-defined]  (SQLModel's table, for Core statements)
    still_open = sa.and_(table.c.id == user.id, table.c.locked_at.is_(None))
    count = session.execute(
        sa.update(table)
        .where(still_open)
        .values(failed_login_count=table.c.failed_login_count + 1)
        .returning(table.c.failed_login_count)
    ).scalar_one_or_none()
    locked = False
    if count is not None and count >= MAX_PASSWORD_FAILURES:
        locking = sa.update(table).where(still_open).values(locked_at=now).returning(table.c.id)
        locked = session.execute(locking).scalar_one_or_none() is not None
    session.expire(user, ["failed_login_count", "locked_at"])  # the ORM copy is stale now
    if locked:
        audit.record_by(session, "account.locked", user, client_ip=client_ip, reason="password")
        _notify_locked(session, user, now, public_url)
    return locked


def complete_login(
    *,
    session: Session,
    user: UserAccount,
    now: dt.datetime,
    client_ip: str = "",
    user_agent: str = "",
    session_id: int | None = None,
) -> None:
    """Both factors passed: remember the login (with the device and the session it opened: the
    access log shows them, issue 15)."""
    user.last_login_at = now
    session.add(user)
    extra = {"session_id": session_id} if session_id is not None else {}
    audit.record_by(session, "login.success", user, client_ip=client_ip, user_agent=user_agent, **extra)


def set_password(
    *, session: Session, user: UserAccount, new_password: str, now: dt.datetime, fiscal_code: str = ""
) -> str | None:
    """Replace the password when it meets the policy; the catalogue key of the problem if not."""
    problem = password_problem(new_password, username=user.username, fiscal_code=fiscal_code)
    if problem:
        return problem
    if user.password_hash and verify_password(user.password_hash, new_password):
        return "password.same_as_before"
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.password_changed_at = now
    user.failed_login_count = 0
    user.locked_at = None
    session.add(user)
    return None


def fiscal_code_of(session: Session, user: UserAccount) -> str:
    customer = session.get(Customer, user.customer_id) if user.customer_id else None
    return customer.codice_fiscale if customer else ""
