"""The demo mailbox (/dev/mailbox): what the outbox backend kept, for a presenter to read the
codes and links. The page exists only when the portal runs in demo mode."""

from __future__ import annotations

import dataclasses

import reflex as rx
from reflex.vars import ObjectVar

from portal import i18n, routes
from portal.components.fields import form
from portal.components.layout import column
from portal.components.shell import template
from portal.components.ui import card, empty, pager
from portal.config import settings
from portal.db import session_scope
from portal.services.common.mail import outbox
from portal.state.i18n import tr
from portal.state.paging import PageWindow
from portal.state.session import SessionState, public

PAGE_SIZE = 20


@dataclasses.dataclass(frozen=True)
class MailView:
    mail_id: int
    recipient: str
    subject: str
    when: str
    body: str


class MailboxState(PageWindow, SessionState):
    messages_list: rx.Field[list[MailView]] = rx.field(default_factory=list)
    recipient: str = ""
    subject: str = ""
    _page_size: int = PAGE_SIZE

    def _reload(self) -> None:
        with session_scope() as db:
            rows, self.total = outbox(
                session=db,
                limit=PAGE_SIZE,
                offset=self.offset,
                address=self.recipient or None,
                subject=self.subject or None,
            )
        self.messages_list = [
            MailView(
                mail_id=row.id,
                recipient=row.to_address,
                subject=row.subject,
                when=i18n.date_time(row.created_at, self.lang),
                body=row.body_text or "",
            )
            for row in rows
        ]

    # Public by design and only in demo mode (the page exists only then): a presenter reads the codes
    # here before signing in.
    @rx.event
    @public
    def load(self):
        if not settings.demo_mode:
            return rx.redirect(routes.LOGIN)
        self.offset = 0
        self._reload()

    @rx.event
    @public
    def filter_recipient(self, form_data: dict):
        """Search by recipient and by words of the subject; the list starts again from the newest."""
        if not settings.demo_mode:
            return
        self.recipient = str(form_data.get("recipient", "")).strip()[:200]
        self.subject = str(form_data.get("subject", "")).strip()[:200]
        self.offset = 0
        self._reload()

    def _turn(self, forward: bool) -> None:
        if settings.demo_mode:
            self._step(forward=forward)
            self._reload()

    @rx.event
    @public
    def next_page(self):
        self._turn(forward=True)

    @rx.event
    @public
    def previous_page(self):
        self._turn(forward=False)


def message_item(message: ObjectVar[MailView]) -> rx.Component:
    return rx.el.details(
        rx.el.summary(
            rx.hstack(
                rx.text(message.when, size="1", color_scheme="gray", min_width="7rem"),
                rx.text(message.recipient, size="2", weight="medium"),
                rx.text(message.subject, size="2"),
                spacing="3",
                wrap="wrap",
                display="inline-flex",
            ),
            cursor="pointer",
        ),
        rx.el.pre(message.body, class_name="mailbox-body"),
        class_name="mailbox-message",
    )


def mailbox() -> rx.Component:
    return column(
        rx.heading(tr("mailbox.title"), as_="h1", size="7"),
        rx.text(tr("mailbox.intro"), color_scheme="gray"),
        card(
            form(
                rx.flex(
                    rx.el.label(
                        rx.text(tr("mailbox.filter"), size="2"), html_for="mailbox-recipient", class_name="sr-only"
                    ),
                    rx.input(id="mailbox-recipient", name="recipient", placeholder=tr("mailbox.filter"), flex="1"),
                    rx.el.label(
                        rx.text(tr("mailbox.subject_filter"), size="2"),
                        html_for="mailbox-subject",
                        class_name="sr-only",
                    ),
                    rx.input(id="mailbox-subject", name="subject", placeholder=tr("mailbox.subject_filter"), flex="1"),
                    rx.button(tr("mailbox.refresh"), type="submit", id="mailbox-refresh"),
                    gap="2",
                    wrap="wrap",
                    width="100%",
                ),
                on_submit=MailboxState.filter_recipient,
            ),
            rx.cond(
                MailboxState.messages_list.length() > 0,
                rx.vstack(
                    rx.box(rx.foreach(MailboxState.messages_list, message_item), id="mailbox-list", width="100%"),
                    pager(MailboxState, "mailbox"),
                    margin_top="1rem",
                    width="100%",
                ),
                empty(tr("mailbox.empty"), icon="mail"),
            ),
        ),
    )


if settings.demo_mode:
    template(route=routes.DEV_MAILBOX, title_key="mailbox.title", on_load=MailboxState.load)(mailbox)
