"""Requests (tickets): opening one from a self-service form, the thread with its attachments,
status changes, the desk's answer and the customer's reply."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session

from portal import i18n
from portal.integration.outbound import events
from portal.models import (
    RequestAttachment,
    RequestContact,
    RequestMessage,
    RequestStatusChange,
    ServiceRequest,
    UserAccount,
)
from portal.models.enums import RequestStatus, UserRole
from portal.services.access.scope import Scope, can_submit_requests
from portal.services.requests import attachments as files
from portal.services.requests.form_engine import FormDefinition, context_for, parse_contacts
from portal.services.requests.form_payload import payload_of, request_title
from portal.services.requests.notices import acknowledge, audit_request, notify_customer
from portal.services.requests.pause import pause_at
from portal.services.requests.queries import account, asset_id_in_scope, contract_id_in_scope, may_read


def request_code(year: int, sequence: int) -> str:
    return f"RIC-{year}-{sequence:06d}"


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
    due_on: dt.date | None = None,
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
        due_on=due_on,
    )
    session.add(request)
    session.flush()
    request.code = request_code(now.year, request.id)
    session.add(request)
    _record_status(session, request, None, RequestStatus.SUBMITTED, author, now)
    first = None
    if message or staged:
        first = RequestMessage(request_id=request.id, author_id=author.id, body=message, created_at=now)
        session.add(first)
        session.flush()
    for address in contacts:
        session.add(RequestContact(request_id=request.id, email=address))
    added = _attach(session, request, first, author, staged, now)
    audit_request(session, request, "request.opened", by=author, form=form_key)
    events.record(
        session,
        request,
        events.OPENED,
        by=author,
        now=now,
        message_id=first.id if first else None,
        attachment_ids=[row.id for row in added],
    )
    return request


def open_from_form(
    *,
    session: Session,
    author_id: int,
    scope: Scope,
    definition: FormDefinition,
    values: Mapping[str, str],
    lang: str,
    today: dt.date,
    now: dt.datetime,
    public_url: str,
    staged: Sequence[files.StagedFile] = (),
) -> ServiceRequest:
    """A request from a form's checked answers: tied to the contract and the asset chosen (only
    within the author's scope), titled after the form in `lang`, acknowledged by e-mail. A form
    with a legal deadline dates the answer `deadline_days` after `today`."""
    author = account(session=session, user_id=author_id)
    ctx = context_for(session=session, user=author, scope=scope, lang=lang, today=today, values=values)

    def answer(key: str | None) -> str:
        return values.get(key, "") if key else ""

    contract_number, asset_code = answer(definition.contract_field), answer(definition.asset_field)
    request = open_request(
        session=session,
        author=author,
        customer_id=scope.customer_id,
        form_key=definition.key,
        title=request_title(definition, values, ctx),
        message=answer(definition.message_field),
        now=now,
        payload=payload_of(definition, values, ctx),
        contract_id=contract_id_in_scope(session=session, scope=scope, number=contract_number)
        if contract_number
        else None,
        asset_id=asset_id_in_scope(session=session, scope=scope, code=asset_code) if asset_code else None,
        contacts=parse_contacts(answer(definition.contacts_field)),
        staged=staged,
        due_on=deadline(definition, today),
    )
    acknowledge(session=session, request=request, author=author, public_url=public_url)
    return request


def deadline(definition: FormDefinition, submitted_on: dt.date) -> dt.date | None:
    """The day a request from this form must be answered by, if the form has a legal deadline."""
    if definition.deadline_days is None:
        return None
    return submitted_on + dt.timedelta(days=definition.deadline_days)


def _record_status(
    session: Session,
    request: ServiceRequest,
    before: RequestStatus | None,
    after: RequestStatus,
    author: UserAccount,
    now: dt.datetime,
) -> None:
    """One line of the request's history."""
    session.add(
        RequestStatusChange(
            request_id=request.id, from_status=before, to_status=after, changed_by_id=author.id, created_at=now
        )
    )


def _attach(
    session: Session,
    request: ServiceRequest,
    message: RequestMessage | None,
    author: UserAccount,
    staged: Sequence[files.StagedFile],
    now: dt.datetime,
) -> list[RequestAttachment]:
    """The files' rows, in the caller's transaction; the files move to storage only after it commits."""
    rows = [
        RequestAttachment(
            request_id=request.id,
            message_id=message.id if message else None,
            storage_key=item.storage_key,
            display_name=item.display_name,
            content_type=item.content_type,
            size_bytes=item.size_bytes,
            sha256=item.sha256,
            uploaded_by_id=author.id,
            created_at=now,
        )
        for item in staged
    ]
    session.add_all(rows)
    if staged:
        session.flush()
        files.keep_after_commit(session=session, staged=staged)
        pause_at("after_files")
    return rows


def add_message(
    *,
    session: Session,
    request: ServiceRequest,
    author: UserAccount,
    body: str,
    now: dt.datetime,
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
    added = _attach(session, request, message, author, staged, now)
    events.record(
        session,
        request,
        events.MESSAGE_ADDED,
        by=author,
        now=now,
        message_id=message.id,
        attachment_ids=[row.id for row in added],
    )
    return message


def change_status(
    *, session: Session, request: ServiceRequest, author: UserAccount, status: RequestStatus, now: dt.datetime
) -> bool:
    if status == request.status:
        return False
    before = request.status
    _record_status(session, request, before, status, author, now)
    request.status = status
    request.updated_at = now
    session.add(request)
    events.record(
        session, request, events.STATUS_CHANGED, by=author, now=now, from_status=before.value, to_status=status.value
    )
    return True


def service_desk_update(
    *,
    session: Session,
    request: ServiceRequest,
    operator: UserAccount,
    body: str,
    status: RequestStatus | None,
    now: dt.datetime,
    public_url: str,
    staged: Sequence[files.StagedFile] = (),
) -> int:
    """An operator answers and/or moves the request on; the customer is told. Returns e-mails sent."""
    if operator.role is not UserRole.OPERATOR or operator.tenant_id != request.tenant_id:
        raise PermissionError("only the service desk of this leasing company answers requests")
    parts = []
    if body.strip() or staged:
        add_message(session=session, request=request, author=operator, body=body.strip(), now=now, staged=staged)
        parts.append(body.strip())
    if status is not None and change_status(session=session, request=request, author=operator, status=status, now=now):
        parts.append(
            i18n.translate(
                "it", "requests.status_changed", status=i18n.translate("it", f"request_status.{status.value}")
            )
        )
    if not parts:
        return 0
    audit_request(session, request, "request.answered", by=operator, status=request.status.value)
    return notify_customer(
        session=session, request=request, what="\n\n".join(p for p in parts if p), now=now, public_url=public_url
    )


def customer_reply(
    *,
    session: Session,
    request: ServiceRequest,
    author: UserAccount,
    body: str,
    now: dt.datetime,
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
