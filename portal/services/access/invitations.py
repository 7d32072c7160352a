"""The service desk invites a customer: at the address on file, or at the address of a registration
request once the desk has verified it is the customer's. Either way the customer's pending
registration requests are answered by the invitation."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from portal.models import Customer, RegistrationRequest, UserAccount
from portal.models.enums import CustomerKind, Language, UserRole
from portal.services.access.onboarding import Onboarding, OnboardingResult, address_on_file, give_access
from portal.services.common import audit


def _operator(session: Session, operator_id: int) -> UserAccount:
    operator = session.get(UserAccount, operator_id)
    if operator is None or operator.role is not UserRole.OPERATOR:
        raise PermissionError("only operators invite customers")
    return operator


def invite(
    *, session: Session, operator_id: int, customer_id: int, now: dt.datetime, public_url: str, client_ip: str = ""
) -> OnboardingResult:
    """An operator invites a customer of the operator's own tenant: the invitation goes to the
    customer's PEC (or, for a private person without PEC, to the e-mail on file). Pending
    registration requests of the customer are answered by it."""
    operator = _operator(session, operator_id)
    customer = session.get(Customer, customer_id)
    if customer is None or customer.tenant_id != operator.tenant_id:
        raise PermissionError("no such customer for this operator")
    address = customer.pec or customer.email
    if not address:
        return OnboardingResult(Onboarding.NO_ADDRESS)
    result = give_access(
        session=session,
        customer=customer,
        email=address,
        language=Language.IT,
        now=now,
        public_url=public_url,
        client_ip=client_ip,
        operator=operator,
    )
    if result.outcome in {Onboarding.SENT, Onboarding.ALREADY_ACTIVE}:
        _close_requests(session, customer_id=customer.id, operator=operator, now=now)
    return result


def _close_requests(session: Session, *, customer_id: int, operator: UserAccount, now: dt.datetime) -> None:
    pending = select(RegistrationRequest).where(
        RegistrationRequest.customer_id == customer_id, col(RegistrationRequest.handled_at).is_(None)
    )
    for request in session.exec(pending).all():
        request.handled_at, request.handled_by_id, request.outcome = now, operator.id, "invited"
        session.add(request)


def invite_at_verified_address(
    *,
    session: Session,
    operator_id: int,
    request_id: int,
    now: dt.datetime,
    public_url: str,
    client_ip: str = "",
) -> OnboardingResult:
    """The desk has verified (by phone, by the contract file) that the address of a registration
    request is the customer's: it becomes the address on file (the PEC of a company, the e-mail of
    a private person) and the customer is invited there. Refused when an address is on file already:
    the invitation then goes there, through `invite`."""
    operator = _operator(session, operator_id)
    request = session.get(RegistrationRequest, request_id)
    if request is None or request.tenant_id != operator.tenant_id or request.handled_at is not None:
        raise PermissionError("no such pending registration request for this operator")
    customer = session.get(Customer, request.customer_id)
    if customer is None:
        raise PermissionError("no such customer for this operator")
    if address_on_file(customer) is None:
        if customer.kind is CustomerKind.COMPANY:
            customer.pec = request.email
        else:
            customer.email = request.email
        session.add(customer)
        session.flush()
        audit.record(
            session=session,
            action="customer.address_verified",
            tenant_id=operator.tenant_id,
            user_id=operator.id,
            customer_id=customer.id,
            client_ip=client_ip,
        )
    return invite(
        session=session,
        operator_id=operator_id,
        customer_id=customer.id,
        now=now,
        public_url=public_url,
        client_ip=client_ip,
    )
