"""Piano di ammortamento: 25 rows a page read in SQL, and ESPORTA with every row."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import ClassVar

import reflex as rx

from portal import i18n, routes
from portal.components.layout import page_body
from portal.components.shell import template
from portal.components.ui import alert, back_link, card, data_cell, data_table, export_button, page_header, pager
from portal.db import session_scope
from portal.models.enums import ScheduleLineKind
from portal.services.access.accounts import Principal
from portal.services.common.xlsx import safe_filename
from portal.services.contracts.exports import export_plan, kind_label, method_label
from portal.services.contracts.queries import (
    PLAN_PAGE_SIZE,
    PlanRow,
    access_contract,
    checked_contract_id,
    plan_page,
    plan_row_count,
)
from portal.state.exports import ExportState
from portal.state.i18n import tr
from portal.state.paging import PagedState
from portal.state.session import CUSTOMER, Audience, guard, guarded_by, redirect_to

COLUMNS = [
    ("plan.number", False),
    ("plan.due_date", False),
    ("plan.kind", False),
    ("plan.amount", True),
    ("plan.principal", True),
    ("plan.interest", True),
    ("plan.residual", True),
    ("plan.payment_method", False),
    ("plan.competence_start", False),
    ("plan.competence_end", False),
    ("plan.collection_date", False),
]


@dataclasses.dataclass(frozen=True)
class PlanLine:
    """A row of the plan, worded and formatted for the user's language."""

    number: int  # num. rata: 0 for the advance and for indexation rows
    due_date: str
    kind: str
    kind_code: str  # the ScheduleLineKind code
    amount: str
    principal: str
    interest: str
    residual: str
    method: str
    competence_start: str
    competence_end: str
    collection_date: str
    note: str  # for an indexation row: what it was computed on


def plan_line(line: PlanRow, base_rate: Decimal | None, lang: str) -> PlanLine:
    note = ""
    if line.kind is ScheduleLineKind.INDEXATION and line.index_rate is not None:
        note = i18n.translate(
            lang,
            "plan.index_note",
            balance=i18n.money(line.index_base_balance, lang),
            rate=i18n.percent(line.index_rate, lang),
            base=i18n.percent(base_rate, lang),
        )
    return PlanLine(
        number=line.number,
        due_date=i18n.short_date(line.due_date, lang),
        kind=kind_label(line, lang),
        kind_code=line.kind.value,
        amount=i18n.money(line.amount, lang),
        principal=i18n.money(line.principal, lang),
        interest=i18n.money(line.interest, lang),
        residual=i18n.money(line.residual_capital, lang),
        method=method_label(line, lang),
        competence_start=i18n.short_date(line.competence_start, lang),
        competence_end=i18n.short_date(line.competence_end, lang),
        collection_date=i18n.short_date(line.collection_date, lang),
        note=note,
    )


class PlanState(PagedState, ExportState):
    _readers: ClassVar[Audience] = CUSTOMER  # who may page through the list
    loaded: bool = False
    number: str = ""
    found: bool = False
    _page_size: int = PLAN_PAGE_SIZE
    _rows: list[PlanRow] = []
    _base_rate: Decimal | None = None

    def _read(self, principal: Principal, offset: int) -> None:
        """Read the page at `offset` of the plan of contract `self.number` (callers carry the guard)."""
        scope = principal.customer_scope
        with session_scope() as db:
            contract = access_contract(session=db, scope=scope, number=self.number)
            if contract is None:
                self.found = False
                self._rows = []
                self.total = 0
                return
            page = plan_page(session=db, contract=contract, offset=offset)
            self._base_rate = contract.base_index_rate
        self.found = True
        self._rows = page.rows
        self.offset = page.offset
        self.total = page.total

    def _show_page(self, principal: Principal):
        self._read(principal, self.offset)

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        self.number = self._query_param("numero")
        self._read(principal, 0)
        self.loaded = True

    @rx.event(background=True)
    @guarded_by("_exporter")  # a background handler cannot take the guard: _export runs it (state/exports.py)
    async def export(self):
        async with self:
            number = self.number
        return await self._export_by_contract(
            rows=export_plan,
            count=plan_row_count,
            contract_id=lambda db, scope: checked_contract_id(session=db, scope=scope, number=number),
            filename=safe_filename(f"piano-ammortamento-{number}"),
        )

    @rx.var
    def rows(self) -> list[PlanLine]:
        return [plan_line(line, self._base_rate, self.lang) for line in self._rows]

    @rx.var
    def heading(self) -> str:
        return f"{i18n.translate(self.lang, 'plan.title')} {self.number}"

    @rx.var
    def caption(self) -> str:
        return i18n.translate(self.lang, "plan.caption", number=self.number)

    @rx.var
    def rows_per_page(self) -> str:
        return i18n.translate(self.lang, "plan.rows_per_page", size=PLAN_PAGE_SIZE)


def plan_row(row: PlanLine) -> rx.Component:
    kind_weight = rx.cond(row.kind_code == ScheduleLineKind.INSTALMENT.value, "regular", "medium")
    return rx.el.tr(
        data_cell(row.number),
        data_cell(row.due_date),
        rx.el.td(
            rx.text(row.kind, weight=kind_weight),
            rx.cond(row.note != "", rx.text(row.note, size="1", color_scheme="gray", class_name="index-note")),
        ),
        data_cell(row.amount, True),
        data_cell(row.principal, True),
        data_cell(row.interest, True),
        data_cell(row.residual, True),
        data_cell(row.method),
        data_cell(row.competence_start),
        data_cell(row.competence_end),
        data_cell(row.collection_date),
        class_name="plan-row",
        data_kind=row.kind_code,
    )


@template(route=routes.PLAN, title_key="plan.title", on_load=PlanState.load)
def plan() -> rx.Component:
    state = PlanState
    table = data_table(
        state.rows, plan_row, columns=COLUMNS, label=state.caption, table_id="plan-table", caption=state.caption
    )
    return page_body(
        state.loaded,
        back_link("plan.back", routes.CONTRACTS + "?numero=" + state.number),
        page_header(
            state.heading,
            rx.cond(state.found, export_button(state, button_id="plan-export", on_click=state.export)),
        ),
        rx.cond(
            state.found,
            card(table, pager(state, "plan", rx.text(state.rows_per_page, size="2", color_scheme="gray"))),
            alert(tr("contracts.not_found"), "plan-not-found"),
        ),
    )
