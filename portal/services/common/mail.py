"""E-mail: building messages, SMTP, and the outbox every mail goes through.

No mail is sent inside a transaction: `enqueue` writes it into the mail_outbox table in the
transaction of what it tells (a code, a link, a request, an answer), and `portal.services.common.
mail_sender` sends it after the commit, with retries, through the configured backends (SMTP, the
demo outbox, or both). Every attempt leaves a row in mail_message (to, subject, kind, when); only
the outbox backend keeps the body, so that the demo mailbox can show it. Header values are
sanitised everywhere: a CR or LF typed by a user can neither raise nor add a header.
"""

from __future__ import annotations

import dataclasses
import re
import smtplib
import ssl
import threading
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, col, select

from portal.config import MailSettings
from portal.models import MailMessage, Tenant
from portal.models.mail import MailOutbox
from portal.services.common import clock

# After a commit that enqueued mail, the app's own sender is woken (it also looks every few seconds).
wake_sender = threading.Event()
# Called with every mail written into the outbox, in the caller's transaction: on PostgreSQL
# portal/jobs adds the job that sends it there, so the job exists exactly when the mail does.
enqueue_hooks: list[Callable[[Session, MailOutbox], None]] = []


class MailDeliveryError(RuntimeError):
    """The SMTP server refused or could not be reached; the caller tells the user."""


@dataclasses.dataclass(frozen=True)
class OutgoingMail:
    kind: str
    to: str
    subject: str
    text: str
    html: str | None = None
    user_id: int | None = None
    tenant_id: int | None = None


_BREAKS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def header_value(value: str, limit: int = 300) -> str:
    """A header value that cannot break the header: every control character (CR, LF, NUL,
    Unicode line separators) becomes one space, and the value is cut at `limit`."""
    return " ".join(_BREAKS.sub(" ", value).split())[:limit]


_ADDRESS = r"[^\s@<>,;:\"()\[\]]+@[^\s@<>,;:\"()\[\]]+"


def header_address(value: str) -> str:
    """One bare address, from "a@b" or "Name <a@b>"; "" when the value is anything else (two
    addresses, a header smuggled after a line break...)."""
    clean = header_value(value, 200)
    if re.fullmatch(_ADDRESS, clean):
        return clean
    named = re.fullmatch(rf"[^<>@]*<({_ADDRESS})>", clean)
    return named.group(1) if named else ""


def sender_for(tenant: Tenant | None, mail_settings: MailSettings) -> str:
    if mail_settings.sender:
        return mail_settings.sender
    if tenant is None:
        return "no-reply@localhost"
    return formataddr((header_value(tenant.name, 120), header_address(tenant.support_email)))


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = header_value(sender)
    message["To"] = header_address(mail.to)
    message["Subject"] = header_value(mail.subject)
    domain = sender.rsplit("@", 1)[-1].strip(">") or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


def send_smtp(message: EmailMessage, mail_settings: MailSettings) -> None:
    try:
        with smtplib.SMTP(mail_settings.smtp_host, mail_settings.smtp_port, timeout=mail_settings.smtp_timeout) as smtp:
            smtp.ehlo()
            if mail_settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if mail_settings.smtp_username:
                smtp.login(mail_settings.smtp_username, mail_settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailDeliveryError(str(error)) from error


def enqueue(*, session: Session, mail: OutgoingMail, customer_id: int | None = None) -> MailOutbox:
    """Write `mail` into the outbox in the caller's transaction: it leaves only if that commits.
    `customer_id` marks mail written to a third party on a customer's behalf (the daily cap)."""
    row = MailOutbox(
        tenant_id=mail.tenant_id,
        user_id=mail.user_id,
        customer_id=customer_id,
        kind=mail.kind[:40],
        to_address=header_value(mail.to, 200),
        subject=header_value(mail.subject),
        body_text=mail.text,
        body_html=mail.html,
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    session.add(row)
    for hook in enqueue_hooks:
        hook(session, row)
    if not event.contains(session, "after_commit", _wake):
        event.listen(session, "after_commit", _wake)
    return row


def _wake(_session: Session) -> None:
    wake_sender.set()


def outbox(
    *, session: Session, limit: int = 50, offset: int = 0, address: str | None = None, subject: str | None = None
) -> tuple[list[MailMessage], int]:
    """A page of the messages kept by the outbox backend (the demo mailbox), newest first, for one
    recipient and/or with words in the subject; and how many there are in all."""
    query = select(MailMessage).where(col(MailMessage.body_text).is_not(None))
    if address:
        query = query.where(MailMessage.to_address == address)
    if subject:
        query = query.where(sa.func.lower(MailMessage.subject).contains(subject.lower(), autoescape=True))
    total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(MailMessage.id).desc()).offset(max(0, offset)).limit(limit)).all()
    return list(rows), int(total)
