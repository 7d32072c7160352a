"""The demo mailbox (/dev/mailbox): what the outbox backend kept, for a presenter to read the
codes and links. The page exists only when the portal runs in demo mode."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.components.shell import template
from portal.components.ui import card, empty, form
from portal.config import settings
from portal.db import session_scope
from portal.services.mail import outbox
from portal.state.i18n import tr
from portal.state.session import SessionState


class MailboxState(SessionState):
    messages_list: list[dict[str, str]] = []
    recipient: str = ""

    def _reload(self) -> None:
        with session_scope() as db:
            rows = outbox(session=db, limit=40, address=self.recipient or None)
        self.messages_list = [
            {"id": str(row.id), "to": row.to_address, "subject": row.subject, "when": i18n.date_time(row.created_at, self.lang),
             "body": row.body_text or ""}
            for row in rows
        ]

    @rx.event
    def load(self):
        if not settings.demo_mode:
            return rx.redirect(routes.LOGIN)
        self._reload()

    @rx.event
    def filter_recipient(self, form_data: dict):
        if not settings.demo_mode:
            return
        self.recipient = str(form_data.get("recipient", "")).strip()
        self._reload()


def message_item(message) -> rx.Component:
    return rx.el.details(
        rx.el.summary(
            rx.hstack(
                rx.text(message["when"], size="1", color_scheme="gray", min_width="7rem"),
                rx.text(message["to"], size="2", weight="medium"),
                rx.text(message["subject"], size="2"),
                spacing="3",
                wrap="wrap",
                display="inline-flex",
            ),
            cursor="pointer",
        ),
        rx.el.pre(message["body"], white_space="pre-wrap", font_size="0.85rem", padding="0.75rem", background="var(--gray-2)",
                  border_radius="6px", class_name="mailbox-body"),
        class_name="mailbox-message",
        border_bottom="1px solid var(--gray-a4)",
        padding_y="0.5rem",
    )


def mailbox() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("mailbox.title"), as_="h1", size="7"),
        rx.text(tr("mailbox.intro"), color_scheme="gray"),
        card(
            form(
                rx.hstack(
                    rx.el.label(rx.text(tr("mailbox.filter"), size="2"), html_for="mailbox-recipient", class_name="sr-only"),
                    rx.input(id="mailbox-recipient", name="recipient", placeholder=tr("mailbox.filter"), flex="1"),
                    rx.button(tr("mailbox.refresh"), type="submit", id="mailbox-refresh"),
                    width="100%",
                ),
                on_submit=MailboxState.filter_recipient,
            ),
            rx.cond(
                MailboxState.messages_list.length() > 0,
                rx.box(rx.foreach(MailboxState.messages_list, message_item), margin_top="1rem", id="mailbox-list"),
                empty(tr("mailbox.empty"), icon="mail"),
            ),
        ),
        spacing="4",
        width="100%",
    )


if settings.demo_mode:
    template(route=routes.DEV_MAILBOX, title_key="mailbox.title", on_load=MailboxState.load)(mailbox)
