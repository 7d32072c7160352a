"""Reading requests: who may read which, the customer's and the desk's lists, a request's page."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.models import (
    Contract,
    Customer,
    LeasedAsset,
    RequestAttachment,
    RequestContact,
    RequestMessage,
    RequestStatusChange,
    ServiceRequest,
    UserAccount,
)
from portal.models.enums import RequestStatus, UserRole
from portal.services.access.scope import Scope, scope_of
from portal.services.common.clock import ROME
from portal.services.common.snapshot import snapshot
from portal.services.requests.deadlines import WARN_DAYS
from portal.services.requests.form_engine import FormContext, context_for

PAGE_SIZE = 20


# Who may read ---------------------------------------------------------------------------------


def account(*, session: Session, user_id: int) -> UserAccount:
    """The signed-in user's account (the guard has just read it: it exists)."""
    user = session.get(UserAccount, user_id)
    if user is None:
        raise LookupError(f"no account {user_id}")
    return user


def visible_to_customer(scope: Scope, user_id: int | None) -> list[sa.ColumnElement[bool]]:
    """SQL conditions: the requests of the customer, and for a restricted sub-user only those
    about its contracts or written by it."""
    conditions = [col(ServiceRequest.customer_id) == scope.customer_id]
    if scope.contract_ids is not None:
        conditions.append(
            sa.or_(
                col(ServiceRequest.contract_id).in_(sorted(scope.contract_ids)),
                col(ServiceRequest.created_by_id) == user_id,
            )
        )
    return conditions


def access_request(*, session: Session, user: UserAccount, code: str) -> ServiceRequest | None:
    """The request with that code if this user may read it; None otherwise."""
    request = session.exec(select(ServiceRequest).where(ServiceRequest.code == code)).first()
    return request if request is not None and may_read(session=session, user=user, request=request) else None


def may_read(*, session: Session, user: UserAccount, request: ServiceRequest) -> bool:
    if user.role is UserRole.OPERATOR:
        return user.tenant_id == request.tenant_id
    scope = scope_of(session=session, user=user)
    if scope is None or request.customer_id != scope.customer_id:
        return False
    return (
        scope.contract_ids is None
        or request.created_by_id == user.id
        or (request.contract_id is not None and request.contract_id in scope.contract_ids)
    )


# Lists ------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RequestFilter:
    status: str = "all"  # a RequestStatus value, "open", "closed" or "all"
    form_key: str = ""
    customer: str = ""  # operators: name or code
    older_than_days: int = 0  # operators: not updated for at least this many days
    deadline: str = ""  # operators: "with" a legal deadline, "due_soon" (within WARN_DAYS or past)
    by_deadline: bool = False  # operators: the nearest legal deadline first


def _status_condition(status: str) -> sa.ColumnElement[bool]:
    closed = [RequestStatus.RESOLVED, RequestStatus.REJECTED]
    if status == "open":
        return col(ServiceRequest.status).not_in(closed)
    if status == "closed":
        return col(ServiceRequest.status).in_(closed)
    chosen = RequestStatus.parse(status)
    return col(ServiceRequest.status) == chosen if chosen is not None else sa.true()


def customer_requests(
    *, session: Session, scope: Scope, user_id: int, flt: RequestFilter, offset: int, limit: int = PAGE_SIZE
) -> tuple[list[RequestRow], int]:
    """A page of the customer's requests (as plain rows), and how many match in all."""
    query = select(ServiceRequest).where(*visible_to_customer(scope, user_id), _status_condition(flt.status))
    if flt.form_key:
        query = query.where(ServiceRequest.form_key == flt.form_key)
    total = int(session.exec(select(sa.func.count()).select_from(query.subquery())).one())
    rows = session.exec(
        query.order_by(col(ServiceRequest.updated_at).desc(), col(ServiceRequest.id).desc())
        .offset(max(0, offset))
        .limit(limit)
    ).all()
    return [_request_row(row) for row in rows], total


def desk_requests(
    *, session: Session, tenant_id: int, flt: RequestFilter, now: dt.datetime, offset: int, limit: int = PAGE_SIZE
) -> tuple[list[RequestRow], int]:
    """The service desk's queue: every customer's requests (as plain rows, with the customer's
    name), oldest untouched first when filtering by age, otherwise the latest updated first."""
    query = (
        select(ServiceRequest, Customer.denominazione)
        .join(Customer, col(Customer.id) == ServiceRequest.customer_id)
        .where(ServiceRequest.tenant_id == tenant_id, _status_condition(flt.status))
    )
    if flt.form_key:
        query = query.where(ServiceRequest.form_key == flt.form_key)
    if flt.customer.strip():
        term = flt.customer.strip().lower()
        query = query.where(
            sa.or_(
                sa.func.lower(Customer.denominazione).contains(term, autoescape=True),
                col(Customer.code) == flt.customer.strip(),
                sa.func.lower(ServiceRequest.code).contains(term, autoescape=True),
            )
        )
    if flt.older_than_days > 0:
        query = query.where(col(ServiceRequest.updated_at) <= now - dt.timedelta(days=flt.older_than_days))
    due_on = col(ServiceRequest.due_on)
    if flt.deadline == "with":
        query = query.where(due_on.is_not(None))
    elif flt.deadline == "due_soon":
        query = query.where(due_on <= now.astimezone(ROME).date() + dt.timedelta(days=WARN_DAYS))
    total = int(session.exec(select(sa.func.count()).select_from(query.subquery())).one())
    updated = col(ServiceRequest.updated_at)
    order = [updated.asc() if flt.older_than_days > 0 else updated.desc()]
    if flt.by_deadline:  # the nearest deadline first, requests without one after
        order = [due_on.is_(None), due_on.asc(), *order]
    rows = session.exec(query.order_by(*order, col(ServiceRequest.id).desc()).offset(max(0, offset)).limit(limit)).all()
    return [_request_row(row, customer_name) for row, customer_name in rows], total


# Home's latest requests -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RequestRow:
    """A request in a list (Home's latest, Richieste, the service desk's queue): plain data."""

    request_id: int
    code: str
    title: str
    status: RequestStatus
    updated_at: dt.datetime
    customer_name: str = ""
    due_on: dt.date | None = None  # a legal deadline (art. 119 TUB)


def _request_row(request: ServiceRequest, customer_name: str = "") -> RequestRow:
    return RequestRow(
        request_id=request.id,
        code=request.code,
        title=request.title,
        status=request.status,
        updated_at=request.updated_at,
        customer_name=customer_name,
        due_on=request.due_on,
    )


def latest_requests(*, session: Session, scope: Scope, limit: int, user_id: int | None = None) -> list[RequestRow]:
    rows = session.exec(
        select(ServiceRequest)
        .where(*visible_to_customer(scope, user_id))
        .order_by(col(ServiceRequest.updated_at).desc(), col(ServiceRequest.id).desc())
        .limit(limit)
    ).all()
    return [_request_row(row) for row in rows]


def latest_requests_of_tenant(*, session: Session, tenant_id: int, limit: int) -> list[RequestRow]:
    """The service desk's view: the most recently updated requests of every customer."""
    rows = session.exec(
        select(ServiceRequest, Customer.denominazione)
        .join(Customer, col(Customer.id) == ServiceRequest.customer_id)
        .where(ServiceRequest.tenant_id == tenant_id)
        .order_by(col(ServiceRequest.updated_at).desc(), col(ServiceRequest.id).desc())
        .limit(limit)
    ).all()
    return [_request_row(row, customer_name) for row, customer_name in rows]


# The detail page ----------------------------------------------------------------------------------


# What the page keeps is plain data read while the session is open, never the ORM rows: a state
# keeps it in a backend var, and those are pickled (to Redis) at every event.


@dataclasses.dataclass(frozen=True)
class RequestSummary:
    """A request's own fields the page shows (ServiceRequest's names)."""

    id: int
    code: str
    title: str
    form_key: str
    status: RequestStatus
    payload: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    due_on: dt.date | None


@dataclasses.dataclass(frozen=True)
class MessageSummary:
    """A message of the thread (RequestMessage's names)."""

    id: int
    body: str
    from_service_desk: bool
    created_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class AttachmentSummary:
    """A file of the request, to link to (RequestAttachment's names)."""

    id: int
    display_name: str
    size_bytes: int


@dataclasses.dataclass(frozen=True)
class StatusChangeSummary:
    """A step of the request's history (RequestStatusChange's names)."""

    to_status: RequestStatus
    created_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class ThreadEntry:
    message: MessageSummary
    author_name: str
    attachments: list[AttachmentSummary]


@dataclasses.dataclass(frozen=True)
class RequestDetail:
    request: RequestSummary
    customer_name: str
    asset_label: str
    thread: list[ThreadEntry]
    loose_attachments: list[AttachmentSummary]  # files not tied to a message
    history: list[tuple[StatusChangeSummary, str]]  # each change with who made it
    contacts: list[str]


def person_name(user: UserAccount | None) -> str:
    if user is None:
        return ""
    return user.full_name or user.username


@dataclasses.dataclass(frozen=True)
class Thread:
    """A request's messages, files and status history in their order, with the people who wrote
    and changed them: what its page shows and what the core system's feed sends."""

    messages: list[RequestMessage]
    attachments: list[RequestAttachment]
    history: list[RequestStatusChange]
    people: dict[int, UserAccount]


def threads_of(session: Session, request_ids: Collection[int]) -> dict[int, Thread]:
    """The threads of many requests in four queries (the core system's feed reads up to 500 a page)."""
    ids = sorted(set(request_ids))
    messages = session.exec(
        select(RequestMessage)
        .where(col(RequestMessage.request_id).in_(ids))
        .order_by(col(RequestMessage.created_at), col(RequestMessage.id))
    ).all()
    attachments = session.exec(
        select(RequestAttachment).where(col(RequestAttachment.request_id).in_(ids)).order_by(col(RequestAttachment.id))
    ).all()
    history = session.exec(
        select(RequestStatusChange)
        .where(col(RequestStatusChange.request_id).in_(ids))
        .order_by(col(RequestStatusChange.created_at), col(RequestStatusChange.id))
    ).all()
    people_ids = {m.author_id for m in messages} | {h.changed_by_id for h in history}
    people = {user.id: user for user in session.exec(select(UserAccount).where(col(UserAccount.id).in_(people_ids)))}
    threads = {request_id: Thread([], [], [], people) for request_id in ids}
    for message in messages:
        threads[message.request_id].messages.append(message)
    for attachment in attachments:
        threads[attachment.request_id].attachments.append(attachment)
    for change in history:
        threads[change.request_id].history.append(change)
    return threads


def thread_of(session: Session, request: ServiceRequest) -> Thread:
    return threads_of(session, [request.id])[request.id]


def detail(*, session: Session, request: ServiceRequest) -> RequestDetail:
    """What the request's page shows, read now (plain data: the session may close after)."""
    thread = thread_of(session, request)
    messages, attachments, history, people = thread.messages, thread.attachments, thread.history, thread.people
    by_message: dict[int, list[AttachmentSummary]] = {}
    loose = []
    for attachment in attachments:
        if attachment.message_id is None:
            loose.append(snapshot(AttachmentSummary, attachment))
        else:
            by_message.setdefault(attachment.message_id, []).append(snapshot(AttachmentSummary, attachment))
    asset = session.get(LeasedAsset, request.asset_id) if request.asset_id else None
    customer = session.get(Customer, request.customer_id)
    return RequestDetail(
        request=snapshot(RequestSummary, request, payload=copy.deepcopy(request.payload)),  # not the row's dict
        customer_name=customer.denominazione if customer else "",
        asset_label=f"{asset.description} ({asset.code})" if asset else "",
        thread=[
            ThreadEntry(snapshot(MessageSummary, m), person_name(people.get(m.author_id)), by_message.get(m.id, []))
            for m in messages
        ],
        loose_attachments=loose,
        history=[
            (
                snapshot(StatusChangeSummary, change),
                person_name(people.get(change.changed_by_id)),
            )
            for change in history
        ],
        contacts=list(session.exec(select(RequestContact.email).where(RequestContact.request_id == request.id)).all()),
    )


def detail_for(*, session: Session, user_id: int, code: str) -> RequestDetail | None:
    """The page of the request with that code, if this user may read it; None otherwise."""
    request = access_request(session=session, user=account(session=session, user_id=user_id), code=code)
    return detail(session=session, request=request) if request is not None else None


def access_attachment(*, session: Session, user: UserAccount, attachment_id: int) -> RequestAttachment | None:
    """The attachment if the user may read its request: the customer who owns it (within a
    sub-user's rights) or an operator of the same leasing company."""
    attachment = session.get(RequestAttachment, attachment_id)
    if attachment is None:
        return None
    request = session.get(ServiceRequest, attachment.request_id)
    return attachment if request is not None and may_read(session=session, user=user, request=request) else None


# Self-service forms ------------------------------------------------------------------------------


def form_context(
    *, session: Session, user_id: int, scope: Scope, lang: str, today: dt.date, values: Mapping[str, str]
) -> FormContext:
    """What a form's prefill, options and checks read, for this user filling it in for `scope`."""
    user = account(session=session, user_id=user_id)
    return context_for(session=session, user=user, scope=scope, lang=lang, today=today, values=values)


def contract_id_in_scope(*, session: Session, scope: Scope, number: str) -> int | None:
    return session.exec(
        select(Contract.id).where(*scope.where(Contract.customer_id, Contract.id), Contract.number == number)
    ).first()


def asset_id_in_scope(*, session: Session, scope: Scope, code: str) -> int | None:
    return session.exec(
        select(LeasedAsset.id).where(
            *scope.where(LeasedAsset.customer_id, LeasedAsset.contract_id), LeasedAsset.code == code
        )
    ).first()


@dataclasses.dataclass(frozen=True)
class CustomerChoice:
    code: str
    name: str


def customer_choices(*, session: Session, tenant_id: int) -> list[CustomerChoice]:
    """The leasing company's customers, by name: whom the form preview may pretend to be."""
    rows = session.exec(
        select(Customer.code, Customer.denominazione)
        .where(Customer.tenant_id == tenant_id)
        .order_by(col(Customer.denominazione))
    ).all()
    return [CustomerChoice(code=code, name=name) for code, name in rows]


def customer_id_by_code(*, session: Session, tenant_id: int, code: str) -> int | None:
    """The id of the leasing company's customer with that code; None for another tenant's."""
    return session.exec(select(Customer.id).where(Customer.tenant_id == tenant_id, Customer.code == code)).first()
