"""Operators try any registered form before it is released: the real renderer, live validation
as they type, on the data of a customer they choose. Nothing is ever stored."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import select

from portal import routes
from portal.components.form_renderer import form_fields
from portal.components.shell import template
from portal.components.ui import back_link, card, form, loading
from portal.db import session_scope
from portal.forms import registry
from portal.models import Customer
from portal.services.access import whole_customer
from portal.services.accounts import Principal
from portal.state.forms import FormEngineState
from portal.state.i18n import tr
from portal.state.session import SessionState


class FormPreviewState(FormEngineState, SessionState):
    loaded: bool = False
    customer_code: str = ""
    customers: list[dict[str, str]] = []
    preview_ok: str = ""

    def _allowed(self, principal: Principal) -> bool:
        return principal.is_operator

    def _as_customer(self, principal: Principal) -> Principal | None:
        """The operator, looking at the forms as the chosen customer would (same tenant only)."""
        with session_scope() as db:
            customer = db.exec(select(Customer).where(Customer.tenant_id == principal.tenant_id,
                                                      Customer.code == self.customer_code)).first()
        if customer is None:
            return None
        return dataclasses.replace(principal, scope=whole_customer(customer.id))

    def _principal_for_forms(self):
        principal = self._operator()
        return self._as_customer(principal) if principal is not None else None

    def _signed_in_form_user(self):
        principal = self._principal_for_forms()
        return principal if principal is not None and self._definition() is not None else None

    @rx.event
    def load(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if not principal.is_operator:
            return rx.redirect(routes.HOME)
        with session_scope() as db:
            rows = db.exec(select(Customer.code, Customer.denominazione).where(Customer.tenant_id == principal.tenant_id)
                           .order_by(Customer.denominazione)).all()
        self.customers = [{"value": code, "label": f"{name} ({code})"} for code, name in rows]
        self.customer_code = self.customer_code or (rows[0][0] if rows else "")
        key = self._query_param("modulo") or self.form_key or next(iter(registry()), "")
        self._open(self._as_customer(principal), key)
        self.preview_ok = ""
        self.loaded = True

    @rx.event
    def choose_form(self, key: str):
        principal = self._principal_for_forms()
        if principal is None:
            return self._to_login()
        self._open(principal, key)
        self.preview_ok = ""

    @rx.event
    def choose_customer(self, code: str):
        self.customer_code = code
        principal = self._principal_for_forms()
        if principal is None:
            return
        self._open(principal, self.form_key)

    @rx.event
    def set_field(self, key: str, value: str | bool):
        result = super().set_field(key, value)
        principal = self._principal_for_forms()
        if principal is not None and self.form_found:
            self._validated(principal)  # live: every change is checked at once, as the server would on submit
            self.form_error = ""
        return result

    @rx.event
    def try_submit(self, form_data: dict):
        principal = self._principal_for_forms()
        if principal is None:
            return self._to_login()
        if self._validated(principal) is not None:
            self.preview_ok = self._t("preview.valid")
        else:
            self.preview_ok = ""

    @rx.var
    def form_options(self) -> list[dict[str, str]]:
        return [{"value": key, "label": definition.title(self.lang)} for key, definition in registry().items()]


@template(route=routes.FORM_PREVIEW, title_key="preview.title", on_load=FormPreviewState.load)
def form_preview() -> rx.Component:
    state = FormPreviewState
    return rx.cond(
        state.loaded,
        rx.vstack(
            back_link("desk.back", routes.DESK),
            rx.heading(tr("preview.title"), as_="h1", size="7"),
            rx.text(tr("preview.intro"), color_scheme="gray"),
            rx.flex(
                rx.flex(rx.el.label(rx.text(tr("preview.form"), size="2", weight="medium"), html_for="preview-form"),
                        rx.el.select(rx.foreach(state.form_options, lambda o: rx.el.option(o["label"], value=o["value"])),
                                     id="preview-form", value=state.form_key, on_change=state.choose_form, class_name="portal-select"),
                        direction="column", spacing="1", min_width="260px"),
                rx.flex(rx.el.label(rx.text(tr("preview.customer"), size="2", weight="medium"), html_for="preview-customer"),
                        rx.el.select(rx.foreach(state.customers, lambda o: rx.el.option(o["label"], value=o["value"])),
                                     id="preview-customer", value=state.customer_code, on_change=state.choose_customer,
                                     class_name="portal-select"),
                        direction="column", spacing="1", min_width="260px"),
                spacing="4", wrap="wrap",
            ),
            card(
                rx.heading(state.form_title, as_="h2", size="5"),
                rx.text(state.form_description, color_scheme="gray", margin_bottom="1rem"),
                form(
                    form_fields(state),
                    rx.hstack(rx.button(tr("preview.check"), type="submit", id="preview-check"), justify="end", width="100%", margin_top="1rem"),
                    on_submit=state.try_submit,
                ),
                rx.cond(state.preview_ok != "", rx.callout(state.preview_ok, icon="circle-check", color_scheme="green", id="preview-ok",
                                                            margin_top="1rem")),
                max_width="720px",
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
