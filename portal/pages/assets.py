"""Beni in locazione: every leased asset of the customer, or of one contract, and ESPORTA."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx

from portal import i18n, routes
from portal.components.fields import labelled
from portal.components.filters import contract_search, contract_select
from portal.components.layout import column, page_body, two_columns
from portal.components.shell import template
from portal.components.ui import card, empty, export_button, label_grid, page_header, pager
from portal.db import session_scope
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.common.xlsx import safe_filename
from portal.services.contracts.exports import export_assets
from portal.services.contracts.queries import ASSET_PAGE_SIZE, AssetRow, asset_count, assets_page
from portal.state.contract_filter import ALL, ContractFilterState, chosen_contract_id
from portal.state.exports import ExportState
from portal.state.i18n import tr
from portal.state.session import CUSTOMER, Audience, guard, guarded_by, redirect_to


@dataclasses.dataclass(frozen=True)
class AssetCard:
    """A leased asset, formatted for the user's language."""

    contract: str
    contract_url: str
    code: str
    asset_type: str
    amount: str
    residual: str
    lease_end: str
    description: str
    serial: str  # "" when the asset has none
    plate: str  # "" when the asset has none


def asset_card_of(row: AssetRow, lang: str) -> AssetCard:
    return AssetCard(
        contract=row.contract_number,
        contract_url=routes.contract_url(row.contract_number),
        code=row.code,
        asset_type=i18n.coded(lang, "asset_type", row.asset_type_code, row.asset_type),
        amount=i18n.money(row.financial_value, lang),
        residual=i18n.money(row.expected_future_value, lang),
        lease_end=i18n.short_date(row.lease_end, lang),
        description=row.description,
        serial=row.serial_number or "",
        plate=row.plate or "",
    )


class AssetsState(ContractFilterState, ExportState):
    _readers: ClassVar[Audience] = CUSTOMER  # who may page through the list
    loaded: bool = False
    _page_size: int = ASSET_PAGE_SIZE
    _rows: list[AssetRow] = []

    def _show_page(self, principal: Principal):
        """Read the page at `self.offset` of the chosen contract's assets (callers carry the guard)."""
        scope = principal.customer_scope
        with session_scope() as db:
            contract_id = self._contract_id(db, scope)
            self._rows, self.total = assets_page(session=db, scope=scope, contract_id=contract_id, offset=self.offset)

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        self.contract = self._query_param("numero") or ALL
        self._first_page(principal)
        self.loaded = True

    @rx.event(background=True)
    @guarded_by("_exporter")  # a background handler cannot take the guard: _export runs it (state/exports.py)
    async def export(self):
        async with self:
            number = self.contract

        return await self._export_by_contract(
            rows=export_assets,
            count=asset_count,
            contract_id=lambda db, scope: chosen_contract_id(db, scope, number),
            filename=safe_filename(f"beni-in-locazione-{number if number != ALL else clock.today().isoformat()}"),
        )

    @rx.var
    def rows(self) -> list[AssetCard]:
        return [asset_card_of(row, self.lang) for row in self._rows]


def field_line(label_key: str, value, value_class: str = "") -> rx.Component:
    return rx.fragment(
        rx.el.dt(tr(label_key)),
        rx.el.dd(value, class_name=value_class),
    )


def asset_figures(row: AssetCard) -> rx.Component:
    return label_grid(
        field_line("assets.contract", rx.link(row.contract, href=row.contract_url)),
        field_line("assets.code", row.code),
        field_line("assets.type", row.asset_type),
        field_line("assets.amount", row.amount, "asset-amount"),
        field_line("assets.residual", row.residual, "asset-residual"),
        field_line("assets.lease_end", row.lease_end),
        rx.cond(row.plate != "", field_line("assets.plate", row.plate)),
        rx.cond(row.serial != "", field_line("assets.serial", row.serial)),
    )


def asset_card(row: AssetCard) -> rx.Component:
    heading = rx.hstack(rx.heading(row.description, as_="h2", size="3"), spacing="2")
    return rx.card(heading, asset_figures(row), class_name="asset-card", width="100%")


def contract_filter() -> rx.Component:
    choice = contract_select(AssetsState, "assets-contract", tr("assets.all"), max_width="420px")
    return column(
        contract_search(AssetsState, "assets-contract-search", max_width="420px"),
        labelled("assets-contract", tr("assets.filter"), choice),
    )


@template(route=routes.ASSETS, title_key="assets.title", on_load=AssetsState.load)
def assets() -> rx.Component:
    state = AssetsState
    return page_body(
        state.loaded,
        page_header(
            tr("assets.title"),
            export_button(state, button_id="assets-export", on_click=state.export, disabled=state.total == 0),
        ),
        contract_filter(),
        rx.cond(
            state.rows.length() > 0,
            column(two_columns(rx.foreach(state.rows, asset_card), id="assets-list"), pager(state, "assets"), gap="3"),
            card(empty(tr("assets.empty"), icon="package")),
        ),
    )
