"""Contratti: the chosen contract's data by group, its capitale residuo chart and progress."""

from __future__ import annotations

import reflex as rx
from stdnum import iban as iban_numbers

from portal import i18n, routes
from portal.components.shell import is_registered, template
from portal.components.ui import card, empty, loading
from portal.db import session_scope
from portal.models.enums import ContractStatus
from portal.services import clock
from portal.services.contract_exports import export_plan
from portal.services.contract_views import (
    ContractDetail,
    Progress,
    balance_series,
    contract_choices,
    contract_detail,
    instalment_progress,
    plan_row_count,
)
from portal.services.exports import safe_filename
from portal.services.statements import statement_years
from portal.state.exports import ExportState
from portal.state.i18n import tr


def contract_option_label(lang: str, number: str, product: str, status: ContractStatus, end_date) -> str:
    return i18n.translate(
        lang, "contracts.option", number=number, product=product,
        status=i18n.translate(lang, f"contract_status.{status.value}"), date=i18n.short_date(end_date, lang),
    )


class ContractsState(ExportState):
    loaded: bool = False
    selected: str = ""
    not_found: bool = False
    _choices: list[tuple[str, str, ContractStatus, object]] = []
    _detail: ContractDetail | None = None
    _series: list[tuple[object, object]] = []
    _progress: Progress | None = None

    @rx.event
    def load(self):
        principal = self._principal()
        if principal is None:
            return self._to_login()
        if principal.scope is None:
            return rx.redirect(routes.HOME)
        wanted = self._query_param("numero")
        today = clock.today()
        with session_scope() as db:
            choices = contract_choices(session=db, scope=principal.scope)
            self._choices = [(c.number, c.product, c.status, c.end_date) for c in choices]
            number = wanted or (choices[0].number if choices else "")
            detail = contract_detail(session=db, scope=principal.scope, number=number, today=today) if number else None
            self._detail = detail
            self._series = balance_series(session=db, contract=detail.contract) if detail else []
            self._progress = instalment_progress(session=db, contract=detail.contract, today=today) if detail else None
        self.selected = detail.contract.number if detail else ""
        self.not_found = bool(wanted) and detail is None
        self.loaded = True

    @rx.event
    def choose(self, number: str):
        return rx.redirect(routes.contract_url(number))

    @rx.event(background=True)
    async def export_all_plans(self):
        return await self._export(
            build=lambda db, scope, lang, path, progress: export_plan(
                session=db, scope=scope, contract_id=None, lang=lang, path=path, progress=progress),
            total=lambda db, scope: plan_row_count(session=db, scope=scope, contract_id=None),
            filename=safe_filename(f"piani-ammortamento-{clock.today().isoformat()}"),
        )

    # what the page shows, in the user's language -------------------------------------------

    @rx.var
    def choices(self) -> list[dict[str, str]]:
        return [
            {"number": number, "label": contract_option_label(self.lang, number, product, status, end)}
            for number, product, status, end in self._choices
        ]

    @rx.var
    def has_contract(self) -> bool:
        return self._detail is not None

    @rx.var
    def is_active(self) -> bool:
        return bool(self._detail and self._detail.contract.status is ContractStatus.ACTIVE)

    @rx.var
    def fields(self) -> dict[str, str]:
        if self._detail is None:
            return {}
        detail, contract, lang = self._detail, self._detail.contract, self.lang
        money = lambda value: i18n.money(value, lang)  # noqa: E731
        rate_name = (
            i18n.translate(lang, f"contracts.rate.{contract.reference_rate}")
            if contract.reference_rate
            else i18n.translate(lang, "contracts.fixed_rate")
        )
        return {
            "number": contract.number,
            "number_module": f"{contract.number}/{contract.module_number}",
            "product": contract.product,
            "status": i18n.translate(lang, f"contract_status.{contract.status.value}"),
            "amount": money(contract.amount),
            "assets": str(detail.asset_count),
            "end_date": i18n.short_date(contract.end_date, lang),
            "signed_on": i18n.short_date(contract.signed_on, lang),
            "start_date": i18n.short_date(contract.start_date, lang),
            "extinguished_on": i18n.short_date(contract.extinguished_on, lang),
            "beneficiary_code": contract.beneficiary_code,
            "beneficiary": contract.beneficiary_name,
            "iban": iban_numbers.format(contract.direct_debit_iban) if contract.direct_debit_iban else "—",
            "reference_rate": rate_name,
            "subsidy": contract.subsidy or i18n.translate(lang, "contracts.no_subsidy"),
            "first_instalment": (
                f"{i18n.translate(lang, 'contracts.first_advance')} {money(detail.first_instalment)}"
                if contract.advance > 0 else money(detail.first_instalment)
            ),
            "advance": money(contract.advance),
            "residual_value": money(contract.residual_value),
            "residual_capital": money(detail.residual_capital_today),
            "periodicity": i18n.translate(lang, f"contracts.periodicity.{contract.periodicity_months}"),
            "count": str(contract.instalment_count),
            "instalment_amount": money(contract.instalment_amount),
            "duration": str(contract.duration_months),
            "leasing_rate": i18n.percent(contract.annual_rate, lang),
            "spread": i18n.percent(contract.spread, lang) if contract.spread is not None else "—",
            "plan_url": routes.plan_url(contract.number),
            "assets_url": routes.assets_url(contract.number),
            "billing_url": routes.billing_url(contract.number),
        }

    @rx.var
    def statements(self) -> list[dict[str, str]]:
        if self._detail is None:
            return []
        contract = self._detail.contract
        return [
            {
                "year": str(year),
                "title": i18n.translate(self.lang, "documents.statement", year=year),
                "url": routes.statement_url(contract.number, year),
            }
            for year in statement_years(contract, clock.today())
        ]

    def _points(self) -> list[tuple[object, object]]:
        """One point per day: on signing day the balance after the advance (categories of the
        chart's axis must be unique for the today line to find its place)."""
        by_day = dict(self._series)
        return sorted(by_day.items())

    @rx.var
    def balance_points(self) -> list[dict[str, float | str]]:
        return [{"label": i18n.short_date(day, self.lang), "balance": float(balance)} for day, balance in self._points()]

    @rx.var
    def today_label(self) -> str:
        today = clock.today()
        points = self._points()
        past = [day for day, _ in points if day <= today]
        return i18n.short_date(past[-1], self.lang) if past and today <= points[-1][0] else ""

    @rx.var
    def chart_summary(self) -> str:
        if not self._series or self._detail is None:
            return ""
        return i18n.translate(
            self.lang, "contracts.chart_summary", start=i18n.short_date(self._series[0][0], self.lang),
            end=i18n.short_date(self._series[-1][0], self.lang),
            today=i18n.money(self._detail.residual_capital_today, self.lang),
        )

    @rx.var
    def progress_summary(self) -> str:
        return "; ".join(f"{item['name']}: {item['text']}" for item in self.progress_slices)

    @rx.var
    def progress_slices(self) -> list[dict[str, str | int]]:
        if self._progress is None:
            return []
        p, lang = self._progress, self.lang
        slices = [
            ("contracts.paid", p.paid_count, p.paid_amount, "var(--green-9)"),
            ("contracts.overdue", p.overdue_count, p.overdue_amount, "var(--red-9)"),
            ("contracts.to_come", p.due_count, p.due_amount, "var(--accent-9)"),
        ]
        return [
            {"name": i18n.translate(lang, key), "count": count, "fill": colour,
             "text": i18n.translate(lang, "contracts.progress_line", count=count, amount=i18n.money(amount, lang))}
            for key, count, amount, colour in slices
        ]


def value_block(label_key: str, field: str, value_id: str | None = None) -> rx.Component:
    return rx.box(
        rx.text(tr(label_key), size="1", color_scheme="gray", as_="p", text_transform="uppercase", letter_spacing="0.02em"),
        rx.text(ContractsState.fields[field], weight="medium", as_="p", id=value_id or f"contract-{field.replace('_', '-')}"),
    )


def group(title_key: str, *blocks: rx.Component, columns: str = "3") -> rx.Component:
    return card(
        rx.grid(*blocks, columns=rx.breakpoints(initial="1", sm="2", md=columns), spacing="4", width="100%"),
        title=tr(title_key),
    )


def selector() -> rx.Component:
    return rx.flex(
        rx.el.label(rx.text(tr("contracts.select"), weight="medium", size="2"), html_for="contract-select"),
        rx.el.select(
            rx.foreach(ContractsState.choices, lambda c: rx.el.option(c["label"], value=c["number"])),
            id="contract-select",
            value=ContractsState.selected,
            on_change=ContractsState.choose,
            class_name="portal-select",
            max_width="560px",
        ),
        direction="column",
        spacing="1",
        width="100%",
    )


def actions() -> rx.Component:
    links = [rx.link(rx.button(rx.icon("table", size=16), tr("contracts.go_plan"), variant="soft"), href=ContractsState.fields["plan_url"], id="go-plan")]
    if is_registered(routes.BILLING):
        links.append(rx.link(rx.button(rx.icon("receipt-text", size=16), tr("contracts.go_billing"), variant="soft"), href=ContractsState.fields["billing_url"]))
    if is_registered(routes.ASSETS):
        links.append(rx.link(rx.button(rx.icon("truck", size=16), tr("contracts.go_assets"), variant="soft"), href=ContractsState.fields["assets_url"], id="go-assets"))
    return rx.hstack(*links, spacing="3", wrap="wrap")


def summary() -> rx.Component:
    return card(
        rx.hstack(
            rx.heading(ContractsState.fields["number_module"], as_="h2", size="6", id="contract-title"),
            rx.badge(ContractsState.fields["product"], size="2", variant="soft"),
            rx.badge(ContractsState.fields["status"], size="2", color_scheme=rx.cond(ContractsState.is_active, "green", "gray"), id="contract-status"),
            spacing="3", align="center", wrap="wrap",
        ),
        rx.grid(
            value_block("contracts.assets_count", "assets"),
            value_block("contracts.amount_short", "amount"),
            value_block("contracts.status", "status", "contract-status-value"),
            value_block("home.expires_on", "end_date"),
            value_block("contracts.signed_on", "signed_on"),
            columns=rx.breakpoints(initial="2", md="5"), spacing="4", width="100%", margin_top="1rem",
        ),
        rx.box(actions(), margin_top="1.25rem"),
    )


def charts() -> rx.Component:
    balance_chart = rx.recharts.area_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.area(data_key="balance", name=tr("contracts.chart_balance"), stroke="var(--accent-9)", fill="var(--accent-4)",
                         type_="stepAfter", is_animation_active=False),
        rx.recharts.x_axis(data_key="label", min_tick_gap=24, allow_duplicated_category=False),
        rx.recharts.y_axis(width=70),
        rx.recharts.graphing_tooltip(),
        rx.recharts.reference_line(x=ContractsState.today_label, stroke="var(--red-9)", stroke_dasharray="4 2",
                                   label=tr("contracts.chart_today")),
        data=ContractsState.balance_points,
        height=260,
        width="100%",
    )
    progress_chart = rx.recharts.pie_chart(
        rx.recharts.pie(
            rx.foreach(ContractsState.progress_slices, lambda s: rx.recharts.cell(fill=s["fill"].to(str))),
            data=ContractsState.progress_slices, data_key="count", name_key="name", inner_radius="55%", outer_radius="85%",
            is_animation_active=False,
        ),
        rx.recharts.graphing_tooltip(),
        height=200,
        width="100%",
    )
    return rx.grid(
        card(
            rx.box(balance_chart, role="img", aria_label=ContractsState.chart_summary),
            rx.text(ContractsState.chart_summary, size="1", color_scheme="gray", id="balance-summary"),
            title=tr("contracts.chart_title"),
        ),
        card(
            rx.box(progress_chart, role="img", aria_label=ContractsState.progress_summary),
            rx.el.ul(
                rx.foreach(
                    ContractsState.progress_slices,
                    lambda s: rx.el.li(
                        rx.hstack(rx.box(width="10px", height="10px", border_radius="2px", background=s["fill"].to(str)),
                                  rx.text(s["name"], weight="medium", size="2"), rx.text(s["text"], size="2"), spacing="2", align="center"),
                        class_name="progress-item",
                    ),
                ),
                list_style="none", padding="0", margin="0", id="progress-list",
            ),
            title=tr("contracts.progress_title"),
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
    )


def details() -> rx.Component:
    return rx.vstack(
        summary(),
        charts(),
        rx.grid(
            group("contracts.general", value_block("contracts.beneficiary_code", "beneficiary_code"),
                  value_block("contracts.beneficiary", "beneficiary"), value_block("contracts.contract_number", "number"),
                  value_block("contracts.iban", "iban"), columns="2"),
            group("contracts.dates", value_block("contracts.start", "start_date"), value_block("contracts.end", "end_date", "contract-end-date-dates"),
                  value_block("contracts.status", "status", "contract-status-dates"), columns="3"),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
        ),
        group("contracts.product_group", value_block("contracts.product", "product", "contract-product"),
              value_block("contracts.reference_rate", "reference_rate"), value_block("contracts.subsidy", "subsidy")),
        group("contracts.amounts", value_block("contracts.amount", "amount", "contract-amount-full"),
              value_block("contracts.first_instalment", "first_instalment"), value_block("contracts.advance", "advance"),
              value_block("contracts.residual_value", "residual_value"),
              value_block("contracts.residual_capital", "residual_capital"), columns="5"),
        group("contracts.instalment", value_block("contracts.periodicity", "periodicity"), value_block("contracts.count", "count"),
              value_block("contracts.instalment_amount", "instalment_amount"), value_block("contracts.duration", "duration"),
              value_block("contracts.reference_rate", "reference_rate", "contract-rate-again"),
              value_block("contracts.leasing_rate", "leasing_rate"), columns="3"),
        documents(),
        spacing="4",
        width="100%",
    )


def documents() -> rx.Component:
    return card(
        rx.text(tr("documents.statement_hint"), size="2", color_scheme="gray", margin_bottom="0.5rem", as_="p"),
        rx.cond(
            ContractsState.statements.length() > 0,
            rx.el.ul(
                rx.foreach(
                    ContractsState.statements,
                    lambda item: rx.el.li(
                        rx.link(rx.hstack(rx.icon("file-text", size=16), rx.text(item["title"]), spacing="2", align="center"),
                                href=item["url"], is_external=True, class_name="statement-link"),
                        padding_y="0.3rem",
                    ),
                ),
                list_style="none", padding="0", margin="0", id="statement-list",
            ),
            rx.text(tr("documents.none"), color_scheme="gray", size="2"),
        ),
        *([rx.link(rx.hstack(rx.icon("receipt-text", size=16), rx.text(tr("documents.invoices")), spacing="2", align="center"),
                   href=ContractsState.fields["billing_url"], margin_top="0.5rem")] if is_registered(routes.BILLING) else []),
        title=tr("documents.title"),
        title_id="contract-documents-title",
        id="contract-documents",
    )


def export_all_button() -> rx.Component:
    return rx.vstack(
        rx.button(
            rx.icon("file-spreadsheet", size=16), tr("contracts.export_all"),
            on_click=ContractsState.export_all_plans, loading=ContractsState.export_running,
            variant="outline", id="export-all-plans",
        ),
        rx.cond(
            ContractsState.export_running,
            rx.vstack(
                rx.progress(value=ContractsState.export_percent, width="260px", aria_label=ContractsState.export_progress_text),
                rx.text(ContractsState.export_progress_text, size="1", color_scheme="gray", role="status", id="export-progress"),
                spacing="1",
            ),
        ),
        align="end",
        spacing="2",
    )


@template(route=routes.CONTRACTS, title_key="contracts.title", on_load=ContractsState.load)
def contracts() -> rx.Component:
    return rx.cond(
        ContractsState.loaded,
        rx.vstack(
            rx.flex(
                rx.heading(tr("contracts.title"), as_="h1", size="7"),
                export_all_button(),
                justify="between", align="start", wrap="wrap", gap="3", width="100%",
            ),
            rx.cond(
                ContractsState.choices.length() > 0,
                rx.vstack(
                    selector(),
                    rx.cond(ContractsState.not_found, rx.callout(tr("contracts.not_found"), icon="triangle-alert", color_scheme="red", role="alert", id="contract-not-found", width="100%")),
                    rx.cond(ContractsState.has_contract, details()),
                    spacing="4",
                    width="100%",
                ),
                empty(tr("contracts.none"), icon="file-x"),
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )

