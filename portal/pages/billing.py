"""Fatture e pagamenti: every document with its status, filters, the overdue total, the amounts
due in the next months, PDF and XML of each document, and ESPORTA."""

from __future__ import annotations

import datetime as dt

import reflex as rx

from portal import i18n, routes
from portal.components.shell import template
from portal.components.ui import card, empty, form, header_cell, loading, pager, simple_table, table_region
from portal.db import session_scope
from portal.models.enums import DocumentKind
from portal.services import clock
from portal.services.billing_exports import export_documents, reason_key
from portal.services.billing_views import (
    PAGE_SIZE,
    STATUS_FILTERS,
    DocumentFilter,
    DocumentRow,
    document_count,
    documents_page,
    monthly_due,
    overdue_balance,
)
from portal.services.contract_views import contract_choices, find_contract
from portal.services.exports import safe_filename
from portal.services.paging import clamp_offset
from portal.state.exports import ExportState
from portal.state.i18n import tr
from portal.state.paging import PagedState

ALL = "all"
COLUMNS = (
    ("billing.col.status", False), ("billing.col.contract", False), ("billing.col.due_date", False),
    ("billing.col.instalment", True), ("billing.col.reason", False), ("billing.col.payment", False),
    ("billing.col.amount", True), ("billing.col.paid", True), ("billing.col.balance", True),
    ("billing.col.overdue", True), ("billing.col.document", False),
)


def parse_day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class BillingState(PagedState, ExportState):
    loaded: bool = False
    contract: str = ALL
    status: str = ALL
    date_from: str = ""
    date_to: str = ""
    period_error: str = ""
    _page_size: int = PAGE_SIZE
    contract_options: list[dict[str, str]] = []
    _rows: list[DocumentRow] = []
    _overdue: object = None
    _months: list[tuple[dt.date, object]] = []

    def _filter(self, scope) -> DocumentFilter | None:
        """The filter the browser asked for, with a contract only if the user may see it."""
        contract_id = None
        if self.contract != ALL:
            with session_scope() as db:
                found = find_contract(session=db, scope=scope, number=self.contract)
            if found is None:
                self.contract = ALL
            else:
                contract_id = found.id
        status = self.status if self.status in STATUS_FILTERS else ALL
        return DocumentFilter(contract_id=contract_id, status=status,
                              date_from=parse_day(self.date_from), date_to=parse_day(self.date_to))

    def _show_page(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if principal.scope is None:
            return rx.redirect(routes.HOME)
        flt = self._filter(principal.scope)
        today = clock.today()
        with session_scope() as db:
            self.contract_options = [
                {"value": c.number, "label": f"{c.number} · {c.product}"}
                for c in contract_choices(session=db, scope=principal.scope)
            ]
            rows, total = documents_page(session=db, scope=principal.scope, flt=flt, today=today, offset=self.offset)
            self._overdue = overdue_balance(session=db, scope=principal.scope, contract_id=flt.contract_id, today=today)
            self._months = monthly_due(session=db, scope=principal.scope, contract_id=flt.contract_id, today=today)
        self._rows = rows
        self.total = total
        self.offset = clamp_offset(self.offset, total, PAGE_SIZE)  # the page documents_page showed
        return None

    @rx.event
    def load(self):
        self.contract = self._query_param("numero") or ALL
        self.status = ALL
        self.date_from = self.date_to = self.period_error = ""
        self.offset = 0
        result = self._show_page()
        self.loaded = True
        return result

    @rx.event
    def choose_contract(self, value: str):
        self.contract = value
        self.offset = 0
        return self._show_page()

    @rx.event
    def choose_status(self, value: str):
        self.status = value if value in STATUS_FILTERS else ALL
        self.offset = 0
        return self._show_page()

    @rx.event
    def apply_period(self, form_data: dict):
        start, end = str(form_data.get("date_from", "")), str(form_data.get("date_to", ""))
        try:
            first, last = parse_day(start), parse_day(end)
        except ValueError:
            self.period_error = self._t("billing.date_invalid")
            return
        if first and last and first > last:
            self.period_error = self._t("billing.period_invalid")
            return
        self.period_error = ""
        self.date_from, self.date_to = start, end
        self.offset = 0
        return self._show_page()

    @rx.event
    def clear_filters(self):
        self.status = ALL
        self.date_from = self.date_to = self.period_error = ""
        self.offset = 0
        return [self._show_page(), rx.set_value("billing-from", ""), rx.set_value("billing-to", "")]

    @rx.event(background=True)
    async def export(self):
        async with self:
            contract, status, date_from, date_to = self.contract, self.status, self.date_from, self.date_to

        def current_filter(db, scope) -> DocumentFilter:
            contract_id = None
            if contract != ALL:
                found = find_contract(session=db, scope=scope, number=contract)
                if found is None:
                    raise PermissionError("contract outside the caller's scope")
                contract_id = found.id
            return DocumentFilter(contract_id=contract_id, status=status if status in STATUS_FILTERS else ALL,
                                  date_from=parse_day(date_from), date_to=parse_day(date_to))

        today = clock.today()
        return await self._export(
            build=lambda db, scope, lang, path, progress: export_documents(
                session=db, scope=scope, flt=current_filter(db, scope), today=today, lang=lang, path=path, progress=progress),
            total=lambda db, scope: document_count(session=db, scope=scope, flt=current_filter(db, scope), today=today),
            filename=safe_filename(f"fatture-e-pagamenti-{contract if contract != ALL else today.isoformat()}"),
        )

    # what the page shows -----------------------------------------------------------------------

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        lang = self.lang
        result = []
        for row in self._rows:
            note = ""
            if row.corrects:
                note = i18n.translate(lang, "billing.corrects", number=row.corrects)
            elif row.corrected_by:
                note = i18n.translate(lang, "billing.corrected_by", number=row.corrected_by)
            result.append({
                "id": str(row.invoice_id),
                "status": row.status.value,
                "status_label": i18n.translate(lang, f"billing.status.{row.status.value}"),
                "contract": row.contract_number,
                "due_date": i18n.short_date(row.due_date, lang),
                "instalment": str(row.instalment_number) if row.instalment_number is not None else "",
                "reason": i18n.translate(lang, reason_key(row)),
                "payment": i18n.translate(lang, f"payment_method.{row.payment_method.value}"),
                "amount": i18n.money(row.total, lang),
                "paid": i18n.money(row.paid, lang),
                "balance": i18n.money(row.balance, lang),
                "overdue": i18n.money(row.overdue_balance, lang),
                "number": row.number,
                "credit_note": "1" if row.kind is DocumentKind.CREDIT_NOTE else "",
                "note": note,
                "paper": "1" if row.paper_copy else "",
                "pdf_url": routes.invoice_pdf_url(row.invoice_id),
                "xml_url": routes.invoice_xml_url(row.invoice_id),
                "pdf_label": i18n.translate(lang, "billing.open_pdf", number=row.number),
                "xml_label": i18n.translate(lang, "billing.download_xml", number=row.number),
            })
        return result

    @rx.var
    def overdue_text(self) -> str:
        return i18n.money(self._overdue, self.lang)

    @rx.var
    def has_overdue(self) -> bool:
        return bool(self._overdue)

    @rx.var
    def status_options(self) -> list[dict[str, str]]:
        return [
            {"value": value, "label": i18n.translate(self.lang, "billing.status_all" if value == ALL else f"billing.status.{value}")}
            for value in STATUS_FILTERS
        ]

    @rx.var
    def chart_bars(self) -> list[dict[str, str | float]]:
        lang = self.lang
        bars = [{"label": i18n.translate(lang, "billing.chart_overdue"), "amount": float(self._overdue or 0), "fill": "var(--red-9)"}]
        bars += [{"label": i18n.month_label(month, lang), "amount": float(amount), "fill": "var(--accent-9)"}
                 for month, amount in self._months]
        return bars

    @rx.var
    def chart_summary(self) -> str:
        due = sum((amount for _, amount in self._months), 0)
        return i18n.translate(self.lang, "billing.chart_summary", overdue=i18n.money(self._overdue, self.lang),
                              total=i18n.money(due, self.lang))


def filters() -> rx.Component:
    state = BillingState

    def labelled(field_id: str, label_key: str, control: rx.Component, min_width: str = "150px") -> rx.Component:
        return rx.flex(rx.el.label(rx.text(tr(label_key), size="2", weight="medium"), html_for=field_id), control,
                       direction="column", spacing="1", min_width=min_width)

    return card(
        rx.flex(
            labelled("billing-contract", "billing.contract", rx.el.select(
                rx.el.option(tr("billing.all_contracts"), value=ALL),
                rx.foreach(state.contract_options, lambda option: rx.el.option(option["label"], value=option["value"])),
                id="billing-contract", value=state.contract, on_change=state.choose_contract, class_name="portal-select",
            ), min_width="240px"),
            labelled("billing-status", "billing.status", rx.el.select(
                rx.foreach(state.status_options, lambda option: rx.el.option(option["label"], value=option["value"])),
                id="billing-status", value=state.status, on_change=state.choose_status, class_name="portal-select",
            ), min_width="170px"),
            form(
                rx.flex(
                    labelled("billing-from", "billing.from", rx.input(type="date", id="billing-from", name="date_from", size="2",
                                                                    aria_describedby="billing-period-error")),
                    labelled("billing-to", "billing.to", rx.input(type="date", id="billing-to", name="date_to", size="2",
                                                                aria_describedby="billing-period-error")),
                    rx.button(tr("billing.apply"), type="submit", variant="soft", id="billing-apply"),
                    rx.button(tr("billing.reset"), type="button", variant="ghost", color_scheme="gray", on_click=state.clear_filters),
                    spacing="3", align="end", wrap="wrap",
                ),
                rx.cond(state.period_error != "", rx.text(state.period_error, id="billing-period-error", color_scheme="red", size="2", role="alert")),
                on_submit=state.apply_period,
            ),
            spacing="5", wrap="wrap", align="end",
        ),
    )


def document_row(row) -> rx.Component:
    def cell(key: str, numeric: bool = False) -> rx.Component:
        return rx.el.td(row[key], class_name="portal-num" if numeric else "")

    return rx.el.tr(
        rx.el.td(rx.badge(row["status_label"], color_scheme=rx.match(row["status"], ("paid", "green"), ("overdue", "red"), "amber"))),
        cell("contract"), cell("due_date"), cell("instalment", True), cell("reason"), cell("payment"),
        cell("amount", True), cell("paid", True), cell("balance", True), cell("overdue", True),
        rx.el.td(
            rx.vstack(
                rx.text(row["number"], weight="medium", white_space="nowrap"),
                rx.hstack(
                    rx.link(tr("billing.pdf"), href=row["pdf_url"], is_external=True, aria_label=row["pdf_label"], class_name="pdf-link"),
                    rx.link(tr("billing.xml"), href=row["xml_url"], aria_label=row["xml_label"], class_name="xml-link"),
                    spacing="2",
                ),
                rx.cond(row["note"] != "", rx.text(row["note"], size="1", color_scheme="gray", class_name="document-note")),
                rx.cond(row["paper"] != "", rx.badge(tr("billing.paper"), variant="outline", size="1")),
                spacing="1",
            ),
        ),
        class_name="document-row",
        data_status=row["status"],
        data_number=row["number"],
    )


def chart() -> rx.Component:
    return card(
        rx.box(
            rx.recharts.bar_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                rx.recharts.bar(rx.foreach(BillingState.chart_bars, lambda bar: rx.recharts.cell(fill=bar["fill"].to(str))),
                                data_key="amount", is_animation_active=False),
                rx.recharts.x_axis(data_key="label", interval=0, font_size=11),
                rx.recharts.y_axis(width=70),
                rx.recharts.graphing_tooltip(),
                data=BillingState.chart_bars,
                height=220,
                width="100%",
            ),
            role="img",
            aria_label=BillingState.chart_summary,
        ),
        rx.text(BillingState.chart_summary, size="1", color_scheme="gray", id="billing-chart-summary"),
        title=tr("billing.chart_title"),
    )


@template(route=routes.BILLING, title_key="billing.title", on_load=BillingState.load)
def billing() -> rx.Component:
    state = BillingState
    return rx.cond(
        state.loaded,
        rx.vstack(
            rx.flex(
                rx.heading(tr("billing.title"), as_="h1", size="7"),
                rx.vstack(
                    rx.button(rx.icon("file-spreadsheet", size=16), tr("plan.export"), on_click=state.export,
                              loading=state.export_running, id="billing-export", disabled=state.total == 0),
                    rx.cond(state.export_running, rx.text(state.export_progress_text, size="1", role="status")),
                    align="end",
                ),
                justify="between", align="center", wrap="wrap", gap="3", width="100%",
            ),
            filters(),
            chart(),
            card(
                rx.cond(
                    state.rows.length() > 0,
                    rx.vstack(
                        table_region(
                            simple_table(
                                caption=tr("billing.caption"),
                                header=[header_cell(tr(key), numeric) for key, numeric in COLUMNS],
                                body=rx.foreach(state.rows, document_row),
                                table_id="billing-table",
                            ),
                            label=tr("billing.caption"),
                        ),
                        pager(state, "billing"),
                        width="100%",
                    ),
                    empty(tr("billing.empty"), icon="receipt-text"),
                ),
                rx.flex(
                    rx.text(tr("billing.total_overdue"), weight="medium"),
                    rx.text(state.overdue_text, weight="bold", id="billing-total-overdue",
                            color=rx.cond(state.has_overdue, "var(--red-11)", "inherit")),
                    justify="end", gap="3", margin_top="1rem", padding_top="0.75rem", border_top="1px solid var(--gray-a5)",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
