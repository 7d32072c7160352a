"""Service desk: the customers, their portal access, and the invitation to join."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import reflex as rx

from portal import i18n, routes
from portal.components.fields import form
from portal.components.layout import page_body
from portal.components.shell import template
from portal.components.ui import card, data_table, empty, status_badge
from portal.config import settings
from portal.db import session_scope
from portal.services.access.accounts import Principal
from portal.services.access.customer_access import CustomerAccess, customers_with_access
from portal.services.access.invitations import invite, invite_at_verified_address
from portal.services.access.onboarding import (
    Onboarding,
    OnboardingResult,
)
from portal.services.common import clock
from portal.state.i18n import tr
from portal.state.session import OPERATOR, SessionState, guard, redirect_to


@dataclasses.dataclass(frozen=True)
class CustomerRow:
    customer_id: int
    code: str
    name: str
    address: str
    status: str  # "none", "requested", "invited", "active"
    status_label: str
    action_label: str  # the invite button's name for screen readers: the action and the customer
    request_id: int  # a pending registration request to verify, 0 when none
    requested_address: str  # "Indirizzo indicato (da verificare): …", "" when none


class OperatorCustomersState(SessionState):
    loaded: bool = False
    search: str = ""
    _found: list[CustomerAccess] = []

    def _reload(self, principal: Principal) -> None:
        with session_scope() as db:
            self._found = customers_with_access(session=db, tenant_id=principal.tenant_id, search=self.search)

    @rx.var
    def rows(self) -> list[CustomerRow]:
        lang = self.lang
        return [
            CustomerRow(
                customer_id=row.customer_id,
                code=row.code,
                name=row.name,
                address=row.address,
                status=row.status,
                status_label=(
                    i18n.translate(lang, "operator.status_invited", date=i18n.date_time(row.invited_at, lang))
                    if row.status == "invited"
                    else i18n.translate(lang, f"operator.status_{row.status}")
                ),
                action_label=i18n.translate(lang, _action_key(row.status)) + f" {row.name}",
                request_id=row.request_id or 0,
                requested_address=(
                    i18n.translate(lang, "operator.requested_address", email=row.requested_email)
                    if row.requested_email
                    else ""
                ),
            )
            for row in self._found
        ]

    @rx.event
    @guard(OPERATOR, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        self._reload(principal)
        self.loaded = True

    @rx.event
    @guard(OPERATOR)
    def find(self, principal: Principal, form_data: dict):
        self.search = str(form_data.get("search", "")).strip()[:80]
        self._reload(principal)

    @rx.event
    @guard(OPERATOR)
    def invite_customer(self, principal: Principal, customer_id: int):
        return self._invite(principal, customer_id, invite, customer_id=customer_id)

    @rx.event
    @guard(OPERATOR)
    def invite_requested(self, principal: Principal, customer_id: int, request_id: int):
        """The desk has verified the address of a registration request: it goes on file and the
        customer is invited there (the service re-checks that the request is of this tenant)."""
        return self._invite(principal, customer_id, invite_at_verified_address, request_id=request_id)

    def _invite(self, principal: Principal, customer_id, send: Callable[..., OnboardingResult], /, **target):
        """`send` (invite, invite_at_verified_address) with `target` (its customer or request id, as
        the browser sent it: a value that is no number is refused like a foreign one)."""
        try:
            with session_scope() as db:
                result = send(
                    session=db,
                    operator_id=principal.user_id,
                    now=clock.now(),
                    public_url=settings.public_url,
                    client_ip=self.router.session.client_ip,
                    **{name: int(value) for name, value in target.items()},
                )
        except (PermissionError, ValueError):
            return rx.toast.error(self._t("subusers.not_allowed"))
        return self._answer(principal, result, int(customer_id))

    def _answer(self, principal: Principal, result: OnboardingResult, customer_id: int):
        self._reload(principal)
        if result.outcome is Onboarding.SENT:
            address = next((row.address for row in self._found if row.customer_id == customer_id), "")
            return rx.toast.success(self._t("operator.invited", address=address, username=result.username))
        if result.outcome is Onboarding.ALREADY_ACTIVE:
            return rx.toast.info(self._t("operator.already_active"))
        return rx.toast.error(self._t("operator.no_address"))


def _action_key(status: str) -> str:
    return {"invited": "operator.reinvite", "requested": "operator.verify_invite"}.get(status, "operator.invite")


def customer_row(row: CustomerRow) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.text(row.code, weight="medium")),
        rx.el.td(row.name),
        rx.el.td(
            rx.vstack(
                rx.text(row.address),
                rx.cond(row.requested_address != "", rx.text(row.requested_address, size="1", color_scheme="amber")),
                spacing="1",
            )
        ),
        rx.el.td(status_badge(row.status, row.status_label)),
        rx.el.td(
            rx.link(
                tr("docs.desk.link"),
                href=f"{routes.DESK_DOCUMENTS}?cliente={row.code}",
                size="2",
                class_name="customer-documents-link",
                margin_right="0.75rem",
            ),
            rx.cond(
                row.status == "requested",
                rx.button(
                    tr("operator.verify_invite"),
                    size="1",
                    variant="soft",
                    color_scheme="amber",
                    on_click=OperatorCustomersState.invite_requested(row.customer_id, row.request_id),
                    aria_label=row.action_label,
                    class_name="verify-invite-button",
                ),
                rx.cond(
                    row.status != "active",
                    rx.button(
                        rx.cond(row.status == "invited", tr("operator.reinvite"), tr("operator.invite")),
                        size="1",
                        variant="soft",
                        on_click=OperatorCustomersState.invite_customer(row.customer_id),
                        aria_label=row.action_label,
                        class_name="invite-button",
                    ),
                ),
            ),
        ),
        class_name="customer-row",
        data_code=row.code,
    )


def search_form() -> rx.Component:
    state = OperatorCustomersState
    return form(
        rx.hstack(
            rx.el.label(
                rx.text(tr("operator.search"), size="2", weight="medium"),
                html_for="customer-search",
                class_name="sr-only",
            ),
            rx.input(
                id="customer-search",
                name="search",
                placeholder=tr("operator.search_placeholder"),
                size="3",
                flex="1",
                default_value=state.search,
            ),
            rx.button(rx.icon("search", size=16), tr("operator.search"), type="submit", size="3"),
            spacing="2",
            width="100%",
        ),
        on_submit=state.find,
    )


COLUMNS = ("operator.code", "operator.name", "operator.address", "operator.status", "operator.actions")


def customers_table() -> rx.Component:
    state = OperatorCustomersState
    table = data_table(
        state.rows,
        customer_row,
        columns=[(key, False) for key in COLUMNS],
        label=tr("operator.customers_title"),
    )
    return rx.cond(
        state.rows.length() > 0,
        rx.box(table, margin_top="1rem", width="100%"),
        empty(tr("operator.empty"), icon="users"),
    )


@template(route=routes.OPERATOR_CUSTOMERS, title_key="operator.customers_title", on_load=OperatorCustomersState.load)
def operator_customers() -> rx.Component:
    return page_body(
        OperatorCustomersState.loaded,
        rx.heading(tr("operator.customers_title"), as_="h1", size="7"),
        card(search_form(), customers_table()),
    )
