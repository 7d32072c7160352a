"""A request as the core system reads it: plain JSON data (strings, numbers, lists, objects)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from portal.integration.outbound.account import is_core_system
from portal.models import (
    Contract,
    Customer,
    LeasedAsset,
    RequestAttachment,
    ServiceRequest,
    UserAccount,
)
from portal.models.enums import UserRole
from portal.models.outbound import RequestEvent
from portal.services.requests.queries import Thread, person_name, threads_of

Row = TypeVar("Row", Customer, Contract, LeasedAsset)
CUSTOMER, SERVICE_DESK, CORE_SYSTEM = "customer", "service_desk", "core_system"


def iso(moment: dt.datetime | None) -> str | None:
    """UTC, to the second, with a Z: 2026-11-22T09:00:00Z."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def actor_of(user: UserAccount | None) -> str:
    """Who acted, as the core system tells them apart."""
    if user is not None and is_core_system(user):
        return CORE_SYSTEM
    if user is not None and user.role is UserRole.OPERATOR:
        return SERVICE_DESK
    return CUSTOMER


def event_data(event: RequestEvent, code: str) -> dict[str, Any]:
    return {
        "id": event.seq,
        "type": event.kind,
        "occurred_at": iso(event.created_at),
        "request_code": code,
        "actor": event.actor,
        "reference": event.reference,
        "detail": copy.deepcopy(event.detail),
    }


def attachment_data(attachment: RequestAttachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "name": attachment.display_name,
        "content_type": attachment.content_type,
        "size": attachment.size_bytes,
        "sha256": attachment.sha256,
        "message_id": attachment.message_id,
        "created_at": iso(attachment.created_at),
    }


def request_data(session: Session, request: ServiceRequest) -> dict[str, Any]:
    """The request with its thread, files (metadata; the bytes by id through the API) and history."""
    return requests_data(session, [request])[0]


def _by_id(session: Session, model: type[Row], ids: set[int | None]) -> dict[int, Row]:
    wanted = sorted(key for key in ids if key is not None)
    return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(wanted)))}  # type: ignore[attr-defined]


def requests_data(session: Session, requests: Sequence[ServiceRequest]) -> list[dict[str, Any]]:
    """`request_data` of many requests, with a few queries for all of them (a feed's page)."""
    threads = threads_of(session, [request.id for request in requests])
    customers = _by_id(session, Customer, {request.customer_id for request in requests})
    contracts = _by_id(session, Contract, {request.contract_id for request in requests})
    assets = _by_id(session, LeasedAsset, {request.asset_id for request in requests})
    return [
        _document(
            request,
            threads[request.id],
            customers.get(request.customer_id),
            contracts.get(request.contract_id) if request.contract_id else None,
            assets.get(request.asset_id) if request.asset_id else None,
        )
        for request in requests
    ]


def _document(
    request: ServiceRequest,
    thread: Thread,
    customer: Customer | None,
    contract: Contract | None,
    asset: LeasedAsset | None,
) -> dict[str, Any]:
    messages, attachments, history, people = thread.messages, thread.attachments, thread.history, thread.people
    files_of: dict[int | None, list[int]] = {}
    for attachment in attachments:
        files_of.setdefault(attachment.message_id, []).append(attachment.id)
    return {
        "code": request.code,
        "form_key": request.form_key,
        "title": request.title,
        "status": request.status.value,
        "customer_code": customer.code if customer else None,
        "customer_name": customer.denominazione if customer else None,
        "contract_number": contract.number if contract else None,
        "asset_code": asset.code if asset else None,
        "answers": answers_of(request.payload),
        "payload": copy.deepcopy(request.payload),
        "created_at": iso(request.created_at),
        "updated_at": iso(request.updated_at),
        # a legal deadline (art. 119 TUB copies: 90 days), ISO YYYY-MM-DD; null for other requests
        "due_on": request.due_on.isoformat() if request.due_on else None,
        "messages": [
            {
                "id": message.id,
                "author": actor_of(people.get(message.author_id)),
                "author_name": person_name(people.get(message.author_id)),
                "body": message.body,
                "created_at": iso(message.created_at),
                "attachment_ids": files_of.get(message.id, []),
            }
            for message in messages
        ],
        "attachments": [attachment_data(attachment) for attachment in attachments],
        "status_history": [
            {
                "from": change.from_status.value if change.from_status else None,
                "to": change.to_status.value,
                "at": iso(change.created_at),
                "by": actor_of(people.get(change.changed_by_id)),
            }
            for change in history
        ],
    }


def answers_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The form's answers by field key, as stored (the codes, not the words shown): a form's
    payload lists its fields with their labels and displayed values in every language too."""
    fields = payload.get("fields") if isinstance(payload, dict) else None
    if not isinstance(fields, list):
        return {}
    return {
        field["key"]: field.get("value")
        for field in fields
        if isinstance(field, dict) and isinstance(field.get("key"), str) and field.get("type") != "display"
    }
