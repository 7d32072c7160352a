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
from sqlmodel import Session, col, select

from portal import routes
from portal.models import Contract, Customer, UserAccount
from portal.models.enums import CustomerKind, Language, UserRole
from portal.services.access.passwords import hash_password
from portal.services.common import audit, mail, mail_templates
from portal.services.common.identity import email_problem, is_pec, normalise_tax_code, tax_code_problem

REGISTRATION_RETRY = dt.timedelta(minutes=60)


class Onboarding(enum.StrEnum):
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


def _new_main_account(customer: Customer, email: str, language: Language) -> UserAccount:
    return UserAccount(
        tenant_id=customer.tenant_id,
        customer_id=customer.id,
        username=customer.code,
        role=UserRole.CUSTOMER,
        first_name=customer.first_name or "",
        last_name=customer.last_name or "",
        primary_email=email,
        language=language,
    )


def _issue_temporary_password(
    session: Session, customer: Customer, user: UserAccount, *, now: dt.datetime, public_url: str, reason: str
) -> None:
    """A random temporary password, mailed to the account's address; the first login then asks
    for a definitive one. The account is unlocked and active again."""
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.temporary_password_sent_at = now
    user.failed_login_count = 0
    user.locked_at = None
    user.is_active = True
    session.add(user)
    session.flush()
    mail_temporary_password(
        session=session, user=user, password=password, name=customer.denominazione, public_url=public_url, reason=reason
    )


def mail_temporary_password(
    *,
    session: Session,
    user: UserAccount,
    password: str,
    name: str,
    public_url: str,
    reason: str,
    inviter: str = "",
    customer_name: str = "",
) -> None:
    """The e-mail that gives an account its temporary password, at its primary address (`reason`
    and `inviter` as mail_templates.temporary_password takes them)."""
    recipient = mail_templates.recipient_of(session=session, user=user, name=name)
    message = mail_templates.temporary_password(
        recipient,
        username=user.username,
        password=password,
        login_url=f"{public_url}{routes.LOGIN}",
        reason=reason,
        inviter=inviter,
        customer_name=customer_name,
    )
    mail.deliver(session=session, mail=message)


def _wait_left(user: UserAccount, now: dt.datetime) -> int:
    if user.temporary_password_sent_at is None:
        return 0
    left = user.temporary_password_sent_at + REGISTRATION_RETRY - now
    return max(0, -(-int(left.total_seconds()) // 60))


def _registration_errors(*, contract_number: str, module_number: str, tax_code: str, email: str) -> dict[str, str]:
    """What is wrong with the registration form, field by field (catalogue keys)."""
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
    return errors


def _customer_of_contract(
    session: Session, *, tenant_id: int, contract_number: str, module_number: str, tax_code: str
) -> Customer | None:
    """The customer whose contract and codice fiscale (or partita IVA) the visitor typed."""
    code = normalise_tax_code(tax_code)
    return session.exec(
        select(Customer)
        .join(Contract, col(Contract.customer_id) == col(Customer.id))
        .where(
            Customer.tenant_id == tenant_id,
            Contract.number == contract_number.strip(),
            Contract.module_number == module_number.strip(),
            sa.or_(col(Customer.codice_fiscale) == code, col(Customer.partita_iva) == code),
        )
    ).first()


def _address_problem(customer: Customer, address: str) -> str | None:
    """A company registers with its PEC, the one on file when there is one."""
    if customer.kind is CustomerKind.COMPANY:
        if not is_pec(address):
            return "registration.pec_required"
        if customer.pec and customer.pec.lower() != address.lower():
            return "registration.pec_on_file"
    return None


def _give_access(
    *,
    session: Session,
    customer: Customer,
    email: str,
    language: Language,
    now: dt.datetime,
    public_url: str,
    client_ip: str,
    operator: UserAccount | None = None,
) -> OnboardingResult:
    """The end both ways share: a temporary password for the customer's main account, unless it
    works already. A customer registering waits an hour between two; an operator's invitation
    does not. `language` is for a new account (an existing one keeps its own)."""
    user = _main_account(session, customer)
    if user is not None and _is_activated(user):
        return OnboardingResult(Onboarding.ALREADY_ACTIVE, username=user.username)
    if operator is None and user is not None and (minutes := _wait_left(user, now)) > 0:
        return OnboardingResult(Onboarding.WAIT, wait_minutes=minutes)
    if user is None:
        user = _new_main_account(customer, email, language)
    user.primary_email = email
    reason = "registration" if operator is None else "invitation"
    _issue_temporary_password(session, customer, user, now=now, public_url=public_url, reason=reason)
    audit.record(
        session=session,
        action=f"{reason}.sent",
        tenant_id=customer.tenant_id,
        user_id=user.id if operator is None else operator.id,  # who acted
        customer_id=customer.id,
        client_ip=client_ip,
        **({} if operator is None else {"invited_user": user.username}),
    )
    return OnboardingResult(Onboarding.SENT, username=user.username)


def register(
    *,
    session: Session,
    tenant_id: int,
    contract_number: str,
    module_number: str,
    tax_code: str,
    email: str,
    language: str,
    now: dt.datetime,
    public_url: str,
    client_ip: str = "",
) -> OnboardingResult:
    errors = _registration_errors(
        contract_number=contract_number, module_number=module_number, tax_code=tax_code, email=email
    )
    if errors:
        return OnboardingResult(Onboarding.INVALID, errors)
    customer = _customer_of_contract(
        session, tenant_id=tenant_id, contract_number=contract_number, module_number=module_number, tax_code=tax_code
    )
    if customer is None:
        audit.record(session=session, action="registration.mismatch", tenant_id=tenant_id, client_ip=client_ip)
        return OnboardingResult(Onboarding.MISMATCH)
    address = email.strip()
    if problem := _address_problem(customer, address):
        return OnboardingResult(Onboarding.INVALID, {"email": problem})
    return _give_access(
        session=session,
        customer=customer,
        email=address,
        language=Language.parse(language) or Language.IT,
        now=now,
        public_url=public_url,
        client_ip=client_ip,
    )


def invite(
    *, session: Session, operator_id: int, customer_id: int, now: dt.datetime, public_url: str, client_ip: str = ""
) -> OnboardingResult:
    """An operator invites a customer of the operator's own tenant: the invitation goes to the
    customer's PEC (or, for a private person without PEC, to the e-mail on file)."""
    operator = session.get(UserAccount, operator_id)
    if operator is None or operator.role is not UserRole.OPERATOR:
        raise PermissionError("only operators invite customers")
    customer = session.get(Customer, customer_id)
    if customer is None or customer.tenant_id != operator.tenant_id:
        raise PermissionError("no such customer for this operator")
    address = customer.pec or customer.email
    if not address:
        return OnboardingResult(Onboarding.NO_ADDRESS)
    return _give_access(
        session=session,
        customer=customer,
        email=address,
        language=Language.IT,
        now=now,
        public_url=public_url,
        client_ip=client_ip,
        operator=operator,
    )


@dataclasses.dataclass(frozen=True)
class CustomerAccess:
    customer_id: int
    code: str
    name: str
    address: str
    status: str  # "none", "invited", "active"
    invited_at: dt.datetime | None


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
    result = []
    for customer, user in rows:
        if user is None:
            status = "none"
        elif _is_activated(user):
            status = "active"
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
            )
        )
    return result
