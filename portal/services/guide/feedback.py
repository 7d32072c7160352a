"""The accessibility statement's feedback mechanism (European Accessibility Act): anyone, signed in
or not, reports a problem; the report is mailed (through the outbox) to the company's accessibility
contact (`accessibility_email` in the tenant file, the support address by default). Limited per
client address and per reporter's address like the other public forms (throttle
"accessibility_feedback"); a refused report sends nothing."""

from __future__ import annotations

import datetime as dt
import enum

from sqlmodel import Session, select

from portal import i18n
from portal.models import Tenant
from portal.services.common import audit, mail, mail_templates, throttle
from portal.services.common.branding import load_branding
from portal.services.common.identity import email_problem

NAME_MAX = 120
PAGE_MAX = 300
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 4000


class Feedback(enum.StrEnum):
    SENT = "sent"
    THROTTLED = "throttled"


def feedback_problems(*, name: str, email: str, page: str, description: str) -> dict[str, str]:
    """Each field's problem as a catalogue key; empty when the report may be sent."""
    problems = {}
    if len(name.strip()) > NAME_MAX:
        problems["name"] = "accessibility.name_too_long"
    if problem := email_problem(email):
        problems["email"] = problem
    if len(page.strip()) > PAGE_MAX:
        problems["page"] = "accessibility.page_too_long"
    text = description.strip()
    if not text:
        problems["description"] = "accessibility.description_required"
    elif len(text) < DESCRIPTION_MIN:
        problems["description"] = "accessibility.description_short"
    elif len(text) > DESCRIPTION_MAX:
        problems["description"] = "accessibility.description_too_long"
    return problems


def send_feedback(
    *,
    session: Session,
    tenant_slug: str,
    name: str,
    email: str,
    page: str,
    description: str,
    lang: str,
    now: dt.datetime,
    client_ip: str = "",
) -> Feedback:
    """Mail a checked report (feedback_problems found nothing) to the accessibility contact."""
    address = email.strip()
    if not throttle.allow("accessibility_feedback", client=client_ip, subject=address):
        audit.record(session=session, action="accessibility.feedback_throttled", client_ip=client_ip)
        return Feedback.THROTTLED
    tenant = session.exec(select(Tenant).where(Tenant.slug == tenant_slug)).one()
    contact = load_branding(tenant_slug).accessibility_email
    staff = i18n.DEFAULT_LANGUAGE
    recipient = mail_templates.Recipient(
        tenant=tenant, lang=staff, to=contact, name=i18n.translate(staff, "mail.accessibility.to")
    )
    message = mail_templates.accessibility_feedback(
        recipient,
        name=name.strip(),
        email=address,
        page=page.strip(),
        description=description.strip(),
        reporter_lang=i18n.language_or_default(lang),
        received=now,
    )
    mail.enqueue(session=session, mail=message)
    audit.record(session=session, action="accessibility.feedback_sent", tenant_id=tenant.id, client_ip=client_ip)
    return Feedback.SENT
