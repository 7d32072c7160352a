"""Service desk: the customers, their portal access, and the invitation to join."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.components.shell import template
from portal.components.ui import card, empty, form, header_cell, loading, simple_table, table_region
from portal.config import settings
from portal.db import session_scope
from portal.models import UserAccount
from portal.services import clock
from portal.services.accounts import Principal
from portal.services.mail import MailDeliveryError
from portal.services.onboarding import Onboarding, customers_with_access, invite
from portal.state.i18n import tr
from portal.state.session import SessionState


class OperatorCustomersState(SessionState):
    loaded: bool = False
    search: str = ""
    rows: list[dict[str, str]] = []

    def _reload(self, principal: Principal) -> None:
        with session_scope() as db:
            found = customers_with_access(session=db, tenant_id=principal.tenant_id, search=self.search)
        self.rows = [
            {
                "id": str(row.customer_id),
                "code": row.code,
                "name": row.name,
                "address": row.address,
                "status": row.status,
                "status_label": (
                    self._t("operator.status_invited", date=i18n.date_time(row.invited_at, self.lang))
                    if row.status == "invited"
                    else self._t(f"operator.status_{row.status}")
                ),
                "action_label": f"{self._t('operator.reinvite' if row.status == 'invited' else 'operator.invite')} {row.name}",
            }
            for row in found
        ]

    @rx.event
    def load(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if not principal.is_operator:
            return rx.redirect(routes.HOME)
        self._reload(principal)
        self.loaded = True

    @rx.event
    def find(self, form_data: dict):
        principal = self._operator()
        if principal is None:
            return self._to_login()
        self.search = str(form_data.get("search", "")).strip()[:80]
        self._reload(principal)

    @rx.event
    def invite_customer(self, customer_id: str):
        principal = self._operator()
        if principal is None:
            return self._to_login()
        try:
            with session_scope() as db:
                operator = db.get(UserAccount, principal.user_id)
                result = invite(session=db, operator=operator, customer_id=int(customer_id), now=clock.now(),
                                public_url=settings.public_url, client_ip=self.router.session.client_ip)
        except (PermissionError, ValueError):
            return rx.toast.error(self._t("subusers.not_allowed"))
        except MailDeliveryError:
            return rx.toast.error(self._t("login.mail_failed"))
        self._reload(principal)
        if result.outcome is Onboarding.SENT:
            address = next((row["address"] for row in self.rows if row["id"] == str(customer_id)), "")
            return rx.toast.success(self._t("operator.invited", address=address, username=result.username))
        if result.outcome is Onboarding.ALREADY_ACTIVE:
            return rx.toast.info(self._t("operator.already_active"))
        return rx.toast.error(self._t("operator.no_address"))


def customer_row(row) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.text(row["code"], weight="medium")),
        rx.el.td(row["name"]),
        rx.el.td(row["address"]),
        rx.el.td(rx.badge(row["status_label"], color_scheme=rx.match(row["status"], ("active", "green"), ("invited", "amber"), "gray"))),
        rx.el.td(
            rx.cond(
                row["status"] != "active",
                rx.button(
                    rx.cond(row["status"] == "invited", tr("operator.reinvite"), tr("operator.invite")),
                    size="1", variant="soft", on_click=OperatorCustomersState.invite_customer(row["id"]),
                    aria_label=row["action_label"],
                    class_name="invite-button",
                ),
            )
        ),
        class_name="customer-row",
        data_code=row["code"],
    )


@template(route=routes.OPERATOR_CUSTOMERS, title_key="operator.customers_title", on_load=OperatorCustomersState.load)
def operator_customers() -> rx.Component:
    state = OperatorCustomersState
    return rx.cond(
        state.loaded,
        rx.vstack(
            rx.heading(tr("operator.customers_title"), as_="h1", size="7"),
            card(
                form(
                    rx.hstack(
                        rx.el.label(rx.text(tr("operator.search"), size="2", weight="medium"), html_for="customer-search", class_name="sr-only"),
                        rx.input(id="customer-search", name="search", placeholder=tr("operator.search_placeholder"), size="3", flex="1",
                                 default_value=state.search),
                        rx.button(rx.icon("search", size=16), tr("operator.search"), type="submit", size="3"),
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=state.find,
                ),
                rx.cond(
                    state.rows.length() > 0,
                    rx.box(
                        table_region(
                            simple_table(
                                header=[header_cell(tr(key)) for key in (
                                    "operator.code", "operator.name", "operator.address", "operator.status", "operator.actions")],
                                body=rx.foreach(state.rows, customer_row),
                            ),
                            label=tr("operator.customers_title"),
                        ),
                        margin_top="1rem",
                        width="100%",
                    ),
                    empty(tr("operator.empty"), icon="users"),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
