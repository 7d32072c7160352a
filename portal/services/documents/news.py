"""Who is told about a document or an ask, and how: a bell notice and an e-mail (primary address,
plus the secondary one when set) for every account of the customer that may see the contract
(as invoice publication chooses them: services/access/scope.readers_of)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session

from portal import i18n, routes
from portal.models import Notification
from portal.models.enums import NotificationKind
from portal.services.access.scope import readers_of
from portal.services.common import mail, mail_templates


def tell_readers(
    *,
    session: Session,
    tenant_id: int,
    customer_id: int,
    contract_id: int | None,
    event: str,
    params: Callable[[str], dict[str, object]],
    now: dt.datetime,
    public_url: str,
) -> int:
    """The bell notice "docs.news.<event>.title" / ".body" and the e-mail of the same words, to each
    reader, in their language (`params(lang)` gives the formatted values); how many were told."""
    told = 0
    for user in readers_of(session=session, customer_id=customer_id, contract_id=contract_id):
        lang = user.language.value
        values = params(lang)
        title = i18n.translate(lang, f"docs.news.{event}.title", **values)
        body = i18n.translate(lang, f"docs.news.{event}.body", **values)
        session.add(
            Notification(
                tenant_id=tenant_id,
                kind=NotificationKind.DOCUMENT_AREA,
                user_id=user.id,
                title=title[:200],
                body=body[:2000],
                created_at=now,
            )
        )
        addresses = [user.primary_email] + ([user.secondary_email] if user.secondary_email else [])
        for address in addresses:
            recipient = mail_templates.recipient_of(session=session, user=user, to=address)
            mail.enqueue(
                session=session,
                mail=mail_templates.document_news(
                    recipient,
                    kind=f"document.{event}",
                    subject_key=f"docs.news.{event}.subject",
                    text=body,
                    link=f"{public_url}{routes.DOCUMENTS}",
                ),
            )
        told += 1
    return told
