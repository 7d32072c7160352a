"""Sending the outbox: mail written by `mail.enqueue` in the transaction of what it tells.

Each mail is taken by one sender (a conditional UPDATE, so several workers or a cron run beside
the app never send it twice at once), sent with no transaction open, and its outcome written in a
transaction of its own. A refusal is retried later (RETRY_DELAYS); after MAX_ATTEMPTS, or at once
when the server refuses the address itself, the mail is given up. Every attempt leaves a
mail_message row, as mail sent at once does. A sender that dies while sending leaves the row
taken until CLAIM_FOR has passed; then another sender sends it (at least once, never lost). A claim
names its owner: the same owner (a job run again after its worker died) takes it back at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import secrets
import smtplib
from collections.abc import Callable

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.config import MailSettings, settings
from portal.db import session_scope
from portal.models import MailMessage, Tenant
from portal.models.mail import MailOutbox
from portal.services.common import clock, mail

# After the n-th failed attempt the next one waits RETRY_DELAYS[n - 1]: about 9 hours in all.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
CLAIM_FOR = dt.timedelta(minutes=5)  # longer than any SMTP timeout
BATCH = 100

Sessions = Callable[[], contextlib.AbstractContextManager[Session]]


@dataclasses.dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _free_for(owner: str, now: dt.datetime):
    """Nobody holds the mail, its claim has expired, or `owner` holds it already."""
    return sa.or_(
        col(MailOutbox.claimed_until).is_(None),
        col(MailOutbox.claimed_until) < now,
        col(MailOutbox.claimed_by) == owner,
    )


def _due(session: Session, now: dt.datetime, limit: int, owner: str) -> list[int]:
    return list(
        session.exec(
            select(MailOutbox.id)
            .where(
                col(MailOutbox.sent_at).is_(None),
                col(MailOutbox.failed_at).is_(None),
                col(MailOutbox.next_attempt_at) <= now,
                _free_for(owner, now),
            )
            .order_by(col(MailOutbox.id))
            .limit(limit)
        ).all()
    )


def _claim(
    session: Session, outbox_id: int, now: dt.datetime, owner: str
) -> tuple[mail.OutgoingMail, Tenant | None] | None:
    """Take one due mail for `owner`; None when another sender holds it, it is done or not yet due."""
    taken = session.execute(
        sa.update(MailOutbox)
        .where(
            col(MailOutbox.id) == outbox_id,
            col(MailOutbox.sent_at).is_(None),
            col(MailOutbox.failed_at).is_(None),
            col(MailOutbox.next_attempt_at) <= now,
            _free_for(owner, now),
        )
        .values(claimed_until=now + CLAIM_FOR, claimed_by=owner)
    )
    if taken.rowcount != 1:  # pyright: ignore[reportAttributeAccessIssue]
        return None
    row = session.exec(select(MailOutbox).where(MailOutbox.id == outbox_id)).one()
    outgoing = mail.OutgoingMail(
        kind=row.kind,
        to=row.to_address,
        subject=row.subject,
        text=row.body_text or "",
        html=row.body_html,
        user_id=row.user_id,
        tenant_id=row.tenant_id,
    )
    return outgoing, session.get(Tenant, row.tenant_id) if row.tenant_id else None


def _transmit(outgoing: mail.OutgoingMail, tenant: Tenant | None, mail_settings: MailSettings) -> tuple[str, bool]:
    """Send through SMTP when configured; ("", _) when it went, else (why, whether to retry)."""
    if "smtp" not in mail_settings.backends:
        return "", False
    try:
        mail.send_smtp(mail.build_message(outgoing, mail.sender_for(tenant, mail_settings)), mail_settings)
    except mail.MailDeliveryError as error:
        permanent = isinstance(error.__cause__, smtplib.SMTPRecipientsRefused)
        return (str(error) or type(error.__cause__).__name__)[:500], not permanent
    return "", False


def _record(
    session: Session, outbox_id: int, outgoing: mail.OutgoingMail, outcome: tuple[str, bool], now: dt.datetime, ms
) -> str:
    """Write the attempt's outcome; "sent", "retried" or "failed"."""
    error, retry = outcome
    row = session.exec(select(MailOutbox).where(MailOutbox.id == outbox_id)).one()
    log = MailMessage(
        tenant_id=row.tenant_id,
        user_id=row.user_id,
        kind=row.kind,
        to_address=row.to_address,
        subject=row.subject,
        backend="+".join(ms.backends),
    )
    row.attempts += 1
    row.claimed_until = row.claimed_by = None
    if not error:
        log.sent_at = now
        if "outbox" in ms.backends:
            log.body_text = outgoing.text
        row.sent_at, result = now, "sent"
    else:
        log.error = row.last_error = error
        if retry and row.attempts < MAX_ATTEMPTS:
            row.next_attempt_at, result = now + RETRY_DELAYS[row.attempts - 1], "retried"
        else:
            row.failed_at, result = now, "failed"
    if result != "retried":  # codes and links do not stay in the database once the mail is done
        row.body_text = row.body_html = None
    session.add_all([row, log])
    return result


def send_due(
    *,
    sessions: Sessions = session_scope,
    mail_settings: MailSettings | None = None,
    limit: int = BATCH,
    now: Callable[[], dt.datetime] | None = None,
    owner: str | None = None,
) -> SendReport:
    """Send the mail that is due; no transaction is open while SMTP talks."""
    moment = now or clock.now
    owner = owner or f"sender:{secrets.token_hex(8)}"
    report = SendReport()
    with sessions() as session:
        due = _due(session, moment(), limit, owner)
    for outbox_id in due:
        result = send_one(outbox_id, owner=owner, sessions=sessions, mail_settings=mail_settings, now=moment)
        if result is not None:
            setattr(report, result, getattr(report, result) + 1)
    return report


def send_one(
    outbox_id: int,
    *,
    owner: str,
    sessions: Sessions = session_scope,
    mail_settings: MailSettings | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> str | None:
    """Send one outbox mail if it is due and free (or already `owner`'s): "sent", "retried" or
    "failed"; None when there was nothing for this sender to do."""
    ms = mail_settings or settings.mail
    moment = now or clock.now
    with sessions() as session:
        claimed = _claim(session, outbox_id, moment(), owner)
    if claimed is None:
        return None
    outcome = _transmit(*claimed, ms)
    with sessions() as session:
        return _record(session, outbox_id, claimed[0], outcome, moment(), ms)


def in_session(session: Session) -> Sessions:
    """Run the sender inside one caller's session (tests, where everything is rolled back)."""

    @contextlib.contextmanager
    def scope():
        yield session
        session.flush()

    return scope


@dataclasses.dataclass(frozen=True)
class Backlog:
    """The mail waiting to be sent (not sent, not given up) and when the oldest of it was written."""

    waiting: int
    oldest_created_at: dt.datetime | None


def backlog(*, session: Session) -> Backlog:
    """What the outbox holds unsent, in one query whose filter the index ix_mail_outbox_due
    (sent_at, failed_at, …) serves: the metrics endpoint reads it at every scrape."""
    waiting, oldest = session.execute(
        sa.select(sa.func.count(), sa.func.min(MailOutbox.created_at)).where(
            col(MailOutbox.sent_at).is_(None), col(MailOutbox.failed_at).is_(None)
        )
    ).one()
    if oldest is not None and oldest.tzinfo is None:  # SQLite gives the stored UTC back naive
        oldest = oldest.replace(tzinfo=dt.UTC)
    return Backlog(waiting=int(waiting), oldest_created_at=oldest)
