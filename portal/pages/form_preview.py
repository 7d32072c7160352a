"""Operators try any registered form before it is released: the real renderer, live validation
as they type, on the data of a customer they choose. Nothing is ever stored."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal import routes
from portal.components.fields import form, labelled, select
from portal.components.form_renderer import form_fields
from portal.components.layout import actions, page_body
from portal.components.shell import template
from portal.components.ui import back_link, card
from portal.db import session_scope
from portal.forms import registry
from portal.pages.requests import form_choices
from portal.services.access.accounts import Principal
from portal.services.access.scope import whole_customer
from portal.services.requests.queries import customer_choices, customer_id_by_code
from portal.state.forms import FormEngineState
from portal.state.i18n import tr
from portal.state.rows import Option
from portal.state.session import OPERATOR, SessionState, guard, redirect_to


class FormPreviewState(FormEngineState, SessionState):
    loaded: bool = False
    customer_code: str = ""
    customers: list[Option] = []
    preview_ok: str = ""

    def _allowed(self, principal: Principal) -> bool:
        return principal.is_operator

    def _as_customer(self, principal: Principal) -> Principal | None:
        """The operator, looking at the forms as the chosen customer would (same tenant only)."""
        with session_scope() as db:
            customer_id = customer_id_by_code(session=db, tenant_id=principal.tenant_id, code=self.customer_code)
        return None if customer_id is None else dataclasses.replace(principal, scope=whole_customer(customer_id))

    def _form_user(self, principal: Principal) -> Principal | None:
        # The mixin's handlers admit anyone signed in: only operators preview, as the chosen customer.
        if not principal.is_operator or self._definition() is None:
            return None
        return self._as_customer(principal)

    def _field_changed(self, user: Principal) -> None:
        if self.form_found:
            self._validated(user)  # live: every change is checked at once, as the server would on submit
            self.form_error = ""

    @rx.event
    @guard(OPERATOR, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        with session_scope() as db:
            choices = customer_choices(session=db, tenant_id=principal.tenant_id)
        self.customers = [Option(value=choice.code, label=f"{choice.name} ({choice.code})") for choice in choices]
        self.customer_code = self.customer_code or (choices[0].code if choices else "")
        key = self._query_param("modulo") or self.form_key or next(iter(registry()), "")
        customer = self._as_customer(principal)
        if customer is not None:
            self._open(customer, key)
        else:  # a leasing company without customers: nobody to preview the forms as
            self.form_key, self.form_found = key, False
        self.preview_ok = ""
        self.loaded = True

    @rx.event
    @guard(OPERATOR)
    def choose_form(self, principal: Principal, key: str):
        customer = self._as_customer(principal)
        if customer is None:
            return self._to_login()
        self._open(customer, key)
        self.preview_ok = ""

    @rx.event
    @guard(OPERATOR)
    def choose_customer(self, principal: Principal, code: str):
        self.customer_code = code
        customer = self._as_customer(principal)
        if customer is not None:
            self._open(customer, self.form_key)

    @rx.event
    @guard(OPERATOR)
    def try_submit(self, principal: Principal, form_data: dict):
        customer = self._as_customer(principal)
        if customer is None:
            return self._to_login()
        self.preview_ok = self._t("preview.valid") if self._validated(customer) is not None else ""

    @rx.var
    def form_options(self) -> list[Option]:
        return form_choices(self.lang)


def picker(select_id: str, label_key: str, options, value, on_change) -> rx.Component:
    control = select(select_id, options, value=value, on_change=on_change)
    return labelled(select_id, tr(label_key), control, width=None, min_width="260px")


def preview_card() -> rx.Component:
    state = FormPreviewState
    return card(
        rx.heading(state.form_title, as_="h2", size="5"),
        rx.text(state.form_description, color_scheme="gray", margin_bottom="1rem"),
        form(
            form_fields(state),
            actions(rx.button(tr("preview.check"), type="submit", id="preview-check"), margin_top="1rem"),
            on_submit=state.try_submit,
        ),
        rx.cond(
            state.preview_ok != "",
            rx.callout(state.preview_ok, icon="circle-check", color_scheme="green", id="preview-ok", margin_top="1rem"),
        ),
        max_width="720px",
    )


@template(route=routes.FORM_PREVIEW, title_key="preview.title", on_load=FormPreviewState.load)
def form_preview() -> rx.Component:
    state = FormPreviewState
    return page_body(
        state.loaded,
        back_link("desk.back", routes.DESK),
        rx.heading(tr("preview.title"), as_="h1", size="7"),
        rx.text(tr("preview.intro"), color_scheme="gray"),
        rx.flex(
            picker("preview-form", "preview.form", state.form_options, state.form_key, state.choose_form),
            picker("preview-customer", "preview.customer", state.customers, state.customer_code, state.choose_customer),
            spacing="4",
            wrap="wrap",
        ),
        preview_card(),
    )
