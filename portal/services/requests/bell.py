"""The bell: what a user has been told (their own notices and the leasing company's broadcasts),
what is unread, and marking as read."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from portal.models import Invoice, Notification, NotificationRead, ServiceRequest, Tenant, UserAccount
from portal.models.enums import NotificationKind, UserRole
from portal.services.access.scope import scope_of

TITLE_LIMIT = 60


@dataclasses.dataclass(frozen=True)
class Notice:
    notification_id: int
    kind: NotificationKind
    subject: str  # "<Tenant> – Titolo", "<codice richiesta> – Titolo", or the document's title
    body: str
    created_at: dt.datetime
    read: bool
    request_code: str | None
    invoice_number: str | None


def shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _still_readable(session: Session, user: UserAccount) -> sa.ColumnElement[bool]:
    """A notice about a request or an invoice stays readable only while the user may read that
    request or invoice now: a sub-user who lost a contract no longer reads its news."""
    scope = scope_of(session=session, user=user)
    if scope is None:
        return sa.false()
    if scope.contract_ids is None:
        return sa.true()
    granted = sorted(scope.contract_ids)
    # aliases: the notice queries join ServiceRequest and Invoice themselves
    request, invoice = aliased(ServiceRequest), aliased(Invoice)
    request_readable = sa.exists().where(
        col(request.id) == col(Notification.request_id),
        col(request.customer_id) == scope.customer_id,
        sa.or_(col(request.created_by_id) == user.id, col(request.contract_id).in_(granted)),
    )
    invoice_readable = sa.exists().where(
        col(invoice.id) == col(Notification.invoice_id),
        col(invoice.customer_id) == scope.customer_id,
        col(invoice.contract_id).in_(granted),
    )
    about_nothing = sa.and_(col(Notification.request_id).is_(None), col(Notification.invoice_id).is_(None))
    return sa.or_(about_nothing, request_readable, invoice_readable)


def _visible(session: Session, user: UserAccount) -> sa.ColumnElement[bool]:
    """A user's own notices (for customer accounts, those about what they may still read), and for
    customer accounts the broadcasts since they joined."""
    own = col(Notification.user_id) == user.id
    if user.role is UserRole.OPERATOR:
        return own
    own = sa.and_(own, _still_readable(session, user))
    broadcast = sa.and_(
        col(Notification.user_id).is_(None),
        col(Notification.kind) == NotificationKind.BROADCAST,
        col(Notification.tenant_id) == user.tenant_id,
    )
    return sa.or_(own, broadcast)


def unread_count(*, session: Session, user: UserAccount) -> int:
    read = select(NotificationRead.notification_id).where(NotificationRead.user_id == user.id)
    return int(
        session.exec(
            select(sa.func.count(col(Notification.id))).where(
                _visible(session, user), col(Notification.id).not_in(read)
            )
        ).one()
    )


def _notice_query(session: Session, user: UserAccount):
    return (
        select(Notification, NotificationRead.id, ServiceRequest.code, Invoice.number)
        .outerjoin(
            NotificationRead,
            sa.and_(col(NotificationRead.notification_id) == Notification.id, col(NotificationRead.user_id) == user.id),
        )
        .outerjoin(ServiceRequest, col(ServiceRequest.id) == Notification.request_id)
        .outerjoin(Invoice, col(Invoice.id) == Notification.invoice_id)
        .where(_visible(session, user))
    )


def _as_notices(session: Session, user: UserAccount, rows) -> list[Notice]:
    tenant_name = None
    result = []
    for notification, read_id, code, number in rows:
        if notification.kind is NotificationKind.BROADCAST:
            tenant_name = tenant_name or session.exec(select(Tenant.name).where(Tenant.id == user.tenant_id)).one()
            subject = f"{tenant_name} – {notification.title}"
        elif notification.kind is NotificationKind.REQUEST and code:
            subject = f"{code} – {notification.title}"
        else:
            subject = notification.title
        result.append(
            Notice(
                notification.id,
                notification.kind,
                shorten(subject),
                notification.body,
                notification.created_at,
                read_id is not None,
                code,
                number,
            )
        )
    return result


def notices(
    *, session: Session, user: UserAccount, offset: int = 0, limit: int = 5, with_total: bool = True
) -> tuple[list[Notice], int | None]:
    """Newest first, with each one's subject in the portal's two formats, and how many there are
    in all (None when not asked for: the bell needs only the latest)."""
    query = _notice_query(session, user)
    total = int(session.exec(select(sa.func.count()).select_from(query.subquery())).one()) if with_total else None
    rows = session.exec(
        query.order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .offset(max(0, offset))
        .limit(limit)
    ).all()
    return _as_notices(session, user, rows), total


def notice_by_id(*, session: Session, user: UserAccount, notification_id: int) -> Notice | None:
    """One of the user's notices; None for someone else's."""
    rows = session.exec(_notice_query(session, user).where(Notification.id == notification_id)).all()
    found = _as_notices(session, user, rows)
    return found[0] if found else None


def mark_read(*, session: Session, user: UserAccount, notification_id: int, now: dt.datetime) -> bool:
    """Mark one of the user's notices read; someone else's notice is left alone."""
    visible = session.exec(
        select(Notification.id).where(Notification.id == notification_id, _visible(session, user))
    ).first()
    if visible is None:
        return False
    already = session.exec(
        select(NotificationRead.id).where(
            NotificationRead.notification_id == notification_id, NotificationRead.user_id == user.id
        )
    ).first()
    if already is None:
        session.add(NotificationRead(notification_id=notification_id, user_id=user.id, read_at=now))
    return True


def mark_all_read(*, session: Session, user: UserAccount, now: dt.datetime) -> int:
    read = select(NotificationRead.notification_id).where(NotificationRead.user_id == user.id)
    unread = session.exec(
        select(Notification.id).where(_visible(session, user), col(Notification.id).not_in(read))
    ).all()
    session.add_all(
        NotificationRead(notification_id=notification_id, user_id=user.id, read_at=now) for notification_id in unread
    )
    return len(unread)
