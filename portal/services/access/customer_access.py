"""The service desk's list of customers with the state of each one's portal access: none,
requested (a registration waits for the desk to verify it), invited, active."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.models import Customer, RegistrationRequest, UserAccount
from portal.models.enums import UserRole
from portal.services.access.onboarding import is_activated


@dataclasses.dataclass(frozen=True)
class CustomerAccess:
    customer_id: int
    code: str
    name: str
    address: str
    status: str  # "none", "requested", "invited", "active"
    invited_at: dt.datetime | None
    request_id: int | None = None  # the oldest pending registration request, for the desk to verify
    requested_email: str = ""  # the address typed in it (not yet on file)


def customers_with_access(
    *, session: Session, tenant_id: int, search: str = "", limit: int = 50
) -> list[CustomerAccess]:
    """The operator's customer list with the state of each one's portal access."""
    query = (
        select(Customer, UserAccount)
        .outerjoin(
            UserAccount,
            sa.and_(col(UserAccount.customer_id) == col(Customer.id), col(UserAccount.role) == UserRole.CUSTOMER),
        )
        .where(Customer.tenant_id == tenant_id)
    )
    term = search.strip()
    if term:
        pattern = f"%{term.lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Customer.denominazione).like(pattern),
                col(Customer.code).like(f"{term}%"),
                col(Customer.codice_fiscale) == term.upper(),
                col(Customer.partita_iva) == term,
            )
        )
    rows = session.exec(query.order_by(col(Customer.denominazione)).limit(limit)).all()
    requests = _pending_requests(session, [customer.id for customer, _ in rows])
    result = []
    for customer, user in rows:
        request = requests.get(customer.id)
        if user is not None and is_activated(user):
            status = "active"
        elif request is not None:
            status = "requested"
        elif user is None:
            status = "none"
        else:
            status = "invited"
        result.append(
            CustomerAccess(
                customer_id=customer.id,
                code=customer.code,
                name=customer.denominazione,
                address=customer.pec or customer.email or "",
                status=status,
                invited_at=user.temporary_password_sent_at if user else None,
                request_id=request.id if request and status == "requested" else None,
                requested_email=request.email if request and status == "requested" else "",
            )
        )
    return result


def _pending_requests(session: Session, customer_ids: list[int]) -> dict[int, RegistrationRequest]:
    """The oldest pending registration request of each of these customers."""
    if not customer_ids:
        return {}
    rows = session.exec(
        select(RegistrationRequest)
        .where(col(RegistrationRequest.customer_id).in_(customer_ids), col(RegistrationRequest.handled_at).is_(None))
        .order_by(col(RegistrationRequest.id).desc())
    ).all()
    return {row.customer_id: row for row in rows}
