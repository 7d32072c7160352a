"""Every notice of the user, newest first, with read and unread marked."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from reflex.vars import ObjectVar

from portal import routes
from portal.components.bell import notice_icon
from portal.components.layout import column, page_body
from portal.components.shell import template
from portal.components.ui import card, empty, page_header, pager
from portal.db import session_scope
from portal.services.access.accounts import Principal, account_of
from portal.services.common import clock
from portal.services.requests.bell import mark_all_read, mark_read, notices
from portal.state.bell import NoticeRow, NotificationState, notice_id, notice_rows
from portal.state.i18n import tr
from portal.state.paging import PagedState
from portal.state.session import SIGNED_IN, Audience, guard

PAGE = 20


class NotificationsPageState(PagedState, NotificationState):
    loaded: bool = False
    _page_size: int = PAGE
    rows: rx.Field[list[NoticeRow]] = rx.field(default_factory=list)
    _readers: ClassVar[Audience] = SIGNED_IN

    def _show_page(self, principal: Principal):
        with session_scope() as db:
            items, total = notices(
                session=db, user=account_of(session=db, principal=principal), offset=self.offset, limit=PAGE
            )
        self.rows = notice_rows(items, self.lang, principal.is_operator)
        self.total = total or 0
        self._reload(principal)

    @rx.event
    @guard(SIGNED_IN)
    def load(self, principal: Principal):
        self.offset = 0
        self._show_page(principal)
        self.loaded = True

    @rx.event
    @guard(SIGNED_IN)
    def mark(self, principal: Principal, notification_id: str):
        with session_scope() as db:
            user = account_of(session=db, principal=principal)
            mark_read(session=db, user=user, notification_id=notice_id(notification_id), now=clock.now())
        return self._show_page(principal)

    @rx.event
    @guard(SIGNED_IN)
    def mark_everything(self, principal: Principal):
        with session_scope() as db:
            mark_all_read(session=db, user=account_of(session=db, principal=principal), now=clock.now())
        return self._show_page(principal)


def row(item: ObjectVar[NoticeRow]) -> rx.Component:
    unread = ~item.read
    return rx.box(
        rx.hstack(
            notice_icon(item),
            rx.vstack(
                rx.cond(unread, rx.el.span(tr("notifications.unread_label"), class_name="sr-only")),
                rx.link(item.subject, href=item.url, weight=rx.cond(unread, "bold", "regular")),
                rx.cond(item.body != "", rx.text(item.body, size="2", color_scheme="gray")),
                rx.text(item.when, size="1", color_scheme="gray"),
                spacing="1",
                align="start",
                flex="1",
            ),
            rx.cond(
                unread,
                rx.button(
                    tr("notifications.mark_read"),
                    size="1",
                    variant="soft",
                    on_click=NotificationsPageState.mark(item.notification_id.to(str)),
                ),
            ),
            spacing="3",
            align="start",
            width="100%",
            flex_wrap="wrap",  # 1.4.10: at 320 px the button goes under the text, never off the card
        ),
        padding="0.75rem",
        border_radius="var(--radius-3)",
        background=rx.cond(unread, "var(--accent-a3)", "transparent"),
        class_name="notification-row",
        data_read=rx.cond(item.read, "1", ""),
        width="100%",
    )


@template(route=routes.NOTIFICATIONS, title_key="notifications.title", on_load=NotificationsPageState.load)
def notifications_page() -> rx.Component:
    state = NotificationsPageState
    return page_body(
        state.loaded,
        page_header(
            tr("notifications.title"),
            rx.button(
                tr("notifications.read_all"),
                variant="soft",
                on_click=state.mark_everything,
                disabled=state.unread == 0,
                id="notifications-read-all",
            ),
        ),
        card(
            rx.cond(
                state.rows.length() > 0,
                column(rx.foreach(state.rows, row), pager(state, "notifications"), gap="1"),
                empty(tr("notifications.none"), icon="bell-off"),
            ),
        ),
    )
