"""Sub-users ("sotto utenti") of a customer account: 10093.1, 10093.2, …

Only the main customer account manages them; every function checks it, whatever the caller
sends. A sub-user sees the parent's data within the rights given here (which contracts, whether
it may submit requests) and receives an invitation with a temporary password.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session, col, select

from portal.models import Contract, Customer, SubUserContract, UserAccount
from portal.models.enums import Language, UserRole
from portal.services.access.onboarding import mail_temporary_password, temporary_password
from portal.services.access.passwords import hash_password
from portal.services.access.recovery import mail_unlocked
from portal.services.access.scope import can_manage_sub_users
from portal.services.access.sessions import close_all_sessions
from portal.services.common import audit
from portal.services.common.identity import contact_problems
from portal.services.common.text import text_problem

NAME_MAX = 80


@dataclasses.dataclass(frozen=True)
class SubUserForm:
    first_name: str
    last_name: str
    primary_email: str
    secondary_email: str = ""
    language: str = "it"
    all_contracts: bool = True
    contract_ids: tuple[int, ...] = ()
    may_submit_requests: bool = True


@dataclasses.dataclass(frozen=True)
class SubUserView:
    user_id: int
    username: str
    first_name: str
    last_name: str
    primary_email: str
    secondary_email: str
    language: str
    all_contracts: bool
    contract_numbers: tuple[str, ...]
    contract_ids: tuple[int, ...]
    may_submit_requests: bool
    activated: bool
    locked: bool  # three wrong passwords in a row: the main account may unlock it


def _require_manager(parent: UserAccount) -> None:
    if not can_manage_sub_users(parent):
        raise PermissionError("only the main customer account manages sub-users")


def _name_problem(value: str, required: str) -> str | None:
    if not value.strip():
        return required
    if len(value.strip()) > NAME_MAX:
        return "subusers.too_long"
    return text_problem(value)


def _validate(session: Session, parent: UserAccount, form: SubUserForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    names = (
        ("first_name", form.first_name, "subusers.first_name_required"),
        ("last_name", form.last_name, "subusers.last_name_required"),
    )
    for name, value, required in names:
        if problem := _name_problem(value, required):
            errors[name] = problem
    errors |= contact_problems(
        primary_email=form.primary_email, secondary_email=form.secondary_email, language=form.language
    )
    if not form.all_contracts:
        own = set(session.exec(select(Contract.id).where(Contract.customer_id == parent.customer_id)).all())
        if not form.contract_ids:
            errors["contracts"] = "subusers.contracts_required"
        elif not set(form.contract_ids) <= own:
            errors["contracts"] = "subusers.contracts_invalid"
    return errors


def _owned(session: Session, parent: UserAccount, user_id: int) -> UserAccount:
    user = session.get(UserAccount, user_id)
    if user is None or user.parent_id != parent.id or user.role is not UserRole.SUB_USER or not user.is_active:
        raise PermissionError("not a sub-user of this account")
    return user


def _apply(session: Session, user: UserAccount, form: SubUserForm) -> None:
    user.first_name = form.first_name.strip()
    user.last_name = form.last_name.strip()
    user.primary_email = form.primary_email.strip()
    user.secondary_email = form.secondary_email.strip() or None
    user.language = Language(form.language)
    user.all_contracts = form.all_contracts
    user.may_submit_requests = form.may_submit_requests
    session.add(user)
    session.flush()
    for grant in session.exec(select(SubUserContract).where(SubUserContract.user_id == user.id)).all():
        session.delete(grant)
    session.flush()  # the old grants go before the new ones arrive (unique user/contract)
    if not form.all_contracts:
        session.add_all(
            SubUserContract(user_id=user.id, contract_id=contract_id) for contract_id in sorted(set(form.contract_ids))
        )


@dataclasses.dataclass(frozen=True)
class GrantableContract:
    contract_id: int
    number: str
    product: str
    product_code: str | None


def grantable_contracts(*, session: Session, parent: UserAccount) -> list[GrantableContract]:
    """The contracts of the parent's customer, which a sub-user may be granted."""
    _require_manager(parent)
    rows = session.exec(
        select(Contract.id, Contract.number, Contract.product, Contract.product_code)
        .where(Contract.customer_id == parent.customer_id)
        .order_by(col(Contract.number))
    ).all()
    return [
        GrantableContract(contract_id=cid, number=number, product=product, product_code=code)
        for cid, number, product, code in rows
    ]


def next_username(session: Session, parent: UserAccount) -> str:
    """parent.N with N one above every suffix ever used (deleted sub-users keep theirs)."""
    prefix = f"{parent.username}."
    taken = session.exec(select(UserAccount.username).where(col(UserAccount.username).startswith(prefix))).all()
    suffixes = [int(name[len(prefix) :]) for name in taken if name[len(prefix) :].isdigit()]
    return f"{prefix}{max(suffixes, default=0) + 1}"


def list_sub_users(*, session: Session, parent: UserAccount) -> list[SubUserView]:
    _require_manager(parent)
    users = session.exec(
        select(UserAccount)
        .where(
            UserAccount.parent_id == parent.id,
            UserAccount.role == UserRole.SUB_USER,
            col(UserAccount.is_active).is_(True),
        )
        .order_by(col(UserAccount.username))
    ).all()
    grants = session.exec(
        select(SubUserContract.user_id, Contract.id, Contract.number)
        .join(Contract, col(Contract.id) == col(SubUserContract.contract_id))
        .where(col(SubUserContract.user_id).in_([user.id for user in users]))
        .order_by(col(Contract.number))
    ).all()
    by_user: dict[int, list[tuple[int, str]]] = {}
    for user_id, contract_id, number in grants:
        by_user.setdefault(user_id, []).append((contract_id, number))
    return [
        SubUserView(
            user_id=user.id,
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
            primary_email=user.primary_email,
            secondary_email=user.secondary_email or "",
            language=user.language.value,
            all_contracts=user.all_contracts,
            contract_numbers=tuple(number for _, number in by_user.get(user.id, [])),
            contract_ids=tuple(contract_id for contract_id, _ in by_user.get(user.id, [])),
            may_submit_requests=user.may_submit_requests,
            activated=not user.must_change_password,
            locked=user.locked_at is not None,
        )
        for user in users
    ]


def create_sub_user(
    *, session: Session, parent: UserAccount, form: SubUserForm, now: dt.datetime, public_url: str, client_ip: str = ""
) -> tuple[UserAccount | None, dict[str, str]]:
    _require_manager(parent)
    errors = _validate(session, parent, form)
    if errors:
        return None, errors
    password = temporary_password()
    user = UserAccount(
        tenant_id=parent.tenant_id,
        customer_id=parent.customer_id,
        parent_id=parent.id,
        username=next_username(session, parent),
        role=UserRole.SUB_USER,
        primary_email=form.primary_email.strip(),
        password_hash=hash_password(password),
        must_change_password=True,
        temporary_password_sent_at=now,
    )
    _apply(session, user, form)
    customer = session.get(Customer, parent.customer_id)
    mail_temporary_password(
        session=session,
        user=user,
        password=password,
        name=user.full_name,
        public_url=public_url,
        reason="sub_user",
        inviter=parent.full_name or parent.username,
        customer_name=customer.denominazione if customer else "",
    )
    audit.record_by(session, "subuser.created", parent, client_ip=client_ip, sub_user=user.username)
    return user, {}


def update_sub_user(
    *, session: Session, parent: UserAccount, user_id: int, form: SubUserForm, client_ip: str = ""
) -> dict[str, str]:
    _require_manager(parent)
    user = _owned(session, parent, user_id)
    errors = _validate(session, parent, form)
    if errors:
        return errors
    _apply(session, user, form)
    audit.record_by(session, "subuser.updated", parent, client_ip=client_ip, sub_user=user.username)
    return {}


def delete_sub_user(
    *, session: Session, parent: UserAccount, user_id: int, now: dt.datetime, client_ip: str = ""
) -> str:
    """Remove a sub-user: it can no longer sign in and its open sessions end now."""
    _require_manager(parent)
    user = _owned(session, parent, user_id)
    user.is_active = False
    user.password_hash = None
    session.add(user)
    close_all_sessions(session=session, user_id=user.id, now=now)
    audit.record_by(session, "subuser.deleted", parent, client_ip=client_ip, sub_user=user.username)
    return user.username


def unlock_sub_user(
    *, session: Session, parent: UserAccount, user_id: int, now: dt.datetime, public_url: str, client_ip: str = ""
) -> str:
    """The main account unlocks a sub-user locked by three wrong passwords; the sub-user is told by
    e-mail (with a link to choose a new password, in case it was forgotten)."""
    _require_manager(parent)
    user = _owned(session, parent, user_id)
    user.locked_at = None
    user.failed_login_count = 0
    session.add(user)
    audit.record_by(session, "subuser.unlocked", parent, client_ip=client_ip, sub_user=user.username)
    mail_unlocked(session=session, user=user, now=now, public_url=public_url)
    return user.username
