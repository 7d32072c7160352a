"""Getting back in: "Password dimenticata?" (a link to the account's e-mail), "Login bloccata"
(contract number, module number and codice fiscale mail a link that unlocks the account to the
address on file), and using the link.

A link is a random token, usable once (links.py); only its hash is stored. The answers given to
the browser never say whether an account exists, and both forms are rate limited per client and
per account or address (throttle "forgot_password", "unlock"). A reset does not sign the user in:
the login, with its second factor, follows. The unlock form never unlocks by itself: whoever
knows the contract data printed on an invoice only makes the owner receive a link.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.models import Contract, Customer, PasswordResetToken, UserAccount
from portal.models.enums import UserRole
from portal.services.access.accounts import fiscal_code_of, set_password
from portal.services.access.links import RESET_TTL, UNLOCK, reset_link, send_reset, send_unlock
from portal.services.access.sessions import close_all_sessions, token_digest
from portal.services.common import audit, throttle
from portal.services.common.identity import normalise_tax_code

__all__ = ["RESET_TTL", "Reset", "complete_reset", "link_is_valid", "request_reset", "reset_link", "unlock"]


class Reset(enum.StrEnum):
    DONE = "done"
    INVALID_LINK = "invalid_link"  # unknown, used or expired
    WEAK_PASSWORD = "weak_password"


def mail_unlocked(*, session: Session, user: UserAccount, now: dt.datetime, public_url: str) -> None:
    """Tell a user their access is unlocked, with a link to choose a new password if they forgot it."""
    send_reset(session=session, user=user, now=now, public_url=public_url, unlocked=True)


def request_reset(*, session: Session, email: str, now: dt.datetime, public_url: str, client_ip: str = "") -> None:
    """Mail a reset link to every active account whose primary e-mail is `email`.

    Nothing tells the caller whether such an account exists, nor whether the limit was reached.
    """
    address = email.strip()
    if not address:
        return
    if not throttle.allow("forgot_password", client=client_ip, subject=address):
        audit.record(session=session, action="password.reset_throttled", client_ip=client_ip)
        return
    users = session.exec(
        select(UserAccount).where(
            sa.func.lower(UserAccount.primary_email) == address.lower(), col(UserAccount.is_active).is_(True)
        )
    ).all()
    audit.record(session=session, action="password.reset_requested", client_ip=client_ip, accounts=len(users))
    for user in users:
        send_reset(session=session, user=user, now=now, public_url=public_url, unlocked=False)


def unlock(
    *,
    session: Session,
    username: str,
    contract_number: str,
    module_number: str,
    tax_code: str,
    now: dt.datetime,
    public_url: str,
    client_ip: str = "",
) -> None:
    """ "Login bloccata / password dimenticata": when the three data match a contract of the customer
    the username belongs to (its main account or one of its sub-users), mail that account a link
    that unlocks it. The counter and the lock stay as they are until the link is used. The answer
    is the same either way."""
    if not throttle.allow("unlock", client=client_ip, subject=username):
        audit.record(session=session, action="account.unlock_throttled", client_ip=client_ip)
        return
    code = normalise_tax_code(tax_code)
    row = session.exec(
        select(Customer, UserAccount)
        .join(Contract, col(Contract.customer_id) == col(Customer.id))
        .join(UserAccount, col(UserAccount.customer_id) == col(Customer.id))
        .where(
            Contract.number == contract_number.strip(),
            Contract.module_number == module_number.strip(),
            sa.or_(col(Customer.codice_fiscale) == code, col(Customer.partita_iva) == code),
            UserAccount.username == username.strip(),
            col(UserAccount.role).in_([UserRole.CUSTOMER, UserRole.SUB_USER]),
            col(UserAccount.is_active).is_(True),
        )
    ).first()
    if row is None:
        audit.record(
            session=session, action="account.unlock_refused", client_ip=client_ip, contract=contract_number.strip()[:20]
        )
        return
    _customer, user = row
    audit.record_by(session, "account.unlock_link_sent", user, client_ip=client_ip, locked=user.locked_at is not None)
    send_unlock(session=session, user=user, now=now, public_url=public_url, locked_notice=False)


def _live_token(session: Session, token: str, now: dt.datetime) -> PasswordResetToken | None:
    if not token:
        return None
    row = session.exec(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_digest(token)).with_for_update()
    ).first()
    if row is None or row.used_at is not None or now >= row.expires_at:
        return None
    return row


def link_is_valid(*, session: Session, token: str, now: dt.datetime) -> bool:
    return _live_token(session, token, now) is not None


def link_purpose(*, session: Session, token: str, now: dt.datetime) -> str | None:
    """ "reset" or "unlock" for a live link, None for an unknown, used or expired one."""
    row = _live_token(session, token, now)
    return None if row is None else row.purpose


def _claim(session: Session, row: PasswordResetToken, now: dt.datetime) -> bool:
    """Mark the link used, only if it still is unused: of two workers using one link at once,
    exactly one gets True (a conditional UPDATE, atomic on every database)."""
    claimed = session.connection().execute(
        sa.update(PasswordResetToken)
        .where(col(PasswordResetToken.id) == row.id, col(PasswordResetToken.used_at).is_(None))
        .values(used_at=now)
    )
    session.expire(row)
    return claimed.rowcount == 1


def _release(session: Session, row: PasswordResetToken) -> None:
    session.connection().execute(
        sa.update(PasswordResetToken).where(col(PasswordResetToken.id) == row.id).values(used_at=None)
    )
    session.expire(row)


def _retire_other_links(session: Session, user: UserAccount, now: dt.datetime) -> None:
    others = select(PasswordResetToken).where(
        PasswordResetToken.user_id == user.id, col(PasswordResetToken.used_at).is_(None)
    )
    for other in session.exec(others).all():
        other.used_at = now
        session.add(other)


def _user_of_link(session: Session, row: PasswordResetToken) -> UserAccount | None:
    user = session.exec(select(UserAccount).where(UserAccount.id == row.user_id).with_for_update()).first()
    return user if user is not None and user.is_active else None


def complete_reset(
    *, session: Session, token: str, new_password: str, now: dt.datetime, client_ip: str = ""
) -> tuple[Reset, str | None]:
    """Set the new password from a link (a reset or an unlock link; either unlocks the account):
    (outcome, catalogue key of a password problem)."""
    row = _live_token(session, token, now)
    if row is None:
        return Reset.INVALID_LINK, None
    user = _user_of_link(session, row)
    if user is None or not _claim(session, row, now):
        return Reset.INVALID_LINK, None
    problem = set_password(
        session=session, user=user, new_password=new_password, now=now, fiscal_code=fiscal_code_of(session, user)
    )
    if problem:
        _release(session, row)  # a weak password does not use the link up
        return Reset.WEAK_PASSWORD, problem
    # Every other link of the account dies too, and so do its open sessions.
    _retire_other_links(session, user, now)
    close_all_sessions(session=session, user_id=user.id, now=now)
    audit.record_by(session, "password.reset", user, client_ip=client_ip)
    return Reset.DONE, None


def unlock_with_link(*, session: Session, token: str, now: dt.datetime, client_ip: str = "") -> bool:
    """Use an unlock link without choosing a new password: the account is unlocked and its
    failure counter starts again. False for an unknown, used, expired or reset-only link."""
    row = _live_token(session, token, now)
    if row is None or row.purpose != UNLOCK:
        return False
    user = _user_of_link(session, row)
    if user is None or not _claim(session, row, now):
        return False
    was_locked = user.locked_at is not None
    user.locked_at = None
    user.failed_login_count = 0
    session.add(user)
    _retire_other_links(session, user, now)
    audit.record_by(session, "account.unlocked", user, client_ip=client_ip, was_locked=was_locked)
    return True
