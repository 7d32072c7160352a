"""A message from the leasing company to every customer (their bell)."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.fields import body_area, error_text, field_label, form, text_input
from portal.components.layout import column, page_body
from portal.components.shell import template
from portal.components.ui import back_link, card
from portal.db import session_scope
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.requests.notices import broadcast
from portal.services.requests.queries import account
from portal.state.i18n import tr
from portal.state.session import OPERATOR, SessionState, guard, redirect_to

MAX_TITLE, MAX_BODY = 120, 2000


class BroadcastState(SessionState):
    loaded: bool = False
    title_error: str = ""
    body_error: str = ""

    @rx.event
    @guard(OPERATOR, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        self.title_error = self.body_error = ""
        self.loaded = True

    @rx.event
    @guard(OPERATOR)
    def send(self, principal: Principal, form_data: dict):
        title, body = str(form_data.get("title", "")).strip(), str(form_data.get("body", "")).strip()
        self.title_error = (
            self._t("forms.required")
            if not title
            else (self._t("forms.too_long", count=MAX_TITLE) if len(title) > MAX_TITLE else "")
        )
        self.body_error = self._t("forms.too_long", count=MAX_BODY) if len(body) > MAX_BODY else ""
        if self.title_error or self.body_error:
            return
        with session_scope() as db:
            operator = account(session=db, user_id=principal.user_id)
            broadcast(session=db, operator=operator, title=title, body=body, now=clock.now())
        return [
            rx.set_value("broadcast-title", ""),
            rx.set_value("broadcast-body", ""),
            rx.toast.success(self._t("desk.broadcast_sent")),
        ]


@template(route=routes.DESK_BROADCAST, title_key="desk.broadcast", on_load=BroadcastState.load)
def desk_broadcast() -> rx.Component:
    state = BroadcastState
    title = text_input(
        field_id="broadcast-title",
        name="title",
        label=tr("desk.broadcast_title"),
        error=state.title_error,
        max_length=MAX_TITLE,
    )
    body = body_area("broadcast-body", rows="5", max_length=MAX_BODY, error_id="broadcast-body-error")
    send = rx.button(rx.icon("send", size=16), tr("desk.broadcast_send"), type="submit", id="broadcast-send")
    return page_body(
        state.loaded,
        back_link("desk.back", routes.DESK),
        rx.heading(tr("desk.broadcast"), as_="h1", size="7"),
        rx.text(tr("desk.broadcast_intro"), color_scheme="gray"),
        card(
            form(
                column(
                    title,
                    field_label(tr("desk.broadcast_body"), "broadcast-body"),
                    body,
                    error_text(state.body_error, "broadcast-body-error"),
                    send,
                    gap="3",
                ),
                on_submit=state.send,
            ),
            max_width="720px",
        ),
    )
