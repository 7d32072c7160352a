"""Giving a customer access: the operator's invitation and the customer's self-registration.

Both end the same way: the customer's main account (username = customer code) gets a random
temporary password by e-mail, and the first login forces a definitive one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import secrets

import sqlalchemy as sa
from sqlmodel import Session, select

from portal import routes
from portal.models import Contract, Customer, Tenant, UserAccount
from portal.models.enums import CustomerKind, Language, UserRole
from portal.services import audit, mail, mail_templates
from portal.services.identity import email_problem, is_pec, normalise_tax_code, tax_code_problem
from portal.services.passwords import hash_password

REGISTRATION_RETRY = dt.timedelta(minutes=60)


class Onboarding(str, enum.Enum):
    SENT = "sent"
    INVALID = "invalid"  # some field is wrong: see field_errors
    MISMATCH = "mismatch"  # the data match no contract of that customer
    ALREADY_ACTIVE = "already_active"  # the account works already: use "Password dimenticata?"
    WAIT = "wait"  # a temporary password was mailed less than 60 minutes ago
    NO_ADDRESS = "no_address"  # (invitation) the customer has no e-mail on file


@dataclasses.dataclass(frozen=True)
class OnboardingResult:
    outcome: Onboarding
    field_errors: dict[str, str] = dataclasses.field(default_factory=dict)
    wait_minutes: int = 0
    username: str = ""


def temporary_password() -> str:
    return secrets.token_urlsafe(12)


def _main_account(session: Session, customer: Customer) -> UserAccount | None:
    return session.exec(
        select(UserAccount).where(UserAccount.customer_id == customer.id, UserAccount.role == UserRole.CUSTOMER)
    ).first()


def _is_activated(user: UserAccount) -> bool:
    return user.password_hash is not None and not user.must_change_password


def _issue_temporary_password(
    *, session: Session, customer: Customer, user: UserAccount | None, email: str, language: Language,
    now: dt.datetime, public_url: str, reason: str,
) -> UserAccount:
    password = temporary_password()
    if user is None:
        user = UserAccount(
            tenant_id=customer.tenant_id, customer_id=customer.id, username=customer.code, role=UserRole.CUSTOMER,
            first_name=customer.first_name or "", last_name=customer.last_name or "", primary_email=email,
            language=language,
        )
    user.primary_email = email
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.temporary_password_sent_at = now
    user.failed_login_count = 0
    user.locked_at = None
    user.is_active = True
    session.add(user)
    session.flush()
    tenant = session.get(Tenant, customer.tenant_id)
    mail.deliver(
        session=session,
        mail=mail_templates.temporary_password(
            tenant=tenant, lang=user.language.value, to=email, name=customer.denominazione, username=user.username,
            password=password, login_url=f"{public_url}{routes.LOGIN}", reason=reason, user_id=user.id,
        ),
    )
    return user


def _wait_left(user: UserAccount, now: dt.datetime) -> int:
    if user.temporary_password_sent_at is None:
        return 0
    left = user.temporary_password_sent_at + REGISTRATION_RETRY - now
    return max(0, -(-int(left.total_seconds()) // 60))


def register(
    *, session: Session, tenant_id: int, contract_number: str, module_number: str, tax_code: str, email: str,
    language: str, now: dt.datetime, public_url: str, client_ip: str = "",
) -> OnboardingResult:
    errors: dict[str, str] = {}
    if not contract_number.strip():
        errors["contract_number"] = "registration.contract_required"
    elif not contract_number.strip().isdigit():
        errors["contract_number"] = "registration.contract_digits"
    if not module_number.strip():
        errors["module_number"] = "registration.module_required"
    if problem := tax_code_problem(tax_code):
        errors["tax_code"] = problem
    if problem := email_problem(email):
        errors["email"] = problem
    if errors:
        return OnboardingResult(Onboarding.INVALID, errors)

    code = normalise_tax_code(tax_code)
    customer = session.exec(
        select(Customer)
        .join(Contract, Contract.customer_id == Customer.id)
        .where(
            Customer.tenant_id == tenant_id,
            Contract.number == contract_number.strip(),
            Contract.module_number == module_number.strip(),
            sa.or_(Customer.codice_fiscale == code, Customer.partita_iva == code),
        )
    ).first()
    if customer is None:
        audit.record(session=session, action="registration.mismatch", tenant_id=tenant_id, client_ip=client_ip)
        return OnboardingResult(Onboarding.MISMATCH)
    address = email.strip()
    if customer.kind is CustomerKind.COMPANY:
        if not is_pec(address):
            return OnboardingResult(Onboarding.INVALID, {"email": "registration.pec_required"})
        if customer.pec and customer.pec.lower() != address.lower():
            return OnboardingResult(Onboarding.INVALID, {"email": "registration.pec_on_file"})
    user = _main_account(session, customer)
    if user is not None and _is_activated(user):
        return OnboardingResult(Onboarding.ALREADY_ACTIVE, username=user.username)
    if user is not None and (minutes := _wait_left(user, now)) > 0:
        return OnboardingResult(Onboarding.WAIT, wait_minutes=minutes)
    user = _issue_temporary_password(
        session=session, customer=customer, user=user, email=address,
        language=Language(language) if language in Language._value2member_map_ else Language.IT,
        now=now, public_url=public_url, reason="registration",
    )
    audit.record(session=session, action="registration.sent", tenant_id=tenant_id, user_id=user.id,
                 customer_id=customer.id, client_ip=client_ip)
    return OnboardingResult(Onboarding.SENT, username=user.username)


def invite(
    *, session: Session, operator: UserAccount, customer_id: int, now: dt.datetime, public_url: str, client_ip: str = ""
) -> OnboardingResult:
    """An operator invites a customer of the operator's own tenant: the invitation goes to the
    customer's PEC (or, for a private person without PEC, to the e-mail on file)."""
    if operator.role is not UserRole.OPERATOR:
        raise PermissionError("only operators invite customers")
    customer = session.get(Customer, customer_id)
    if customer is None or customer.tenant_id != operator.tenant_id:
        raise PermissionError("no such customer for this operator")
    address = customer.pec or customer.email
    if not address:
        return OnboardingResult(Onboarding.NO_ADDRESS)
    user = _main_account(session, customer)
    if user is not None and _is_activated(user):
        return OnboardingResult(Onboarding.ALREADY_ACTIVE, username=user.username)
    user = _issue_temporary_password(
        session=session, customer=customer, user=user, email=address,
        language=user.language if user else Language.IT, now=now, public_url=public_url, reason="invitation",
    )
    audit.record(session=session, action="invitation.sent", tenant_id=operator.tenant_id, user_id=operator.id,
                 customer_id=customer.id, client_ip=client_ip, invited_user=user.username)
    return OnboardingResult(Onboarding.SENT, username=user.username)


@dataclasses.dataclass(frozen=True)
class CustomerAccess:
    customer_id: int
    code: str
    name: str
    address: str
    status: str  # "none", "invited", "active"
    invited_at: dt.datetime | None


def customers_with_access(*, session: Session, tenant_id: int, search: str = "", limit: int = 50) -> list[CustomerAccess]:
    """The operator's customer list with the state of each one's portal access."""
    query = (
        select(Customer, UserAccount)
        .outerjoin(UserAccount, sa.and_(UserAccount.customer_id == Customer.id, UserAccount.role == UserRole.CUSTOMER))
        .where(Customer.tenant_id == tenant_id)
    )
    term = search.strip()
    if term:
        pattern = f"%{term.lower()}%"
        query = query.where(sa.or_(sa.func.lower(Customer.denominazione).like(pattern), Customer.code.like(f"{term}%"),
                                   Customer.codice_fiscale == term.upper(), Customer.partita_iva == term))
    rows = session.exec(query.order_by(Customer.denominazione).limit(limit)).all()
    result = []
    for customer, user in rows:
        if user is None:
            status = "none"
        elif _is_activated(user):
            status = "active"
        else:
            status = "invited"
        result.append(CustomerAccess(
            customer_id=customer.id, code=customer.code, name=customer.denominazione,
            address=customer.pec or customer.email or "", status=status,
            invited_at=user.temporary_password_sent_at if user else None,
        ))
    return result
