"""Every notice of the user, newest first, with read and unread marked."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.shell import template
from portal.components.ui import card, empty, loading, pager
from portal.db import session_scope
from portal.models import UserAccount
from portal.services import clock
from portal.services.notifications import mark_all_read, mark_read, notices
from portal.state.i18n import tr
from portal.state.notifications import NotificationState, notice_rows
from portal.state.paging import PagedState

PAGE = 20


class NotificationsPageState(PagedState, NotificationState):
    loaded: bool = False
    _page_size: int = PAGE
    rows: list[dict[str, str]] = []

    def _read_page(self, principal) -> None:
        with session_scope() as db:
            items, total = notices(session=db, user=db.get(UserAccount, principal.user_id), offset=self.offset, limit=PAGE)
        self.rows = notice_rows(items, self.lang, principal.is_operator)
        self.total = total
        self._reload(principal)

    def _show_page(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        self._read_page(principal)
        return None

    @rx.event
    def load(self):
        self.offset = 0
        result = self._show_page()
        self.loaded = True
        return result

    @rx.event
    def mark(self, notification_id: str):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        with session_scope() as db:
            wanted = int(notification_id) if str(notification_id).isdigit() else 0
            mark_read(session=db, user=db.get(UserAccount, principal.user_id), notification_id=wanted, now=clock.now())
        self._read_page(principal)

    @rx.event
    def mark_everything(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        with session_scope() as db:
            mark_all_read(session=db, user=db.get(UserAccount, principal.user_id), now=clock.now())
        self._read_page(principal)


def row(item) -> rx.Component:
    unread = item["read"] == ""
    return rx.box(
        rx.hstack(
            rx.box(rx.icon(item["icon"].to(str), size=18, aria_hidden="true"),
                   rx.cond(unread, rx.box(width="8px", height="8px", border_radius="50%", background="var(--red-9)",
                                          position="absolute", top="-2px", right="-3px")),
                   position="relative"),
            rx.vstack(
                rx.link(item["subject"], href=item["url"], weight=rx.cond(unread, "bold", "regular")),
                rx.cond(item["body"] != "", rx.text(item["body"], size="2", color_scheme="gray")),
                rx.text(item["when"], size="1", color_scheme="gray"),
                spacing="1", align="start", flex="1",
            ),
            rx.cond(unread, rx.button(tr("notifications.mark_read"), size="1", variant="soft",
                                      on_click=NotificationsPageState.mark(item["id"]))),
            spacing="3", align="start", width="100%",
        ),
        padding="0.75rem",
        border_radius="var(--radius-3)",
        background=rx.cond(unread, "var(--accent-a3)", "transparent"),
        class_name="notification-row",
        data_read=item["read"],
        width="100%",
    )


@template(route=routes.NOTIFICATIONS, title_key="notifications.title", on_load=NotificationsPageState.load)
def notifications_page() -> rx.Component:
    state = NotificationsPageState
    return rx.cond(
        state.loaded,
        rx.vstack(
            rx.flex(
                rx.heading(tr("notifications.title"), as_="h1", size="7"),
                rx.button(tr("notifications.read_all"), variant="soft", on_click=state.mark_everything, disabled=state.unread == 0,
                          id="notifications-read-all"),
                justify="between", align="center", width="100%", wrap="wrap", gap="3",
            ),
            card(
                rx.cond(
                    state.rows.length() > 0,
                    rx.vstack(
                        rx.foreach(state.rows, row),
                        pager(state, "notifications"),
                        spacing="1", width="100%",
                    ),
                    empty(tr("notifications.none"), icon="bell-off"),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
