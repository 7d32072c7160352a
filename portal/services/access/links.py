"""The single-use links mailed to an account: choose a new password ("reset") or unlock the
account ("unlock", which may also choose a new password). Only the token's hash is stored."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from urllib.parse import quote

from sqlmodel import Session

from portal import routes
from portal.models import PasswordResetToken, UserAccount
from portal.services.access.sessions import token_digest
from portal.services.common import mail, mail_templates

RESET_TTL = dt.timedelta(minutes=30)
# An unlock link lives longer: the lock notice may be read hours after the lock.
UNLOCK_TTL = dt.timedelta(hours=24)
RESET, UNLOCK = "reset", "unlock"


def reset_link(public_url: str, token: str) -> str:
    return f"{public_url}{routes.RESET_PASSWORD}?token={quote(token)}"


def new_link(*, session: Session, user: UserAccount, now: dt.datetime, public_url: str, purpose: str) -> str:
    """A fresh link of `purpose` for `user`; the token exists only in the returned URL."""
    token = secrets.token_urlsafe(32)
    ttl = UNLOCK_TTL if purpose == UNLOCK else RESET_TTL
    session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=token_digest(token), purpose=purpose, expires_at=now + ttl, created_at=now
        )
    )
    session.flush()
    return reset_link(public_url, token)


def send_reset(
    *, session: Session, user: UserAccount, now: dt.datetime, public_url: str, unlocked: bool, lang: str | None = None
) -> None:
    link = new_link(session=session, user=user, now=now, public_url=public_url, purpose=RESET)
    recipient = mail_templates.recipient_of(session=session, user=user)
    if lang:
        recipient = dataclasses.replace(recipient, lang=lang)
    minutes = int(RESET_TTL.total_seconds() // 60)
    mail.enqueue(
        session=session, mail=mail_templates.password_reset(recipient, link=link, minutes=minutes, unlocked=unlocked)
    )


def send_unlock(*, session: Session, user: UserAccount, now: dt.datetime, public_url: str, locked_notice: bool) -> None:
    """The unlock link, to the account's own address: as the answer of the unlock page, or as the
    notice that the account was just locked (`locked_notice`)."""
    link = new_link(session=session, user=user, now=now, public_url=public_url, purpose=UNLOCK)
    recipient = mail_templates.recipient_of(session=session, user=user)
    hours = int(UNLOCK_TTL.total_seconds() // 3600)
    template = mail_templates.account_locked if locked_notice else mail_templates.unlock_link
    mail.enqueue(session=session, mail=template(recipient, link=link, hours=hours))
