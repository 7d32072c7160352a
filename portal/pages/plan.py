"""Piano di ammortamento: 25 rows a page read in SQL, and ESPORTA with every row."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.components.shell import template
from portal.components.ui import back_link, card, header_cell, loading, pager, simple_table, table_region
from portal.db import session_scope
from portal.models import ScheduleLine
from portal.models.enums import ScheduleLineKind
from portal.services.contract_exports import export_plan, kind_label, method_label
from portal.services.contract_views import PLAN_PAGE_SIZE, find_contract, plan_page, plan_row_count
from portal.services.exports import safe_filename
from portal.state.exports import ExportState
from portal.state.i18n import tr
from portal.state.paging import PagedState

COLUMNS = (
    ("plan.number", False), ("plan.due_date", False), ("plan.kind", False), ("plan.amount", True),
    ("plan.principal", True), ("plan.interest", True), ("plan.residual", True), ("plan.payment_method", False),
    ("plan.competence_start", False), ("plan.competence_end", False), ("plan.collection_date", False),
)


class PlanState(PagedState, ExportState):
    loaded: bool = False
    number: str = ""
    found: bool = False
    _page_size: int = PLAN_PAGE_SIZE
    _rows: list[ScheduleLine] = []
    _base_rate: object = None

    def _read(self, offset: int):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if principal.scope is None:
            return rx.redirect(routes.HOME)
        with session_scope() as db:
            contract = find_contract(session=db, scope=principal.scope, number=self.number)
            if contract is None:
                self.found = False
                self._rows = []
                self.total = 0
                return None
            page = plan_page(session=db, contract=contract, offset=offset)
            self._base_rate = contract.base_index_rate
        self.found = True
        self._rows = page.rows
        self.offset = page.offset
        self.total = page.total
        return None

    def _show_page(self):
        return self._read(self.offset)

    @rx.event
    def load(self):
        self.number = self._query_param("numero")
        result = self._read(0)
        self.loaded = True
        return result

    @rx.event(background=True)
    async def export(self):
        async with self:
            number = self.number
        return await self._export(
            build=lambda db, scope, lang, path, progress: export_plan(
                session=db, scope=scope, contract_id=_checked_id(db, scope, number), lang=lang, path=path, progress=progress),
            total=lambda db, scope: plan_row_count(session=db, scope=scope, contract_id=_checked_id(db, scope, number)),
            filename=safe_filename(f"piano-ammortamento-{number}"),
        )

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        lang = self.lang
        result = []
        for line in self._rows:
            note = ""
            if line.kind is ScheduleLineKind.INDEXATION and line.index_rate is not None:
                note = i18n.translate(
                    lang, "plan.index_note", balance=i18n.money(line.index_base_balance, lang),
                    rate=i18n.percent(line.index_rate, lang), base=i18n.percent(self._base_rate, lang),
                )
            result.append({
                "number": str(line.number),
                "due_date": i18n.short_date(line.due_date, lang),
                "kind": kind_label(line, lang),
                "kind_code": line.kind.value,
                "amount": i18n.money(line.amount, lang),
                "principal": i18n.money(line.principal, lang),
                "interest": i18n.money(line.interest, lang),
                "residual": i18n.money(line.residual_capital, lang),
                "method": method_label(line, lang),
                "competence_start": i18n.short_date(line.competence_start, lang),
                "competence_end": i18n.short_date(line.competence_end, lang),
                "collection_date": i18n.short_date(line.collection_date, lang),
                "note": note,
            })
        return result

    @rx.var
    def caption(self) -> str:
        return i18n.translate(self.lang, "plan.caption", number=self.number)

    @rx.var
    def rows_per_page(self) -> str:
        return i18n.translate(self.lang, "plan.rows_per_page", size=PLAN_PAGE_SIZE)


def _checked_id(db, scope, number: str) -> int:
    """The contract id, re-checked against the scope inside the export itself."""
    contract = find_contract(session=db, scope=scope, number=number)
    if contract is None:
        raise PermissionError("contract outside the caller's scope")
    return contract.id


def plan_row(row) -> rx.Component:
    def cell(key: str, numeric: bool = False) -> rx.Component:
        return rx.el.td(row[key], class_name="portal-num" if numeric else "")

    return rx.el.tr(
        cell("number"),
        cell("due_date"),
        rx.el.td(
            rx.text(row["kind"], weight=rx.cond(row["kind_code"] == "instalment", "regular", "medium")),
            rx.cond(row["note"] != "", rx.text(row["note"], size="1", color_scheme="gray", class_name="index-note")),
        ),
        cell("amount", True), cell("principal", True), cell("interest", True), cell("residual", True),
        cell("method"), cell("competence_start"), cell("competence_end"), cell("collection_date"),
        class_name="plan-row",
        data_kind=row["kind_code"],
    )


def plan_table() -> rx.Component:
    return table_region(
        simple_table(
            caption=PlanState.caption,
            header=[header_cell(tr(key), numeric) for key, numeric in COLUMNS],
            body=rx.foreach(PlanState.rows, plan_row),
            table_id="plan-table",
        ),
        label=PlanState.caption,
    )


@template(route=routes.PLAN, title_key="plan.title", on_load=PlanState.load)
def plan() -> rx.Component:
    return rx.cond(
        PlanState.loaded,
        rx.vstack(
            back_link("plan.back", routes.CONTRACTS + "?numero=" + PlanState.number),
            rx.flex(
                rx.heading(tr("plan.title"), " ", PlanState.number, as_="h1", size="7"),
                rx.cond(
                    PlanState.found,
                    rx.vstack(
                        rx.button(rx.icon("file-spreadsheet", size=16), tr("plan.export"), on_click=PlanState.export,
                                  loading=PlanState.export_running, id="plan-export"),
                        rx.cond(PlanState.export_running, rx.text(PlanState.export_progress_text, size="1", role="status")),
                        align="end",
                    ),
                ),
                justify="between", align="center", wrap="wrap", gap="3", width="100%",
            ),
            rx.cond(
                PlanState.found,
                card(plan_table(), pager(PlanState, "plan", rx.text(PlanState.rows_per_page, size="2", color_scheme="gray"))),
                rx.callout(tr("contracts.not_found"), icon="triangle-alert", color_scheme="red", role="alert", id="plan-not-found", width="100%"),
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
