"""Profilo utente: language, the two e-mail addresses, paper invoices, the password."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session

from portal.models import Customer, UserAccount
from portal.models.enums import Language, UserRole
from portal.services.access.accounts import fiscal_code_of, set_password
from portal.services.access.passwords import verify_password
from portal.services.access.sessions import close_all_sessions
from portal.services.common import audit, mail, mail_templates
from portal.services.common.identity import contact_problems

# The catalogue key of the refusal that opens the re-authentication dialog.
REAUTH_REQUIRED = "reauth.required"


@dataclasses.dataclass(frozen=True)
class ProfileView:
    denominazione: str
    username: str
    first_name: str
    last_name: str
    language: str
    primary_email: str
    secondary_email: str
    paper_invoices: bool
    can_choose_paper: bool  # a customer-wide choice: only the main account makes it
    totp_enabled: bool
    enrolment_pending: bool


def profile_of(*, session: Session, user: UserAccount) -> ProfileView:
    customer = session.get(Customer, user.customer_id) if user.customer_id else None
    return ProfileView(
        denominazione=customer.denominazione if customer else user.full_name,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        language=user.language.value,
        primary_email=user.primary_email,
        secondary_email=user.secondary_email or "",
        paper_invoices=bool(customer and customer.paper_invoices),
        can_choose_paper=user.role is UserRole.CUSTOMER and customer is not None,
        totp_enabled=user.totp_secret is not None,
        enrolment_pending=user.totp_pending_secret is not None,
    )


def update_settings(
    *,
    session: Session,
    user: UserAccount,
    language: str,
    primary_email: str,
    secondary_email: str,
    paper_invoices: bool | None,
    client_ip: str = "",
    reauthenticated: bool = False,
) -> dict[str, str]:
    """Save the settings. The primary e-mail receives the login codes and reset links: changing it
    needs a recent re-authentication (`reauthenticated`, from the session row), and the old
    address is told (issue 11)."""
    errors = contact_problems(primary_email=primary_email, secondary_email=secondary_email, language=language)
    if errors:
        return errors
    old_primary = user.primary_email
    if old_primary != primary_email.strip() and not reauthenticated:
        return {"primary_email": REAUTH_REQUIRED}
    changed = []
    if user.language.value != language:
        user.language = Language(language)
        changed.append("language")
    if user.primary_email != primary_email.strip():
        user.primary_email = primary_email.strip()
        changed.append("primary_email")
    secondary = secondary_email.strip() or None
    if user.secondary_email != secondary:
        user.secondary_email = secondary
        changed.append("secondary_email")
    session.add(user)
    if paper_invoices is not None and user.role is UserRole.CUSTOMER and user.customer_id:
        customer = session.get(Customer, user.customer_id)
        if customer is None:
            raise LookupError(f"no customer {user.customer_id} for account {user.id}")
        if customer.paper_invoices != paper_invoices:
            customer.paper_invoices = paper_invoices
            session.add(customer)
            changed.append("paper_invoices")
    if changed:
        audit.record_by(session, "profile.updated", user, client_ip=client_ip, fields=changed)
    if "primary_email" in changed:
        recipient = mail_templates.recipient_of(session=session, user=user, to=old_primary)
        mail.enqueue(
            session=session, mail=mail_templates.primary_email_changed(recipient, new_address=user.primary_email)
        )
    return {}


def change_password(
    *,
    session: Session,
    user: UserAccount,
    current: str,
    new: str,
    now: dt.datetime,
    keep_session_hash: str | None = None,
    client_ip: str = "",
) -> dict[str, str]:
    """A signed-in user changes the password: the current one is needed; other sessions end."""
    if not verify_password(user.password_hash, current):
        return {"current_password": "profile.current_password_wrong"}
    problem = set_password(
        session=session, user=user, new_password=new, now=now, fiscal_code=fiscal_code_of(session, user)
    )
    if problem:
        return {"new_password": problem}
    close_all_sessions(session=session, user_id=user.id, now=now, except_token_hash=keep_session_hash)
    audit.record_by(session, "password.changed", user, client_ip=client_ip)
    return {}
