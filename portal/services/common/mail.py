"""Sending e-mail through the configured backends: SMTP, the demo outbox, or both.

Every message leaves a row in mail_message (to, subject, kind, when); only the outbox backend
keeps the body, so that the demo mailbox can show it. Real mail bodies (codes, links) are not
stored once sent.
"""

from __future__ import annotations

import dataclasses
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.config import MailSettings, settings
from portal.models import MailMessage, Tenant
from portal.services.common import clock


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


def sender_for(tenant: Tenant | None, mail_settings: MailSettings) -> str:
    if mail_settings.sender:
        return mail_settings.sender
    if tenant is None:
        return "no-reply@localhost"
    return formataddr((tenant.name, tenant.support_email))


def _message(mail: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    domain = sender.rsplit("@", 1)[-1].strip(">") or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


def _send_smtp(message: EmailMessage, mail_settings: MailSettings) -> None:
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


def deliver(*, session: Session, mail: OutgoingMail, mail_settings: MailSettings | None = None) -> MailMessage:
    """Send `mail` through every configured backend and record it."""
    mail_settings = mail_settings or settings.mail
    tenant = session.get(Tenant, mail.tenant_id) if mail.tenant_id else None
    record = MailMessage(
        tenant_id=mail.tenant_id,
        user_id=mail.user_id,
        kind=mail.kind,
        to_address=mail.to,
        subject=mail.subject,
        backend="+".join(mail_settings.backends),
    )
    if "outbox" in mail_settings.backends:
        record.body_text = mail.text
    try:
        if "smtp" in mail_settings.backends:
            _send_smtp(_message(mail, sender_for(tenant, mail_settings)), mail_settings)
    except MailDeliveryError as error:
        record.error = str(error)[:500]
        session.add(record)
        session.flush()
        raise
    record.sent_at = clock.now()
    session.add(record)
    session.flush()
    return record


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
