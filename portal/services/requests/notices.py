"""What each change of a request tells people: bell notices and e-mails to the customer's
accounts and the contacts to notify, the acknowledgement of a new request, and broadcasts."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from portal import i18n, routes
from portal.models import Notification, RequestContact, ServiceRequest, Tenant, UserAccount
from portal.models.enums import NotificationKind, UserRole
from portal.services.access.scope import readers_of
from portal.services.common import audit, mail, mail_templates
from portal.services.requests.queries import person_name


def people_to_tell(session: Session, request: ServiceRequest) -> list[UserAccount]:
    """The customer's accounts that may read the request (as may_read decides), the author first."""
    readers = readers_of(
        session=session,
        customer_id=request.customer_id,
        contract_id=request.contract_id,
        also_user_id=request.created_by_id,
    )
    return sorted(readers, key=lambda user: user.id != request.created_by_id)


def _tenant(session: Session, tenant_id: int) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError(f"no tenant {tenant_id}")
    return tenant


def _mail_quietly(session: Session, outgoing: mail.OutgoingMail) -> bool:
    """Send one notice; a refusal is recorded on its mail_message row and the others still go."""
    try:
        mail.deliver(session=session, mail=outgoing)
    except mail.MailDeliveryError:
        return False
    return True


def _mail_contacts(session: Session, *, tenant: Tenant, request: ServiceRequest, text: str) -> int:
    """The e-mail to every contact to notify (people outside the portal: Italian, no link)."""
    sent = 0
    for address in session.exec(select(RequestContact.email).where(RequestContact.request_id == request.id)).all():
        sent += _mail_quietly(
            session,
            mail_templates.request_update(
                mail_templates.Recipient(tenant=tenant, lang="it", to=address),
                code=request.code,
                title=request.title,
                status=i18n.translate("it", f"request_status.{request.status.value}"),
                text=text,
                link=None,
            ),
        )
    return sent


def notify_customer(*, session: Session, request: ServiceRequest, what: str, now: dt.datetime, public_url: str) -> int:
    """A bell notice and an e-mail (to the secondary address, or the primary when there is none)
    for each account that may read the request, and an e-mail to every contact to notify.
    Returns how many e-mails were sent; one the server refuses stops neither the others nor the request."""
    tenant = _tenant(session, request.tenant_id)
    link = f"{public_url}{routes.request_url(request.code)}"
    sent = 0
    for user in people_to_tell(session, request):
        lang = user.language.value
        session.add(
            Notification(
                tenant_id=request.tenant_id,
                kind=NotificationKind.REQUEST,
                user_id=user.id,
                request_id=request.id,
                title=request.title,
                body=what[:2000],
                created_at=now,
            )
        )
        address = user.secondary_email or user.primary_email
        sent += _mail_quietly(
            session,
            mail_templates.request_update(
                mail_templates.Recipient(tenant=tenant, lang=lang, to=address, name=person_name(user), user_id=user.id),
                code=request.code,
                title=request.title,
                status=i18n.translate(lang, f"request_status.{request.status.value}"),
                text=what,
                link=link,
            ),
        )
    return sent + _mail_contacts(session, tenant=tenant, request=request, text=what)


def acknowledge(*, session: Session, request: ServiceRequest, author: UserAccount, public_url: str) -> None:
    """The confirmation e-mail of a new request, to its author and to the contacts to notify
    (a refused one is recorded and does not undo the request)."""
    tenant = _tenant(session, request.tenant_id)
    lang = author.language.value
    text = i18n.translate(lang, "requests.ack_body", code=request.code)
    _mail_quietly(
        session,
        mail_templates.request_update(
            mail_templates.Recipient(
                tenant=tenant,
                lang=lang,
                to=author.secondary_email or author.primary_email,
                name=person_name(author),
                user_id=author.id,
            ),
            code=request.code,
            title=request.title,
            status=i18n.translate(lang, "request_status.submitted"),
            text=text,
            link=f"{public_url}{routes.request_url(request.code)}",
        ),
    )
    _mail_contacts(
        session, tenant=tenant, request=request, text=i18n.translate("it", "requests.ack_body", code=request.code)
    )


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
