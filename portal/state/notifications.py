"""The bell in the header: unread count and the latest notices, refreshed on every page load
and every half minute."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.db import session_scope
from portal.models import UserAccount
from portal.models.enums import NotificationKind
from portal.services import clock
from portal.services.notifications import Notice, mark_all_read, mark_read, notice_by_id, notices, unread_count
from portal.state.session import SessionState

BELL_SIZE = 5
KIND_ICONS = {NotificationKind.BROADCAST: "megaphone", NotificationKind.REQUEST: "message-square-text",
              NotificationKind.DOCUMENT: "receipt-text"}


def notice_link(notice: Notice, operator: bool) -> str:
    if notice.request_code:
        return routes.desk_request_url(notice.request_code) if operator else routes.request_url(notice.request_code)
    if notice.invoice_number:
        return routes.BILLING
    return routes.NOTIFICATIONS


def notice_rows(items: list[Notice], lang: str, operator: bool) -> list[dict[str, str]]:
    now = clock.now()
    return [
        {
            "id": str(notice.notification_id),
            "kind": notice.kind.value,
            "icon": KIND_ICONS[notice.kind],
            "subject": notice.subject,
            "body": notice.body,
            "when": i18n.relative_time(notice.created_at, now, lang),
            "read": "1" if notice.read else "",
            "url": notice_link(notice, operator),
        }
        for notice in items
    ]


class NotificationState(SessionState):
    unread: int = 0
    latest: list[dict[str, str]] = []

    def _reload(self, principal) -> None:
        with session_scope() as db:
            user = db.get(UserAccount, principal.user_id)
            self.unread = unread_count(session=db, user=user)
            items, _ = notices(session=db, user=user, limit=BELL_SIZE, with_total=False)
        self.latest = notice_rows(items, self.lang, principal.is_operator)

    @rx.event
    def refresh(self):
        principal = self._principal(touch=False)
        if principal is None:
            self.unread, self.latest = 0, []
            return
        self._reload(principal)

    @rx.event
    def popover_toggled(self, is_open: bool):
        if is_open:
            return NotificationState.refresh

    @rx.event
    def open_notice(self, notification_id: str):
        """Mark the notice read and open what it is about (a link the server makes, not the browser)."""
        principal = self._principal()
        if principal is None:
            return self._to_login()
        wanted = int(notification_id) if str(notification_id).isdigit() else 0
        with session_scope() as db:
            user = db.get(UserAccount, principal.user_id)
            notice = notice_by_id(session=db, user=user, notification_id=wanted)
            if notice is not None:
                mark_read(session=db, user=user, notification_id=wanted, now=clock.now())
        self._reload(principal)
        return rx.redirect(notice_link(notice, principal.is_operator) if notice else routes.NOTIFICATIONS)

    @rx.event
    def read_all(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        with session_scope() as db:
            mark_all_read(session=db, user=db.get(UserAccount, principal.user_id), now=clock.now())
        self._reload(principal)

    @rx.var
    def bell_label(self) -> str:
        return self._t("notifications.bell", count=self.unread)
