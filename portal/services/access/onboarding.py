"""Giving a customer access: the customer's self-registration, and what it shares with the
operator's invitation (invitations.py).

Both end the same way: the customer's main account (username = customer code) gets a random
temporary password by e-mail, at an address the leasing company has on file (never one a visitor
typed), and the first login forces a definitive one. A registration for a customer without an
address on file becomes a request to the service desk, which verifies the person and invites.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import secrets

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal import routes
from portal.models import Contract, Customer, RegistrationRequest, UserAccount
from portal.models.enums import CustomerKind, Language, UserRole
from portal.services.access.passwords import hash_password
from portal.services.common import audit, mail, mail_templates, throttle
from portal.services.common.identity import (
    contract_identity_problems,
    email_problem,
    normalise_tax_code,
)

REGISTRATION_RETRY = dt.timedelta(minutes=60)


class Onboarding(enum.StrEnum):
    SENT = "sent"
    INVALID = "invalid"  # some field is wrong: see field_errors
    MISMATCH = "mismatch"  # the data match no contract of that customer
    ALREADY_ACTIVE = "already_active"  # the account works already: use "Password dimenticata?"
    WAIT = "wait"  # a temporary password was mailed less than 60 minutes ago
    REQUESTED = "requested"  # (registration) no address on file: the service desk was asked
    THROTTLED = "throttled"  # (registration) too many attempts from this client or for this contract
    NO_ADDRESS = "no_address"  # (invitation) the customer has no e-mail on file


# What a registrant may be told: only a wrong field. Every other outcome gets the same answer on
# the page, so that contract data printed on an invoice tell nobody whether an account exists.
SILENT_OUTCOMES = frozenset(Onboarding) - {Onboarding.INVALID}


@dataclasses.dataclass(frozen=True)
class OnboardingResult:
    outcome: Onboarding
    field_errors: dict[str, str] = dataclasses.field(default_factory=dict)
    wait_minutes: int = 0
    username: str = ""


def temporary_password() -> str:
    return secrets.token_urlsafe(12)


def address_on_file(customer: Customer) -> str | None:
    """Where the leasing company itself writes to the customer: the PEC of a company, the PEC or
    e-mail of a private person. A registrant's typed address never receives credentials."""
    if customer.kind is CustomerKind.COMPANY:
        return customer.pec or None
    return customer.pec or customer.email or None


def _main_account(session: Session, customer: Customer) -> UserAccount | None:
    # Locked so two workers answering two registrations cannot both issue a password.
    return session.exec(
        select(UserAccount)
        .where(UserAccount.customer_id == customer.id, UserAccount.role == UserRole.CUSTOMER)
        .with_for_update()
    ).first()


def is_activated(user: UserAccount) -> bool:
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
    session: Session,
    customer: Customer,
    user: UserAccount,
    *,
    now: dt.datetime,
    public_url: str,
    reason: str,
    to: str | None = None,
) -> None:
    """A random temporary password, mailed to `to` (default: the account's address); the first
    login then asks for a definitive one. The account is unlocked and active again."""
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
        session=session,
        user=user,
        password=password,
        name=customer.denominazione,
        public_url=public_url,
        reason=reason,
        to=to,
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
    to: str | None = None,
) -> None:
    """The e-mail that gives an account its temporary password, at its primary address unless `to`
    says otherwise (`reason` and `inviter` as mail_templates.temporary_password takes them)."""
    recipient = mail_templates.recipient_of(session=session, user=user, name=name, to=to)
    message = mail_templates.temporary_password(
        recipient,
        username=user.username,
        password=password,
        login_url=f"{public_url}{routes.LOGIN}",
        reason=reason,
        inviter=inviter,
        customer_name=customer_name,
    )
    mail.enqueue(session=session, mail=message)


def _minutes(delta: dt.timedelta) -> int:
    return max(0, -(-int(delta.total_seconds()) // 60))


def _wait_left(user: UserAccount, now: dt.datetime) -> int:
    if user.temporary_password_sent_at is None:
        return 0
    return _minutes(user.temporary_password_sent_at + REGISTRATION_RETRY - now)


def _registration_errors(*, contract_number: str, module_number: str, tax_code: str, email: str) -> dict[str, str]:
    """What is wrong with the registration form, field by field (catalogue keys). Only the form of
    each value: nothing here depends on whom the data belong to."""
    errors = contract_identity_problems(contract_number=contract_number, module_number=module_number, tax_code=tax_code)
    if problem := email_problem(email):
        errors["email"] = problem
    return errors


def _contract_of(
    session: Session, *, tenant_id: int, contract_number: str, module_number: str, tax_code: str
) -> tuple[Customer, Contract] | None:
    """The customer (and contract) whose contract and codice fiscale (or partita IVA) the visitor typed."""
    code = normalise_tax_code(tax_code)
    row = session.exec(
        select(Customer, Contract)
        .join(Contract, col(Contract.customer_id) == col(Customer.id))
        .where(
            Customer.tenant_id == tenant_id,
            Contract.number == contract_number.strip(),
            Contract.module_number == module_number.strip(),
            sa.or_(col(Customer.codice_fiscale) == code, col(Customer.partita_iva) == code),
        )
    ).first()
    return None if row is None else (row[0], row[1])


def _spend_like_a_password() -> None:
    """The work of issuing a password (one argon2 hash), done on the paths that issue none, so the
    answer takes comparable time whatever happened."""
    hash_password(temporary_password())


def give_access(
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
    does not. `email` is where the password goes: always an address on file; a new account takes
    it as its primary address, an existing one keeps its own (and its language)."""
    user = _main_account(session, customer)
    if user is not None and is_activated(user):
        return OnboardingResult(Onboarding.ALREADY_ACTIVE, username=user.username)
    if operator is None and user is not None and (minutes := _wait_left(user, now)) > 0:
        return OnboardingResult(Onboarding.WAIT, wait_minutes=minutes)
    if user is None:
        user = _new_main_account(customer, email, language)
        try:
            with session.begin_nested():  # two registrations at once: the second finds the first's
                session.add(user)
        except IntegrityError:
            return OnboardingResult(Onboarding.WAIT, wait_minutes=_minutes(REGISTRATION_RETRY))
    elif operator is not None:
        user.primary_email = email  # the operator's invitation goes to, and sets, the address on file
    reason = "registration" if operator is None else "invitation"
    _issue_temporary_password(session, customer, user, now=now, public_url=public_url, reason=reason, to=email)
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


def _ask_the_desk(
    session: Session, *, customer: Customer, contract: Contract, email: str, language: Language, client_ip: str
) -> None:
    """No address on file: the service desk verifies the person and invites (operator_customers)."""
    pending = session.exec(
        select(RegistrationRequest).where(
            RegistrationRequest.customer_id == customer.id,
            col(RegistrationRequest.handled_at).is_(None),
            sa.func.lower(RegistrationRequest.email) == email.lower(),
        )
    ).first()
    if pending is None:
        session.add(
            RegistrationRequest(
                tenant_id=customer.tenant_id,
                customer_id=customer.id,
                contract_id=contract.id,
                email=email[:200],
                language=language,
                client_ip=client_ip[:64],
            )
        )
    audit.record(
        session=session,
        action="registration.requested",
        tenant_id=customer.tenant_id,
        customer_id=customer.id,
        client_ip=client_ip,
    )


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
    """A visitor asks for access with the contract data. The temporary password goes only to the
    address on file; without one the request goes to the service desk. Attempts are limited per
    client and per contract (throttle "registration")."""
    errors = _registration_errors(
        contract_number=contract_number, module_number=module_number, tax_code=tax_code, email=email
    )
    if errors:
        return OnboardingResult(Onboarding.INVALID, errors)
    contract_key = f"{tenant_id}:{contract_number.strip()}"
    if not throttle.allow("registration", client=client_ip, subject=contract_key):
        audit.record(session=session, action="registration.throttled", tenant_id=tenant_id, client_ip=client_ip)
        _spend_like_a_password()
        return OnboardingResult(Onboarding.THROTTLED)
    found = _contract_of(
        session, tenant_id=tenant_id, contract_number=contract_number, module_number=module_number, tax_code=tax_code
    )
    if found is None:
        audit.record(session=session, action="registration.mismatch", tenant_id=tenant_id, client_ip=client_ip)
        _spend_like_a_password()
        return OnboardingResult(Onboarding.MISMATCH)
    customer, contract = found
    lang = Language.parse(language) or Language.IT
    address = address_on_file(customer)
    if address is None:
        user = _main_account(session, customer)
        if user is not None and is_activated(user):
            _spend_like_a_password()
            return OnboardingResult(Onboarding.ALREADY_ACTIVE)
        _ask_the_desk(
            session, customer=customer, contract=contract, email=email.strip(), language=lang, client_ip=client_ip
        )
        _spend_like_a_password()
        return OnboardingResult(Onboarding.REQUESTED)
    result = give_access(
        session=session,
        customer=customer,
        email=address,
        language=lang,
        now=now,
        public_url=public_url,
        client_ip=client_ip,
    )
    if result.outcome is not Onboarding.SENT:
        _spend_like_a_password()
    return result
