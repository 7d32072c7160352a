"""Home's state: "La tua situazione", the active contracts, the latest requests."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal import i18n, routes
from portal.db import session_scope
from portal.forms import registry
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.contracts.lease_end import LeaseEndView, customer_views
from portal.services.home import HomeSummary, home_summary
from portal.services.requests.queries import RequestRow, latest_requests_of_tenant
from portal.state.lease_end import LeaseEndCard, lease_end_card
from portal.state.rows import FormLink, RequestLine, form_link, request_line
from portal.state.session import SIGNED_IN, SessionState, guard

OPERATOR_REQUESTS = 10


@dataclasses.dataclass(frozen=True)
class ContractCardView:
    number: str
    product: str
    assets: str
    amount: str
    signed_on: str
    end_date: str
    url: str


class HomeState(SessionState):
    loaded: bool = False
    may_submit: bool = False
    _summary: HomeSummary | None = None
    _tenant_requests: list[RequestRow] = []
    _lease_ends: list[LeaseEndView] = []  # the contracts within 120 days of their end (issue 15)

    @rx.event
    @guard(SIGNED_IN)
    def load(self, principal: Principal):
        self.may_submit = principal.may_submit_requests and principal.scope is not None
        with session_scope() as db:
            if principal.scope is None:
                self._summary = None
                self._tenant_requests = latest_requests_of_tenant(
                    session=db, tenant_id=principal.tenant_id, limit=OPERATOR_REQUESTS
                )
            else:
                self._summary = home_summary(
                    session=db, scope=principal.scope, today=clock.today(), user_id=principal.user_id
                )
                self._tenant_requests = []
            self._lease_ends = (
                customer_views(session=db, scope=principal.scope, today=clock.today()) if principal.scope else []
            )
        self.loaded = True

    @rx.var
    def today_text(self) -> str:
        return i18n.long_date(self._summary.today if self._summary else clock.today(), self.lang)

    @rx.var
    def overdue_text(self) -> str:
        return i18n.money(self._summary.overdue_total if self._summary else None, self.lang)

    @rx.var
    def has_overdue(self) -> bool:
        return bool(self._summary and self._summary.overdue_total > 0)

    @rx.var
    def next_due_text(self) -> str:
        if self._summary is None or self._summary.next_due_date is None:
            return i18n.translate(self.lang, "home.no_next_due")
        return i18n.short_date(self._summary.next_due_date, self.lang)

    @rx.var
    def next_payment_text(self) -> str:
        return i18n.money(self._summary.next_payment if self._summary else None, self.lang)

    @rx.var
    def advances_text(self) -> str:
        return i18n.money(self._summary.advances_paid if self._summary else None, self.lang)

    @rx.var
    def contracts_total_text(self) -> str:
        count = self._summary.active_contract_count if self._summary else 0
        return i18n.translate(self.lang, "home.total", count=count)

    @rx.var
    def contracts_summary_text(self) -> str:
        if self._summary is None:
            return ""
        summary = self._summary
        return i18n.translate(
            self.lang,
            "home.contracts_summary",
            contracts=i18n.translate(self.lang, "home.contracts_count", count=summary.active_contract_count),
            assets=i18n.translate(self.lang, "home.assets_count", count=summary.active_asset_count),
        )

    @rx.var
    def more_contracts_text(self) -> str:
        if self._summary is None:
            return ""
        hidden = self._summary.active_contract_count - len(self._summary.contracts)
        return i18n.translate(self.lang, "home.more_contracts", count=hidden) if hidden > 0 else ""

    @rx.var
    def contract_cards(self) -> list[ContractCardView]:
        if self._summary is None:
            return []
        return [
            ContractCardView(
                number=card.number,
                product=i18n.product_name(self.lang, card.product_code, card.product),
                assets=i18n.translate(self.lang, "home.contract_assets", count=card.asset_count),
                amount=i18n.money(card.amount, self.lang),
                signed_on=i18n.short_date(card.signed_on, self.lang),
                end_date=i18n.short_date(card.end_date, self.lang),
                url=routes.contract_url(card.number),
            )
            for card in self._summary.contracts
        ]

    @rx.var
    def lease_ends(self) -> list[LeaseEndCard]:
        return [lease_end_card(view, self.lang) for view in self._lease_ends]

    @rx.var
    def request_rows(self) -> list[RequestLine]:
        rows = self._summary.latest_requests if self._summary else self._tenant_requests
        return [
            request_line(
                row,
                url=routes.desk_request_url(row.code) if self.is_operator else routes.request_url(row.code),
                lang=self.lang,
                customer=row.customer_name,
            )
            for row in rows
        ]

    @rx.var
    def self_service_forms(self) -> list[FormLink]:
        if self._summary is None or not self.may_submit:
            return []
        return [form_link(form, self.lang) for form in registry().values() if form.on_home]
