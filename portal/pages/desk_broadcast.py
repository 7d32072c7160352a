"""A message from the leasing company to every customer (their bell)."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.shell import template
from portal.components.ui import back_link, card, form, loading, text_input
from portal.db import session_scope
from portal.models import UserAccount
from portal.services import clock
from portal.services.requests import broadcast
from portal.state.i18n import tr
from portal.state.session import SessionState

MAX_TITLE, MAX_BODY = 120, 2000


class BroadcastState(SessionState):
    loaded: bool = False
    title_error: str = ""
    body_error: str = ""

    @rx.event
    def load(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if not principal.is_operator:
            return rx.redirect(routes.HOME)
        self.title_error = self.body_error = ""
        self.loaded = True

    @rx.event
    def send(self, form_data: dict):
        principal = self._operator()
        if principal is None:
            return self._to_login()
        title, body = str(form_data.get("title", "")).strip(), str(form_data.get("body", "")).strip()
        self.title_error = self._t("forms.required") if not title else (self._t("forms.too_long", max=MAX_TITLE) if len(title) > MAX_TITLE else "")
        self.body_error = self._t("forms.too_long", max=MAX_BODY) if len(body) > MAX_BODY else ""
        if self.title_error or self.body_error:
            return
        with session_scope() as db:
            broadcast(session=db, operator=db.get(UserAccount, principal.user_id), title=title, body=body, now=clock.now())
        return [rx.set_value("broadcast-title", ""), rx.set_value("broadcast-body", ""), rx.toast.success(self._t("desk.broadcast_sent"))]


@template(route=routes.DESK_BROADCAST, title_key="desk.broadcast", on_load=BroadcastState.load)
def desk_broadcast() -> rx.Component:
    state = BroadcastState
    return rx.cond(
        state.loaded,
        rx.vstack(
            back_link("desk.back", routes.DESK),
            rx.heading(tr("desk.broadcast"), as_="h1", size="7"),
            rx.text(tr("desk.broadcast_intro"), color_scheme="gray"),
            card(
                form(
                    rx.vstack(
                        text_input(field_id="broadcast-title", name="title", label=tr("desk.broadcast_title"), error=state.title_error,
                                   max_length=MAX_TITLE),
                        rx.el.label(rx.text(tr("desk.broadcast_body"), size="2", weight="medium"), html_for="broadcast-body"),
                        rx.text_area(id="broadcast-body", name="body", rows="5", max_length=MAX_BODY, width="100%",
                                     aria_describedby="broadcast-body-error"),
                        rx.cond(state.body_error != "", rx.text(state.body_error, id="broadcast-body-error", color_scheme="red", size="2", role="alert")),
                        rx.button(rx.icon("send", size=16), tr("desk.broadcast_send"), type="submit", id="broadcast-send"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=state.send,
                ),
                max_width="720px",
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
