"""Requests (tickets): opening one from a self-service form, the thread, attachments, status
changes, who may read them, and the notices each change sends."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from portal import i18n, routes
from portal.models import (
    Customer,
    LeasedAsset,
    Notification,
    RequestAttachment,
    RequestContact,
    RequestMessage,
    RequestStatusChange,
    ServiceRequest,
    Tenant,
    UserAccount,
)
from portal.models.enums import NotificationKind, RequestStatus, UserRole
from portal.services import attachments as files
from portal.services import audit, mail, mail_templates
from portal.services.access import Scope, can_submit_requests, readers_of, scope_of

PAGE_SIZE = 20


def request_code(year: int, sequence: int) -> str:
    return f"RIC-{year}-{sequence:06d}"


# Opening and writing ------------------------------------------------------------------------

def open_request(
    *,
    session: Session,
    author: UserAccount,
    customer_id: int,
    form_key: str,
    title: str,
    message: str,
    now: dt.datetime,
    payload: dict[str, Any] | None = None,
    contract_id: int | None = None,
    asset_id: int | None = None,
    contacts: Sequence[str] = (),
    staged: Sequence[files.StagedFile] = (),
) -> ServiceRequest:
    """Store a request with its first message, contacts and files. The code comes from the row's
    own id, so two requests submitted at the same moment can never collide."""
    request = ServiceRequest(
        tenant_id=author.tenant_id,
        customer_id=customer_id,
        created_by_id=author.id,
        code=f"TMP-{secrets.token_hex(6)}",
        form_key=form_key,
        title=title[:200],
        status=RequestStatus.SUBMITTED,
        payload=payload or {},
        contract_id=contract_id,
        asset_id=asset_id,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.flush()
    request.code = request_code(now.year, request.id)
    session.add(request)
    session.add(RequestStatusChange(request_id=request.id, from_status=None, to_status=RequestStatus.SUBMITTED,
                                    changed_by_id=author.id, created_at=now))
    first = None
    if message or staged:
        first = RequestMessage(request_id=request.id, author_id=author.id, body=message, created_at=now)
        session.add(first)
        session.flush()
    for address in contacts:
        session.add(RequestContact(request_id=request.id, email=address))
    _attach(session, request, first, author, staged, now)
    audit.record(session=session, action="request.opened", tenant_id=author.tenant_id, user_id=author.id,
                 customer_id=customer_id, code=request.code, form=form_key)
    return request


def _attach(session: Session, request: ServiceRequest, message: RequestMessage | None, author: UserAccount,
            staged: Sequence[files.StagedFile], now: dt.datetime) -> None:
    for item in staged:
        files.keep(item)
        session.add(RequestAttachment(
            request_id=request.id, message_id=message.id if message else None, storage_key=item.storage_key,
            display_name=item.display_name, content_type=item.content_type, size_bytes=item.size_bytes,
            sha256=item.sha256, uploaded_by_id=author.id, created_at=now,
        ))


def add_message(
    *, session: Session, request: ServiceRequest, author: UserAccount, body: str, now: dt.datetime,
    staged: Sequence[files.StagedFile] = (),
) -> RequestMessage:
    message = RequestMessage(
        request_id=request.id,
        author_id=author.id,
        from_service_desk=author.role is UserRole.OPERATOR,
        body=body,
        created_at=now,
    )
    request.updated_at = now
    session.add_all([message, request])
    session.flush()
    _attach(session, request, message, author, staged, now)
    return message


def change_status(
    *, session: Session, request: ServiceRequest, author: UserAccount, status: RequestStatus, now: dt.datetime
) -> bool:
    if status == request.status:
        return False
    session.add(RequestStatusChange(request_id=request.id, from_status=request.status, to_status=status,
                                    changed_by_id=author.id, created_at=now))
    request.status = status
    request.updated_at = now
    session.add(request)
    return True


# Who may read ---------------------------------------------------------------------------------

def visible_to_customer(scope: Scope, user_id: int):
    """SQL conditions: the requests of the customer, and for a restricted sub-user only those
    about its contracts or written by it."""
    conditions = [ServiceRequest.customer_id == scope.customer_id]
    if scope.contract_ids is not None:
        conditions.append(sa.or_(ServiceRequest.contract_id.in_(sorted(scope.contract_ids)), ServiceRequest.created_by_id == user_id))
    return conditions


def find_request(*, session: Session, user: UserAccount, code: str) -> ServiceRequest | None:
    """The request with that code if this user may read it; None otherwise."""
    request = session.exec(select(ServiceRequest).where(ServiceRequest.code == code)).first()
    return request if request is not None and may_read(session=session, user=user, request=request) else None


def may_read(*, session: Session, user: UserAccount, request: ServiceRequest) -> bool:
    if user.role is UserRole.OPERATOR:
        return user.tenant_id == request.tenant_id
    scope = scope_of(session=session, user=user)
    if scope is None or request.customer_id != scope.customer_id:
        return False
    return scope.contract_ids is None or request.created_by_id == user.id or (
        request.contract_id is not None and request.contract_id in scope.contract_ids
    )


# Lists ------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class RequestFilter:
    status: str = "all"  # a RequestStatus value, "open", "closed" or "all"
    form_key: str = ""
    customer: str = ""  # operators: name or code
    older_than_days: int = 0  # operators: not updated for at least this many days


def _status_condition(status: str):
    closed = [RequestStatus.RESOLVED, RequestStatus.REJECTED]
    if status == "open":
        return ServiceRequest.status.not_in(closed)
    if status == "closed":
        return ServiceRequest.status.in_(closed)
    if status in RequestStatus._value2member_map_:
        return ServiceRequest.status == RequestStatus(status)
    return sa.true()


def customer_requests(
    *, session: Session, scope: Scope, user_id: int, flt: RequestFilter, offset: int, limit: int = PAGE_SIZE
) -> tuple[list[ServiceRequest], int]:
    query = select(ServiceRequest).where(*visible_to_customer(scope, user_id), _status_condition(flt.status))
    if flt.form_key:
        query = query.where(ServiceRequest.form_key == flt.form_key)
    total = int(session.exec(select(sa.func.count()).select_from(query.subquery())).one())
    rows = session.exec(query.order_by(ServiceRequest.updated_at.desc(), ServiceRequest.id.desc()).offset(max(0, offset)).limit(limit)).all()
    return list(rows), total


def desk_requests(
    *, session: Session, tenant_id: int, flt: RequestFilter, now: dt.datetime, offset: int, limit: int = PAGE_SIZE
) -> tuple[list[tuple[ServiceRequest, str]], int]:
    """The service desk's queue: every customer's requests, oldest untouched first when filtering
    by age, otherwise the latest updated first."""
    query = (
        select(ServiceRequest, Customer.denominazione)
        .join(Customer, Customer.id == ServiceRequest.customer_id)
        .where(ServiceRequest.tenant_id == tenant_id, _status_condition(flt.status))
    )
    if flt.form_key:
        query = query.where(ServiceRequest.form_key == flt.form_key)
    if flt.customer.strip():
        term = flt.customer.strip().lower()
        query = query.where(sa.or_(sa.func.lower(Customer.denominazione).contains(term, autoescape=True),
                                   Customer.code == flt.customer.strip(),
                                   sa.func.lower(ServiceRequest.code).contains(term, autoescape=True)))
    if flt.older_than_days > 0:
        query = query.where(ServiceRequest.updated_at <= now - dt.timedelta(days=flt.older_than_days))
    total = int(session.exec(select(sa.func.count()).select_from(query.subquery())).one())
    order = ServiceRequest.updated_at.asc() if flt.older_than_days > 0 else ServiceRequest.updated_at.desc()
    rows = session.exec(query.order_by(order, ServiceRequest.id.desc()).offset(max(0, offset)).limit(limit)).all()
    return list(rows), total


# The detail page ----------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class ThreadEntry:
    message: RequestMessage
    author_name: str
    attachments: list[RequestAttachment]


@dataclasses.dataclass(frozen=True)
class RequestDetail:
    request: ServiceRequest
    customer_name: str
    asset_label: str
    thread: list[ThreadEntry]
    loose_attachments: list[RequestAttachment]  # files not tied to a message
    history: list[tuple[RequestStatusChange, str]]
    contacts: list[str]


def _name(user: UserAccount | None) -> str:
    if user is None:
        return ""
    return user.full_name or user.username


def detail(*, session: Session, request: ServiceRequest) -> RequestDetail:
    messages = session.exec(select(RequestMessage).where(RequestMessage.request_id == request.id).order_by(RequestMessage.created_at, RequestMessage.id)).all()
    attachments = session.exec(select(RequestAttachment).where(RequestAttachment.request_id == request.id).order_by(RequestAttachment.id)).all()
    history = session.exec(select(RequestStatusChange).where(RequestStatusChange.request_id == request.id).order_by(RequestStatusChange.created_at, RequestStatusChange.id)).all()
    people = {user.id: user for user in session.exec(select(UserAccount).where(UserAccount.id.in_(
        {m.author_id for m in messages} | {h.changed_by_id for h in history}))).all()}
    by_message: dict[int, list[RequestAttachment]] = {}
    loose = []
    for attachment in attachments:
        if attachment.message_id is None:
            loose.append(attachment)
        else:
            by_message.setdefault(attachment.message_id, []).append(attachment)
    asset = session.get(LeasedAsset, request.asset_id) if request.asset_id else None
    return RequestDetail(
        request=request,
        customer_name=session.get(Customer, request.customer_id).denominazione,
        asset_label=f"{asset.description} ({asset.code})" if asset else "",
        thread=[ThreadEntry(m, _name(people.get(m.author_id)), by_message.get(m.id, [])) for m in messages],
        loose_attachments=loose,
        history=[(change, _name(people.get(change.changed_by_id))) for change in history],
        contacts=list(session.exec(select(RequestContact.email).where(RequestContact.request_id == request.id)).all()),
    )


def attachment_for(*, session: Session, user: UserAccount, attachment_id: int) -> RequestAttachment | None:
    """The attachment if the user may read its request: the customer who owns it (within a
    sub-user's rights) or an operator of the same leasing company."""
    attachment = session.get(RequestAttachment, attachment_id)
    if attachment is None:
        return None
    request = session.get(ServiceRequest, attachment.request_id)
    return attachment if request is not None and may_read(session=session, user=user, request=request) else None


# Notices ------------------------------------------------------------------------------------------

def people_to_tell(session: Session, request: ServiceRequest) -> list[UserAccount]:
    """The customer's accounts that may read the request (as may_read decides), the author first."""
    readers = readers_of(session=session, customer_id=request.customer_id, contract_id=request.contract_id,
                         also_user_id=request.created_by_id)
    return sorted(readers, key=lambda user: user.id != request.created_by_id)


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
        sent += _mail_quietly(session, mail_templates.request_update(
            tenant=tenant, lang="it", to=address, name="", code=request.code, title=request.title,
            status=i18n.translate("it", f"request_status.{request.status.value}"), text=text, link=None, user_id=None,
        ))
    return sent


def notify_customer(
    *, session: Session, request: ServiceRequest, what: str, now: dt.datetime, public_url: str
) -> int:
    """A bell notice and an e-mail (to the secondary address, or the primary when there is none)
    for each account that may read the request, and an e-mail to every contact to notify.
    Returns how many e-mails were sent; one the server refuses stops neither the others nor the request."""
    tenant = session.get(Tenant, request.tenant_id)
    link = f"{public_url}{routes.request_url(request.code)}"
    sent = 0
    for user in people_to_tell(session, request):
        lang = user.language.value
        session.add(Notification(tenant_id=request.tenant_id, kind=NotificationKind.REQUEST, user_id=user.id,
                                 request_id=request.id, title=request.title, body=what[:2000], created_at=now))
        address = user.secondary_email or user.primary_email
        sent += _mail_quietly(session, mail_templates.request_update(
            tenant=tenant, lang=lang, to=address, name=_name(user), code=request.code, title=request.title,
            status=i18n.translate(lang, f"request_status.{request.status.value}"), text=what, link=link, user_id=user.id,
        ))
    return sent + _mail_contacts(session, tenant=tenant, request=request, text=what)


def acknowledge(*, session: Session, request: ServiceRequest, author: UserAccount, public_url: str) -> None:
    """The confirmation e-mail of a new request, to its author and to the contacts to notify
    (a refused one is recorded and does not undo the request)."""
    tenant = session.get(Tenant, request.tenant_id)
    lang = author.language.value
    text = i18n.translate(lang, "requests.ack_body", code=request.code)
    _mail_quietly(session, mail_templates.request_update(
        tenant=tenant, lang=lang, to=author.secondary_email or author.primary_email, name=_name(author), code=request.code,
        title=request.title, status=i18n.translate(lang, "request_status.submitted"), text=text,
        link=f"{public_url}{routes.request_url(request.code)}", user_id=author.id,
    ))
    _mail_contacts(session, tenant=tenant, request=request, text=i18n.translate("it", "requests.ack_body", code=request.code))


def service_desk_update(
    *, session: Session, request: ServiceRequest, operator: UserAccount, body: str, status: RequestStatus | None,
    now: dt.datetime, public_url: str, staged: Sequence[files.StagedFile] = (),
) -> int:
    """An operator answers and/or moves the request on; the customer is told. Returns e-mails sent."""
    if operator.role is not UserRole.OPERATOR or operator.tenant_id != request.tenant_id:
        raise PermissionError("only the service desk of this leasing company answers requests")
    parts = []
    if body.strip() or staged:
        add_message(session=session, request=request, author=operator, body=body.strip(), now=now, staged=staged)
        parts.append(body.strip())
    if status is not None and change_status(session=session, request=request, author=operator, status=status, now=now):
        parts.append(i18n.translate("it", "requests.status_changed", status=i18n.translate("it", f"request_status.{status.value}")))
    if not parts:
        return 0
    audit.record(session=session, action="request.answered", tenant_id=operator.tenant_id, user_id=operator.id,
                 customer_id=request.customer_id, code=request.code, status=request.status.value)
    return notify_customer(session=session, request=request, what="\n\n".join(p for p in parts if p), now=now, public_url=public_url)


def customer_reply(
    *, session: Session, request: ServiceRequest, author: UserAccount, body: str, now: dt.datetime,
    staged: Sequence[files.StagedFile] = (),
) -> RequestMessage:
    """The customer writes in the thread; a request waiting for the customer goes back to work.
    Writing needs the right to submit requests, as opening one does."""
    if not may_read(session=session, user=author, request=request) or not can_submit_requests(author):
        raise PermissionError("not this customer's request, or no right to write to the service desk")
    message = add_message(session=session, request=request, author=author, body=body.strip(), now=now, staged=staged)
    if request.status in (RequestStatus.WAITING_CUSTOMER, RequestStatus.RESOLVED):
        change_status(session=session, request=request, author=author, status=RequestStatus.IN_PROGRESS, now=now)
    return message


def broadcast(*, session: Session, operator: UserAccount, title: str, body: str, now: dt.datetime) -> Notification:
    """A message from the leasing company to every customer (the bell of every customer account)."""
    if operator.role is not UserRole.OPERATOR:
        raise PermissionError("only operators broadcast")
    notice = Notification(tenant_id=operator.tenant_id, kind=NotificationKind.BROADCAST, user_id=None,
                          title=title.strip()[:200], body=body.strip()[:2000], created_at=now)
    session.add(notice)
    audit.record(session=session, action="broadcast.sent", tenant_id=operator.tenant_id, user_id=operator.id, title=notice.title)
    return notice
