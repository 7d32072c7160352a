"""Beni in locazione: every leased asset of the customer, or of one contract, and ESPORTA."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.components.shell import template
from portal.components.ui import card, empty, loading, pager
from portal.db import session_scope
from portal.services import clock
from portal.services.contract_exports import export_assets
from portal.services.contract_views import ASSET_PAGE_SIZE, AssetRow, asset_count, assets_page, contract_choices, find_contract
from portal.services.exports import safe_filename
from portal.state.exports import ExportState
from portal.state.i18n import tr
from portal.state.paging import PagedState

ALL = "all"


class AssetsState(PagedState, ExportState):
    loaded: bool = False
    contract: str = ALL
    _page_size: int = ASSET_PAGE_SIZE
    contract_options: list[dict[str, str]] = []
    _rows: list[AssetRow] = []

    def _show_page(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if principal.scope is None:
            return rx.redirect(routes.HOME)
        with session_scope() as db:
            choices = contract_choices(session=db, scope=principal.scope)
            contract_id = None
            if self.contract != ALL:
                found = find_contract(session=db, scope=principal.scope, number=self.contract)
                if found is None:
                    self.contract = ALL
                else:
                    contract_id = found.id
            rows, total = assets_page(session=db, scope=principal.scope, contract_id=contract_id, offset=self.offset)
        self.contract_options = [{"value": choice.number, "label": f"{choice.number} · {choice.product}"} for choice in choices]
        self._rows = rows
        self.total = total
        return None

    @rx.event
    def load(self):
        self.contract = self._query_param("numero") or ALL
        self.offset = 0
        result = self._show_page()
        self.loaded = True
        return result

    @rx.event
    def choose(self, value: str):
        self.contract = value
        self.offset = 0
        return self._show_page()

    @rx.event(background=True)
    async def export(self):
        async with self:
            number = self.contract

        def contract_id(db, scope):
            if number == ALL:
                return None
            found = find_contract(session=db, scope=scope, number=number)
            if found is None:
                raise PermissionError("contract outside the caller's scope")
            return found.id

        return await self._export(
            build=lambda db, scope, lang, path, progress: export_assets(
                session=db, scope=scope, contract_id=contract_id(db, scope), lang=lang, path=path, progress=progress),
            total=lambda db, scope: asset_count(session=db, scope=scope, contract_id=contract_id(db, scope)),
            filename=safe_filename(f"beni-in-locazione-{number if number != ALL else clock.today().isoformat()}"),
        )

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        lang = self.lang
        return [
            {
                "contract": row.contract_number,
                "code": row.code,
                "type": row.asset_type,
                "amount": i18n.money(row.financial_value, lang),
                "residual": i18n.money(row.expected_future_value, lang),
                "lease_end": i18n.short_date(row.lease_end, lang),
                "description": row.description,
                "serial": row.serial_number or "",
                "plate": row.plate or "",
            }
            for row in self._rows
        ]


def field_line(label_key: str, value, value_class: str = "") -> rx.Component:
    return rx.fragment(
        rx.el.dt(tr(label_key)),
        rx.el.dd(value, class_name=value_class),
    )


def asset_card(row) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.heading(row["description"], as_="h2", size="3"),
            spacing="2",
        ),
        rx.el.dl(
            field_line("assets.contract", rx.link(row["contract"], href=routes.CONTRACTS + "?numero=" + row["contract"])),
            field_line("assets.code", row["code"]),
            field_line("assets.type", row["type"]),
            field_line("assets.amount", row["amount"], "asset-amount"),
            field_line("assets.residual", row["residual"], "asset-residual"),
            field_line("assets.lease_end", row["lease_end"]),
            rx.cond(row["plate"] != "", field_line("assets.plate", row["plate"])),
            rx.cond(row["serial"] != "", field_line("assets.serial", row["serial"])),
            class_name="portal-figures",
            display="grid",
            grid_template_columns="auto 1fr",
            column_gap="1rem",
            row_gap="0.35rem",
            margin_top="0.75rem",
        ),
        class_name="asset-card",
        width="100%",
    )


@template(route=routes.ASSETS, title_key="assets.title", on_load=AssetsState.load)
def assets() -> rx.Component:
    state = AssetsState
    return rx.cond(
        state.loaded,
        rx.vstack(
            rx.flex(
                rx.heading(tr("assets.title"), as_="h1", size="7"),
                rx.vstack(
                    rx.button(rx.icon("file-spreadsheet", size=16), tr("plan.export"), on_click=state.export,
                              loading=state.export_running, id="assets-export", disabled=state.total == 0),
                    rx.cond(state.export_running, rx.text(state.export_progress_text, size="1", role="status")),
                    align="end",
                ),
                justify="between", align="center", wrap="wrap", gap="3", width="100%",
            ),
            rx.flex(
                rx.el.label(rx.text(tr("assets.filter"), weight="medium", size="2"), html_for="assets-contract"),
                rx.el.select(
                    rx.el.option(tr("assets.all"), value=ALL),
                    rx.foreach(state.contract_options, lambda option: rx.el.option(option["label"], value=option["value"])),
                    id="assets-contract", value=state.contract, on_change=state.choose, class_name="portal-select", max_width="420px",
                ),
                direction="column", spacing="1", width="100%",
            ),
            rx.cond(
                state.rows.length() > 0,
                rx.vstack(
                    rx.grid(rx.foreach(state.rows, asset_card), columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%", id="assets-list"),
                    pager(state, "assets"),
                    width="100%",
                    spacing="3",
                ),
                card(empty(tr("assets.empty"), icon="package")),
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
