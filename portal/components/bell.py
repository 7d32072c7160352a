"""The bell: a badge with the unread count, a popover with the latest five notices."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from portal import routes
from portal.components.ui import header_button
from portal.state.bell import NoticeRow, NotificationState
from portal.state.i18n import tr
from portal.state.session import SessionState


def notice_icon(item: ObjectVar[NoticeRow], *, padding_top: str = "0") -> rx.Component:
    """The notice's kind as an icon, with a red dot while it is unread."""
    return rx.box(
        rx.icon(item.icon.to(str), size=18, aria_hidden="true"),
        rx.cond(
            ~item.read,
            rx.box(class_name="unread-dot"),
        ),
        position="relative",
        padding_top=padding_top,
    )


def notice_item(item: ObjectVar[NoticeRow]) -> rx.Component:
    unread = ~item.read
    return rx.el.li(
        rx.el.button(
            rx.hstack(
                notice_icon(item, padding_top="2px"),
                rx.vstack(
                    rx.cond(unread, rx.el.span(tr("notifications.unread_label"), class_name="sr-only")),
                    rx.text(
                        item.subject,
                        size="2",
                        weight=rx.cond(unread, "bold", "regular"),
                        class_name="notice-subject",
                        white_space="nowrap",
                        overflow="hidden",
                        text_overflow="ellipsis",
                        max_width="260px",
                    ),
                    rx.text(item.when, size="1", color_scheme="gray"),
                    spacing="0",
                    align="start",
                ),
                spacing="3",
                align="start",
            ),
            on_click=NotificationState.open_notice(item.notification_id.to(str)),
            class_name="notice-button",
            background=rx.cond(unread, "var(--accent-a3)", "transparent"),
        ),
        class_name="notice-item",
        data_read=rx.cond(item.read, "1", ""),
        list_style="none",
    )


def _popover_content() -> rx.Component:
    return rx.popover.content(
        rx.hstack(
            rx.text(tr("notifications.title"), weight="bold"),
            rx.cond(
                NotificationState.unread > 0,
                rx.button(
                    tr("notifications.read_all"),
                    size="1",
                    variant="ghost",
                    on_click=NotificationState.read_all,
                    id="bell-read-all",
                ),
            ),
            justify="between",
            align="center",
            width="100%",
            margin_bottom="0.5rem",
        ),
        rx.cond(
            NotificationState.latest.length() > 0,
            rx.el.ul(rx.foreach(NotificationState.latest, notice_item), margin="0", padding="0", id="bell-list"),
            rx.text(tr("notifications.none"), size="2", color_scheme="gray"),
        ),
        rx.link(
            tr("notifications.all"),
            href=routes.NOTIFICATIONS,
            size="2",
            margin_top="0.5rem",
            display="block",
            id="bell-all",
        ),
        width="340px",
        max_width="calc(100vw - 1rem)",
        align="end",
        aria_label=tr("notifications.title"),
    )


def _unread_count() -> rx.Component:
    return rx.cond(
        NotificationState.unread > 0,
        rx.badge(
            NotificationState.unread,
            color_scheme="red",
            variant="solid",
            radius="full",
            size="1",
            id="bell-count",
            aria_hidden="true",
        ),
    )


def bell() -> rx.Component:
    # The trigger is the button itself (it gets aria-expanded); the count sits beside it, outside.
    return rx.box(
        rx.popover.root(
            rx.popover.trigger(
                header_button("bell", NotificationState.bell_label, id="bell-button"),
            ),
            _popover_content(),
            on_open_change=NotificationState.popover_toggled,
        ),
        _unread_count(),
        position="relative",
    )


def bell_refresher() -> rx.Component:
    """Refreshes the bell when a page is loaded or reloaded with someone signed in, and every 30
    seconds. It is mounted once for the whole app (portal/portal.py), not in each page: following
    a link then costs the bell nothing (before, each page mounted it again and it reloaded, issue 13)."""
    return rx.cond(
        SessionState.signed_in,
        rx.moment(interval=30_000, on_change=NotificationState.refresh, display="none"),
    )
