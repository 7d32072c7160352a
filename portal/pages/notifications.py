"""Every notice of the user, newest first, with read and unread marked."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.components.shell import template
from portal.components.ui import card, empty, loading
from portal.db import session_scope
from portal.models import UserAccount
from portal.services import clock
from portal.services.notifications import mark_all_read, mark_read, notices
from portal.state.i18n import tr
from portal.state.notifications import NotificationState, notice_rows

PAGE = 20


class NotificationsPageState(NotificationState):
    loaded: bool = False
    offset: int = 0
    total: int = 0
    rows: list[dict[str, str]] = []

    def _read_page(self, principal) -> None:
        with session_scope() as db:
            items, total = notices(session=db, user=db.get(UserAccount, principal.user_id), offset=self.offset, limit=PAGE)
        self.rows = notice_rows(items, self.lang, principal.is_operator)
        self.total = total
        self._reload(principal)

    @rx.event
    def load(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        self.offset = 0
        self._read_page(principal)
        self.loaded = True

    @rx.event
    def mark(self, notification_id: str):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        with session_scope() as db:
            mark_read(session=db, user=db.get(UserAccount, principal.user_id), notification_id=int(notification_id), now=clock.now())
        self._read_page(principal)

    @rx.event
    def mark_everything(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        with session_scope() as db:
            mark_all_read(session=db, user=db.get(UserAccount, principal.user_id), now=clock.now())
        self._read_page(principal)

    @rx.event
    def next_page(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if self.offset + PAGE < self.total:
            self.offset += PAGE
        self._read_page(principal)

    @rx.event
    def previous_page(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        self.offset = max(0, self.offset - PAGE)
        self._read_page(principal)

    @rx.var
    def page_info(self) -> str:
        if not self.total:
            return ""
        return i18n.translate(self.lang, "plan.page_info", first=self.offset + 1, last=min(self.offset + PAGE, self.total), total=self.total)


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
                        rx.hstack(
                            rx.text(state.page_info, size="2", aria_live="polite"),
                            rx.icon_button(rx.icon("chevron-left"), variant="soft", on_click=state.previous_page,
                                           disabled=state.offset == 0, aria_label=tr("plan.previous")),
                            rx.icon_button(rx.icon("chevron-right"), variant="soft", on_click=state.next_page,
                                           disabled=state.offset + PAGE >= state.total, aria_label=tr("plan.next")),
                            justify="end", align="center", spacing="3", width="100%",
                        ),
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
