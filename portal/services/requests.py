"""Self-service requests: opening one, its code, its thread and its status history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from portal.models import RequestMessage, RequestStatusChange, ServiceRequest, UserAccount
from portal.models.enums import RequestStatus


def request_code(year: int, sequence: int) -> str:
    return f"RIC-{year}-{sequence:06d}"


def next_request_code(*, session: Session, year: int) -> str:
    highest = session.exec(
        select(sa.func.max(ServiceRequest.code)).where(ServiceRequest.code.like(f"RIC-{year}-%"))
    ).one()
    sequence = int(highest.rsplit("-", 1)[1]) + 1 if highest else 1
    return request_code(year, sequence)


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
) -> ServiceRequest:
    request = ServiceRequest(
        tenant_id=author.tenant_id,
        customer_id=customer_id,
        created_by_id=author.id,
        code=next_request_code(session=session, year=now.year),
        form_key=form_key,
        title=title,
        status=RequestStatus.SUBMITTED,
        payload=payload or {},
        contract_id=contract_id,
        asset_id=asset_id,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.flush()
    session.add(
        RequestStatusChange(
            request_id=request.id, from_status=None, to_status=RequestStatus.SUBMITTED,
            changed_by_id=author.id, created_at=now,
        )
    )
    if message:
        session.add(RequestMessage(request_id=request.id, author_id=author.id, body=message, created_at=now))
    return request


def add_message(
    *, session: Session, request: ServiceRequest, author: UserAccount, body: str, now: dt.datetime
) -> RequestMessage:
    message = RequestMessage(
        request_id=request.id,
        author_id=author.id,
        from_service_desk=author.customer_id is None,
        body=body,
        created_at=now,
    )
    request.updated_at = now
    session.add_all([message, request])
    return message


def change_status(
    *, session: Session, request: ServiceRequest, author: UserAccount, status: RequestStatus, now: dt.datetime
) -> None:
    if status == request.status:
        return
    session.add(
        RequestStatusChange(
            request_id=request.id, from_status=request.status, to_status=status,
            changed_by_id=author.id, created_at=now,
        )
    )
    request.status = status
    request.updated_at = now
    session.add(request)
