"""The bell in the header: unread count and the latest notices, refreshed on every page load
and every half minute."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal import i18n, routes
from portal.db import session_scope
from portal.models.enums import NotificationKind
from portal.services.access.accounts import Principal, account_of
from portal.services.common import clock
from portal.services.requests.bell import Notice, mark_all_read, mark_read, notice_by_id, notices, unread_count
from portal.state.session import SIGNED_IN, SessionState, guard

BELL_SIZE = 5
KIND_ICONS = {
    NotificationKind.BROADCAST: "megaphone",
    NotificationKind.REQUEST: "message-square-text",
    NotificationKind.DOCUMENT: "receipt-text",
    NotificationKind.DOCUMENT_AREA: "folder-open",
    NotificationKind.COMPLAINT: "message-square-warning",
    NotificationKind.DATA_EXPORT: "download",
}


@dataclasses.dataclass(frozen=True)
class NoticeRow:
    notification_id: int
    kind: str
    icon: str
    subject: str
    body: str
    when: str
    read: bool
    url: str


def notice_link(notice: Notice, operator: bool) -> str:
    if notice.request_code:
        return routes.desk_request_url(notice.request_code) if operator else routes.request_url(notice.request_code)
    if notice.invoice_number:
        return routes.BILLING
    if notice.kind is NotificationKind.DOCUMENT_AREA and not operator:  # the document area's news (issue 15)
        return routes.DOCUMENTS
    if notice.kind is NotificationKind.COMPLAINT and not operator:
        # the notice's title starts with the complaint's code (services/complaints/filing.py)
        code = notice.subject.split(" ", 1)[0]
        return routes.complaint_url(code) if code.startswith("REC-") else routes.COMPLAINTS
    if notice.kind is NotificationKind.DATA_EXPORT:
        return routes.MY_DATA
    return routes.NOTIFICATIONS


def notice_rows(items: list[Notice], lang: str, operator: bool) -> list[NoticeRow]:
    now = clock.now()
    return [
        NoticeRow(
            notification_id=notice.notification_id,
            kind=notice.kind.value,
            icon=KIND_ICONS[notice.kind],
            subject=notice.subject,
            body=notice.body,
            when=i18n.relative_time(notice.created_at, now, lang),
            read=notice.read,
            url=notice_link(notice, operator),
        )
        for notice in items
    ]


def notice_id(value: str | int) -> int:
    """A notice id the browser sent (0 when it is not a number: no notice has it)."""
    return int(value) if str(value).isdigit() else 0


class NotificationState(SessionState):
    unread: rx.Field[int] = rx.field(0)
    latest: rx.Field[list[NoticeRow]] = rx.field(default_factory=list)

    def _reload(self, principal: Principal) -> None:
        with session_scope() as db:
            user = account_of(session=db, principal=principal)
            self.unread = unread_count(session=db, user=user)
            items, _ = notices(session=db, user=user, limit=BELL_SIZE, with_total=False)
        self.latest = notice_rows(items, self.lang, principal.is_operator)

    def _forget(self) -> None:
        self.unread, self.latest = 0, []

    @rx.event
    @guard(SIGNED_IN, touch=False, signed_out=lambda state: state._forget())
    def refresh(self, principal: Principal):
        """Every page's load and a timer call this, public pages too: a visitor just has no notices."""
        self._reload(principal)

    @rx.event
    @guard(SIGNED_IN)
    def popover_toggled(self, principal: Principal, is_open: bool):
        if is_open:
            self._reload(principal)

    @rx.event
    @guard(SIGNED_IN)
    def open_notice(self, principal: Principal, notification_id: str):
        """Mark the notice read and open what it is about (a link the server makes, not the browser)."""
        wanted = notice_id(notification_id)
        with session_scope() as db:
            user = account_of(session=db, principal=principal)
            notice = notice_by_id(session=db, user=user, notification_id=wanted)
            if notice is not None:
                mark_read(session=db, user=user, notification_id=wanted, now=clock.now())
        self._reload(principal)
        return rx.redirect(notice_link(notice, principal.is_operator) if notice else routes.NOTIFICATIONS)

    @rx.event
    @guard(SIGNED_IN)
    def read_all(self, principal: Principal):
        with session_scope() as db:
            mark_all_read(session=db, user=account_of(session=db, principal=principal), now=clock.now())
        self._reload(principal)

    @rx.var
    def bell_label(self) -> str:
        return self._t("notifications.bell", count=self.unread)
