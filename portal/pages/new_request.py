"""A new request: any self-service form of the registry, chosen by `?modulo=<key>`."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.fields import form
from portal.components.form_renderer import form_fields
from portal.components.layout import actions, column, page_body
from portal.components.reauth import reauth_dialog
from portal.components.shell import template
from portal.components.ui import alert, back_link, card
from portal.config import settings
from portal.db import session_scope
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.requests import tickets
from portal.state.forms import FormEngineState
from portal.state.i18n import tr
from portal.state.reauth import ReauthState, recently_reauthenticated
from portal.state.session import CUSTOMER, REQUEST_WRITER, SessionState, guard, redirect_to, refuse_with


class NewRequestState(FormEngineState, SessionState):
    loaded: bool = False

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        self._open(principal, self._query_param("modulo"))
        self._preselect_from_url(principal)
        self.loaded = True

    def _preselect_from_url(self, principal: Principal) -> None:
        """Links may preselect a choice (?f_request_type=pec_change); only offered values count."""
        if not self.form_found:
            return
        chosen = {}
        for spec in self.specs:
            wanted = self._query_param(f"f_{spec.key}")
            if wanted and wanted in {option.value for option in spec.options}:
                chosen[spec.key] = wanted
        if chosen:
            self.values = {**self.values, **chosen}
            self._refresh(principal)

    @rx.event
    @guard(REQUEST_WRITER, otherwise=refuse_with("subusers.not_allowed"))
    def submit(self, principal: Principal, form_data: dict):  # the values live in the state; form_data is not read
        author, definition = self._form_user(principal), self._definition()
        if author is None or author.scope is None or definition is None:
            return rx.toast.error(self._t("subusers.not_allowed"))
        clean = self._validated(author)
        if clean is None:
            return
        if definition.reauthenticate and not recently_reauthenticated(self):  # issue 11 (the IBAN)
            self.form_error = self._t("reauth.required")
            return ReauthState.ask
        with session_scope() as db:
            code = tickets.open_from_form(
                session=db,
                author_id=author.user_id,
                scope=author.scope,
                definition=definition,
                values=clean,
                lang=self.lang,
                today=clock.today(),
                now=clock.now(),
                public_url=settings.public_url,
                staged=self._claim_staged(),
            ).code
        self._staged_sent()  # committed: the files are the request's now
        return [rx.redirect(routes.request_url(code)), rx.toast.success(self._t("requests.sent", code=code))]


@template(
    route=routes.NEW_REQUEST,
    title_key="requests.new_title",
    on_load=NewRequestState.load,
    title=rx.cond(NewRequestState.form_title != "", NewRequestState.form_title, tr("requests.new_title")),
)
def new_request() -> rx.Component:
    state = NewRequestState
    cancel = rx.button(
        rx.link(tr("requests.cancel"), href=routes.REQUESTS, underline="none", color="inherit"),
        as_child=True,
        variant="soft",
        color_scheme="gray",
    )
    send = rx.button(tr("requests.send"), type="submit", id="form-submit")
    return page_body(
        state.loaded,
        back_link("requests.back_to_list", routes.REQUESTS),
        rx.cond(
            state.form_found,
            column(
                rx.heading(state.form_title, as_="h1", size="7"),
                rx.text(state.form_description, color_scheme="gray"),
                card(
                    form(form_fields(state), actions(cancel, send, margin_top="1rem"), on_submit=state.submit),
                    max_width="720px",
                ),
                gap="3",
            ),
            alert(tr("requests.form_unavailable"), "form-unavailable"),
        ),
        reauth_dialog(),
    )
