"""What each change of a request tells people: bell notices and e-mails to the customer's
accounts and the contacts to notify, the acknowledgement of a new request, and broadcasts.

Every e-mail is written into the outbox in the transaction of the change it tells (sent after the
commit by the mail sender). The contacts to notify are people outside the portal whose addresses
the customer typed: they get a fixed notice naming only the request's code (never a text anybody
typed), and at most CONTACT_MAILS_PER_DAY such mails leave per customer a day, so the form cannot
serve as a mail relay."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal import i18n, routes
from portal.models import Notification, RequestContact, ServiceRequest, Tenant, UserAccount
from portal.models.enums import NotificationKind, RequestStatus, UserRole
from portal.models.mail import MailOutbox
from portal.services.access.scope import readers_of
from portal.services.common import audit, mail, mail_templates
from portal.services.common.branding import tenant_of
from portal.services.requests.queries import person_name

CONTACT_KIND = "request_contact"
# A real customer tells a handful of people about a few requests a day; more is relaying.
CONTACT_MAILS_PER_DAY = 20


def people_to_tell(session: Session, request: ServiceRequest) -> list[UserAccount]:
    """The customer's accounts that may read the request (as may_read decides), the author first."""
    readers = readers_of(
        session=session,
        customer_id=request.customer_id,
        contract_id=request.contract_id,
        also_user_id=request.created_by_id,
    )
    return sorted(readers, key=lambda user: user.id != request.created_by_id)


def audit_request(
    session: Session, request: ServiceRequest, action: str, *, by: UserAccount | None = None, **detail: Any
) -> None:
    """An audit event about a request: its company, customer and code, and who acted (if anybody did)."""
    audit.record(
        session=session,
        action=action,
        tenant_id=request.tenant_id,
        user_id=None if by is None else by.id,
        customer_id=request.customer_id,
        code=request.code,
        **detail,
    )


def _contact_mails_today(session: Session, customer_id: int, now: dt.datetime) -> int:
    return int(
        session.exec(
            select(sa.func.count(col(MailOutbox.id))).where(
                MailOutbox.customer_id == customer_id,
                MailOutbox.kind == CONTACT_KIND,
                col(MailOutbox.created_at) > now - dt.timedelta(days=1),
            )
        ).one()
    )


def _mail_contacts(session: Session, *, tenant: Tenant, request: ServiceRequest, opened: bool, now: dt.datetime) -> int:
    """The fixed notice to every contact to notify (people outside the portal: Italian, no link,
    the request's code only), within the customer's daily allowance; how many were queued."""
    addresses = session.exec(select(RequestContact.email).where(RequestContact.request_id == request.id)).all()
    allowance = CONTACT_MAILS_PER_DAY - _contact_mails_today(session, request.customer_id, now)
    for address in addresses[: max(0, allowance)]:
        notice = mail_templates.contact_notice(
            mail_templates.Recipient(tenant=tenant, lang="it", to=address), code=request.code, opened=opened
        )
        mail.enqueue(
            session=session, mail=dataclasses.replace(notice, kind=CONTACT_KIND), customer_id=request.customer_id
        )
    if len(addresses) > allowance:
        audit_request(session, request, "request.contacts_capped", skipped=len(addresses) - max(0, allowance))
    return min(len(addresses), max(0, allowance))


def request_notice(request: ServiceRequest, *, user_id: int | None, body: str, now: dt.datetime) -> Notification:
    """The bell notice that tells `user_id` about a change of the request."""
    return Notification(
        tenant_id=request.tenant_id,
        kind=NotificationKind.REQUEST,
        user_id=user_id,
        request_id=request.id,
        title=request.title,
        body=body[:2000],
        created_at=now,
    )


def _reader(session: Session, user: UserAccount) -> mail_templates.Recipient:
    """An account that may read a request, as the recipient of its mails: at the secondary
    address when there is one, named as the request's pages name people."""
    return mail_templates.recipient_of(
        session=session, user=user, to=user.secondary_email or user.primary_email, name=person_name(user)
    )


def _mail_update(
    session: Session, request: ServiceRequest, user: UserAccount, *, status: RequestStatus, text: str, public_url: str
) -> None:
    """The e-mail that tells a reader of the request what happened, in the reader's language."""
    lang = user.language.value
    mail.enqueue(
        session=session,
        mail=mail_templates.request_update(
            _reader(session, user),
            code=request.code,
            title=request.title,
            status=i18n.translate(lang, f"request_status.{status.value}"),
            text=text,
            link=f"{public_url}{routes.request_url(request.code)}",
        ),
    )


def notify_customer(*, session: Session, request: ServiceRequest, what: str, now: dt.datetime, public_url: str) -> int:
    """A bell notice and an e-mail (to the secondary address, or the primary when there is none)
    for each account that may read the request, and an e-mail to every contact to notify.
    Returns how many e-mails were queued (the mail sender sends them after the commit)."""
    tenant = tenant_of(session=session, tenant_id=request.tenant_id)
    sent = 0
    for user in people_to_tell(session, request):
        session.add(request_notice(request, user_id=user.id, body=what, now=now))
        sent += 1
        _mail_update(session, request, user, status=request.status, text=what, public_url=public_url)
    return sent + _mail_contacts(session, tenant=tenant, request=request, opened=False, now=now)


def acknowledge(*, session: Session, request: ServiceRequest, author: UserAccount, public_url: str) -> None:
    """The confirmation e-mail of a new request, to its author, and the notice to the contacts to
    notify; both queued in the request's transaction."""
    tenant = tenant_of(session=session, tenant_id=request.tenant_id)
    lang = author.language.value
    text = i18n.translate(lang, "requests.ack_body", code=request.code)
    if request.due_on is not None:  # a legal deadline (art. 119 TUB): the customer is told the date
        text += "\n\n" + i18n.translate(lang, "requests.ack_due", date=i18n.long_date(request.due_on, lang))
    _mail_update(session, request, author, status=RequestStatus.SUBMITTED, text=text, public_url=public_url)
    _mail_contacts(session, tenant=tenant, request=request, opened=True, now=request.created_at)


def broadcast(*, session: Session, operator: UserAccount, title: str, body: str, now: dt.datetime) -> Notification:
    """A message from the leasing company to every customer (the bell of every customer account)."""
    if operator.role is not UserRole.OPERATOR:
        raise PermissionError("only operators broadcast")
    notice = Notification(
        tenant_id=operator.tenant_id,
        kind=NotificationKind.BROADCAST,
        user_id=None,
        title=title.strip()[:200],
        body=body.strip()[:2000],
        created_at=now,
    )
    session.add(notice)
    audit.record(
        session=session, action="broadcast.sent", tenant_id=operator.tenant_id, user_id=operator.id, title=notice.title
    )
    return notice
