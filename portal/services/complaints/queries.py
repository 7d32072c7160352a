"""Reading complaints: who may read which, the customer's list, the desk's queue (by deadline),
one complaint with its files, and the yearly figures of the company's public report."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.models import Complaint, ComplaintAttachment, Contract, Customer, UserAccount
from portal.models.enums import ComplaintOutcome, UserRole
from portal.services.access.scope import Scope, scope_of

DEADLINE_DAYS = 60  # Banca d'Italia's transparency rules: the answer within 60 days of receipt
WARNING_DAYS = 10  # the desk is warned when this many days or fewer are left
QUEUE_LIMIT = 200


def due_date(received_on: dt.date) -> dt.date:
    """The day by which the company must answer a complaint received on `received_on`."""
    return received_on + dt.timedelta(days=DEADLINE_DAYS)


def urgency(complaint: Complaint, today: dt.date) -> str:
    """ "answered", "overdue" (deadline past, no answer), "due_soon" (≤ WARNING_DAYS left) or "on_time"."""
    if complaint.answered_on is not None:
        return "answered"
    left = (complaint.due_on - today).days
    if left < 0:
        return "overdue"
    return "due_soon" if left <= WARNING_DAYS else "on_time"


# Who may read ---------------------------------------------------------------------------------


def may_read(*, session: Session, user: UserAccount, complaint: Complaint) -> bool:
    """An operator of the same company; the customer's accounts (a sub-user restricted to some
    contracts reads only the complaints it filed)."""
    if user.role is UserRole.OPERATOR:
        return user.tenant_id == complaint.tenant_id
    scope = scope_of(session=session, user=user)
    if scope is None or complaint.customer_id != scope.customer_id:
        return False
    return scope.contract_ids is None or complaint.created_by_id == user.id


def access_complaint(*, session: Session, user: UserAccount, code: str) -> Complaint | None:
    """The complaint with that code if this user may read it; None otherwise (as for no complaint)."""
    complaint = session.exec(select(Complaint).where(Complaint.code == code)).first()
    return complaint if complaint is not None and may_read(session=session, user=user, complaint=complaint) else None


def access_complaint_attachment(
    *, session: Session, user: UserAccount, attachment_id: int
) -> ComplaintAttachment | None:
    """A complaint's file if the user may read the complaint; None otherwise."""
    attachment = session.get(ComplaintAttachment, attachment_id)
    if attachment is None:
        return None
    complaint = session.get(Complaint, attachment.complaint_id)
    if complaint is None or not may_read(session=session, user=user, complaint=complaint):
        return None
    return attachment


# Plain rows -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ComplaintRow:
    code: str
    subject: str
    customer_name: str
    received_on: dt.date
    due_on: dt.date
    answered_on: dt.date | None
    outcome: ComplaintOutcome | None
    urgency: str
    days_left: int


@dataclasses.dataclass(frozen=True)
class FileSummary:
    attachment_id: int
    display_name: str
    size_bytes: int


@dataclasses.dataclass(frozen=True)
class ComplaintDetail:
    row: ComplaintRow
    body: str
    contract_number: str
    answer: str
    files: tuple[FileSummary, ...]


def _row(complaint: Complaint, customer_name: str, today: dt.date) -> ComplaintRow:
    return ComplaintRow(
        code=complaint.code,
        subject=complaint.subject,
        customer_name=customer_name,
        received_on=complaint.received_on,
        due_on=complaint.due_on,
        answered_on=complaint.answered_on,
        outcome=complaint.outcome,
        urgency=urgency(complaint, today),
        days_left=(complaint.due_on - today).days,
    )


def visible_to_customer(scope: Scope, user_id: int) -> list[sa.ColumnElement[bool]]:
    conditions = [col(Complaint.customer_id) == scope.customer_id]
    if scope.contract_ids is not None:
        conditions.append(col(Complaint.created_by_id) == user_id)
    return conditions


def customer_complaints(*, session: Session, scope: Scope, user_id: int, today: dt.date) -> list[ComplaintRow]:
    """The customer's complaints, newest first."""
    rows = session.exec(
        select(Complaint)
        .where(*visible_to_customer(scope, user_id))
        .order_by(col(Complaint.received_on).desc(), col(Complaint.id).desc())
    ).all()
    return [_row(complaint, "", today) for complaint in rows]


def desk_complaints(
    *, session: Session, tenant_id: int, today: dt.date, include_answered: bool, limit: int = QUEUE_LIMIT
) -> list[ComplaintRow]:
    """The desk's queue: the open complaints by deadline, nearest first; with `include_answered`
    the answered ones follow, the latest answered first."""
    query = (
        select(Complaint, Customer.denominazione)
        .join(Customer, col(Customer.id) == col(Complaint.customer_id))
        .where(Complaint.tenant_id == tenant_id)
    )
    if not include_answered:
        query = query.where(col(Complaint.answered_on).is_(None))
    query = query.order_by(
        col(Complaint.answered_on).is_not(None),
        col(Complaint.due_on),
        col(Complaint.answered_on).desc(),
        col(Complaint.id),
    ).limit(limit)
    return [_row(complaint, name, today) for complaint, name in session.exec(query).all()]


def detail_of(*, session: Session, complaint: Complaint, today: dt.date) -> ComplaintDetail:
    """One complaint (already checked with access_complaint) as its pages show it."""
    customer = session.get(Customer, complaint.customer_id)
    contract = session.get(Contract, complaint.contract_id) if complaint.contract_id else None
    files = session.exec(
        select(ComplaintAttachment)
        .where(ComplaintAttachment.complaint_id == complaint.id)
        .order_by(col(ComplaintAttachment.id))
    ).all()
    return ComplaintDetail(
        row=_row(complaint, customer.denominazione if customer else "", today),
        body=complaint.body,
        contract_number=contract.number if contract else "",
        answer=complaint.answer or "",
        files=tuple(FileSummary(f.id, f.display_name, f.size_bytes) for f in files),
    )


# The yearly figures ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class YearFigures:
    """The complaints received in `year` and, as of today, what became of them:
    received = answered + still_open; answered = in_time + late; answered = the outcomes' sum."""

    year: int
    received: int
    answered: int
    answered_in_time: int
    answered_late: int
    still_open: int
    accepted: int
    partially_accepted: int
    rejected: int


def year_figures(*, session: Session, tenant_id: int, year: int) -> YearFigures:
    rows = session.exec(
        select(col(Complaint.due_on), col(Complaint.answered_on), col(Complaint.outcome)).where(
            Complaint.tenant_id == tenant_id,
            col(Complaint.received_on) >= dt.date(year, 1, 1),
            col(Complaint.received_on) <= dt.date(year, 12, 31),
        )
    ).all()
    answered = [(due, on, outcome) for due, on, outcome in rows if on is not None]
    return YearFigures(
        year=year,
        received=len(rows),
        answered=len(answered),
        answered_in_time=sum(1 for due, on, _ in answered if on <= due),
        answered_late=sum(1 for due, on, _ in answered if on > due),
        still_open=len(rows) - len(answered),
        accepted=sum(1 for *_, outcome in answered if outcome is ComplaintOutcome.ACCEPTED),
        partially_accepted=sum(1 for *_, outcome in answered if outcome is ComplaintOutcome.PARTIAL),
        rejected=sum(1 for *_, outcome in answered if outcome is ComplaintOutcome.REJECTED),
    )


def report_years(*, session: Session, tenant_id: int, today: dt.date) -> list[int]:
    """The years with complaints, and the current one, newest first."""
    first = session.exec(select(sa.func.min(Complaint.received_on)).where(Complaint.tenant_id == tenant_id)).one()
    start = min(first.year, today.year) if first else today.year
    return list(range(today.year, start - 1, -1))
