"""Getting back in: "Password dimenticata?" (a link to the account's e-mail), "Login bloccata"
(contract number, module number and codice fiscale unlock the account and mail a link), and
setting the new password from the link.

A link is a random token valid 30 minutes and usable once; only its hash is stored. The answers
given to the browser never say whether an account exists. A reset does not sign the user in:
the login, with its second factor, follows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import secrets
from urllib.parse import quote

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal import routes
from portal.models import Contract, Customer, PasswordResetToken, UserAccount
from portal.models.enums import UserRole
from portal.services.access.accounts import fiscal_code_of, set_password
from portal.services.access.sessions import close_all_sessions, token_digest
from portal.services.common import audit, mail, mail_templates
from portal.services.common.identity import normalise_tax_code

RESET_TTL = dt.timedelta(minutes=30)


class Reset(enum.StrEnum):
    DONE = "done"
    INVALID_LINK = "invalid_link"  # unknown, used or expired
    WEAK_PASSWORD = "weak_password"


def reset_link(public_url: str, token: str) -> str:
    return f"{public_url}{routes.RESET_PASSWORD}?token={quote(token)}"


def _send_reset(
    *, session: Session, user: UserAccount, now: dt.datetime, public_url: str, unlocked: bool, lang: str | None = None
) -> None:
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(user_id=user.id, token_hash=token_digest(token), expires_at=now + RESET_TTL, created_at=now)
    )
    session.flush()
    recipient = mail_templates.recipient_of(session=session, user=user)
    if lang:
        recipient = dataclasses.replace(recipient, lang=lang)
    minutes = int(RESET_TTL.total_seconds() // 60)
    reset = mail_templates.password_reset(
        recipient, link=reset_link(public_url, token), minutes=minutes, unlocked=unlocked
    )
    mail.deliver(session=session, mail=reset)


def mail_unlocked(*, session: Session, user: UserAccount, now: dt.datetime, public_url: str) -> None:
    """Tell a user their access is unlocked, with a link to choose a new password if they forgot it."""
    _send_reset(session=session, user=user, now=now, public_url=public_url, unlocked=True)


def request_reset(*, session: Session, email: str, now: dt.datetime, public_url: str, client_ip: str = "") -> None:
    """Mail a reset link to every active account whose primary e-mail is `email`.

    Nothing tells the caller whether such an account exists.
    """
    address = email.strip()
    if not address:
        return
    users = session.exec(
        select(UserAccount).where(
            sa.func.lower(UserAccount.primary_email) == address.lower(), col(UserAccount.is_active).is_(True)
        )
    ).all()
    audit.record(session=session, action="password.reset_requested", client_ip=client_ip, accounts=len(users))
    for user in users:
        _send_reset(session=session, user=user, now=now, public_url=public_url, unlocked=False)


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
    the username belongs to (its main account or one of its sub-users), unlock that account and mail
    it a reset link. The answer is the same either way."""
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
    was_locked = user.locked_at is not None
    user.locked_at = None
    user.failed_login_count = 0
    session.add(user)
    audit.record_by(session, "account.unlocked", user, client_ip=client_ip, was_locked=was_locked)
    _send_reset(session=session, user=user, now=now, public_url=public_url, unlocked=True)


def _live_token(session: Session, token: str, now: dt.datetime) -> PasswordResetToken | None:
    if not token:
        return None
    row = session.exec(select(PasswordResetToken).where(PasswordResetToken.token_hash == token_digest(token))).first()
    if row is None or row.used_at is not None or now >= row.expires_at:
        return None
    return row


def link_is_valid(*, session: Session, token: str, now: dt.datetime) -> bool:
    return _live_token(session, token, now) is not None


def complete_reset(
    *, session: Session, token: str, new_password: str, now: dt.datetime, client_ip: str = ""
) -> tuple[Reset, str | None]:
    """Set the new password from a link: (outcome, catalogue key of a password problem)."""
    row = _live_token(session, token, now)
    if row is None:
        return Reset.INVALID_LINK, None
    user = session.get(UserAccount, row.user_id)
    if user is None or not user.is_active:
        return Reset.INVALID_LINK, None
    problem = set_password(
        session=session, user=user, new_password=new_password, now=now, fiscal_code=fiscal_code_of(session, user)
    )
    if problem:
        return Reset.WEAK_PASSWORD, problem
    row.used_at = now
    session.add(row)
    # Every other link of the account dies too, and so do its open sessions.
    others = select(PasswordResetToken).where(
        PasswordResetToken.user_id == user.id, col(PasswordResetToken.used_at).is_(None)
    )
    for other in session.exec(others).all():
        other.used_at = now
        session.add(other)
    close_all_sessions(session=session, user_id=user.id, now=now)
    audit.record_by(session, "password.reset", user, client_ip=client_ip)
    return Reset.DONE, None
