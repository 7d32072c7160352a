"""Reminders before an accepted insurance certificate lapses: 30 and 7 days before its expiry date,
each exactly once (a row per certificate and threshold, unique), sent by the daily job
(portal/jobs/documents.py). A run that comes late (a day missed) still sends what is due; when
both thresholds are due at once only the nearer one is sent and the other is recorded as passed."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from portal import i18n
from portal.models import Contract, DocumentAsk, DocumentUpload, ExpiryReminder
from portal.models.document import AskKind, AskStatus
from portal.services.documents.news import tell_readers

THRESHOLDS = (30, 7)  # days before the expiry date


def _accepted_certificates(
    session: Session, tenant_id: int, as_of: dt.date
) -> list[tuple[DocumentAsk, DocumentUpload]]:
    """Accepted insurance asks with the file that was accepted (the newest), not yet lapsed and
    within the widest threshold."""
    later = aliased(DocumentUpload)
    newest = (
        select(sa.func.max(later.id))
        .where(col(later.ask_id) == col(DocumentAsk.id))
        .correlate(DocumentAsk)
        .scalar_subquery()
    )
    rows = session.exec(
        select(DocumentAsk, DocumentUpload)
        .join(DocumentUpload, col(DocumentUpload.id) == newest)
        .where(
            col(DocumentAsk.tenant_id) == tenant_id,
            col(DocumentAsk.kind) == AskKind.INSURANCE,
            col(DocumentAsk.status) == AskStatus.ACCEPTED,
            col(DocumentUpload.expires_on).is_not(None),
            col(DocumentUpload.expires_on) > as_of,
            col(DocumentUpload.expires_on) <= as_of + dt.timedelta(days=max(THRESHOLDS)),
        )
        .order_by(col(DocumentUpload.id))
    ).all()
    return list(rows)


def run_reminders(*, session: Session, tenant_id: int, as_of: dt.date, now: dt.datetime, public_url: str) -> int:
    """Send the reminders due as of `as_of` that were not sent yet; how many reminders went."""
    sent = 0
    for ask, upload in _accepted_certificates(session, tenant_id, as_of):
        expires_on = upload.expires_on
        assert expires_on is not None  # the query asks for it
        recorded = set(
            session.exec(select(ExpiryReminder.days_before).where(ExpiryReminder.upload_id == upload.id)).all()
        )
        due = [days for days in THRESHOLDS if as_of >= expires_on - dt.timedelta(days=days) and days not in recorded]
        if not due:
            continue
        nearest = min(due)
        for days in due:
            session.add(
                ExpiryReminder(
                    upload_id=upload.id, days_before=days, expires_on=expires_on, sent=days == nearest, created_at=now
                )
            )
        contract = session.get(Contract, ask.contract_id) if ask.contract_id is not None else None
        number = contract.number if contract else "—"
        tell_readers(
            session=session,
            tenant_id=ask.tenant_id,
            customer_id=ask.customer_id,
            contract_id=ask.contract_id,
            event="expiring",
            params=lambda lang, number=number, expires_on=expires_on: {
                "contract": number,
                "date": i18n.short_date(expires_on, lang),
            },
            now=now,
            public_url=public_url,
        )
        session.flush()
        sent += 1
    return sent
