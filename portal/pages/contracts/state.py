"""The Contratti state: the contracts to choose from, the chosen one's figures by group, its
capitale residuo over time, its instalments' progress and its annual statements."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import ClassVar

import reflex as rx
from stdnum import iban as iban_numbers

from portal import i18n, routes
from portal.config import settings
from portal.db import session_scope
from portal.models.enums import ContractStatus
from portal.pages.documents import DocumentRow, document_rows
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.common.xlsx import safe_filename
from portal.services.contracts.exports import export_plan
from portal.services.contracts.lease_end import LeaseEndRefused, LeaseEndView, contract_view, state_choice
from portal.services.contracts.queries import (
    ContractChoice,
    ContractDetail,
    Progress,
    balance_series,
    contract_detail,
    instalment_progress,
    plan_row_count,
)
from portal.services.contracts.statements import statement_years
from portal.services.documents.library import documents_for
from portal.state.contract_choices import ContractChoicesState
from portal.state.exports import ExportState
from portal.state.lease_end import LeaseEndCard, lease_end_card
from portal.state.rows import Option
from portal.state.session import CUSTOMER, REQUEST_WRITER, Audience, guard, guarded_by, redirect_to, refuse_with


@dataclasses.dataclass(frozen=True)
class ContractFields:
    """The chosen contract's figures, formatted for the user's language (all empty: no contract).
    The names make the ids of the values shown (`contract-residual-value`)."""

    number: str = ""
    number_module: str = ""
    product: str = ""
    status: str = ""
    status_code: str = ""  # the ContractStatus code, for the badge's colour
    amount: str = ""
    assets: int = 0
    end_date: str = ""
    signed_on: str = ""
    start_date: str = ""
    extinguished_on: str = ""
    beneficiary_code: str = ""
    beneficiary: str = ""
    iban: str = ""
    reference_rate: str = ""
    subsidy: str = ""
    first_instalment: str = ""
    advance: str = ""
    residual_value: str = ""
    residual_capital: str = ""
    periodicity: str = ""
    count: int = 0
    instalment_amount: str = ""
    duration: int = 0
    leasing_rate: str = ""
    spread: str = ""
    plan_url: str = ""
    assets_url: str = ""
    billing_url: str = ""


@dataclasses.dataclass(frozen=True)
class StatementLink:
    year: int
    title: str
    url: str


@dataclasses.dataclass(frozen=True)
class BalancePoint:
    label: str  # the day
    balance: float


@dataclasses.dataclass(frozen=True)
class ProgressSlice:
    name: str
    count: int
    fill: str  # a CSS colour
    text: str


def contract_option_label(lang: str, choice: ContractChoice) -> str:
    return i18n.translate(
        lang,
        "contracts.option",
        number=choice.number,
        product=i18n.product_name(lang, choice.product_code, choice.product),
        status=i18n.translate(lang, f"contract_status.{choice.status.value}"),
        date=i18n.short_date(choice.end_date, lang),
    )


def contract_fields(detail: ContractDetail, lang: str) -> ContractFields:
    contract = detail.contract

    def money(value: Decimal | None) -> str:
        return i18n.money(value, lang)

    first_instalment = money(detail.first_instalment)
    if contract.advance > 0:
        first_instalment = f"{i18n.translate(lang, 'contracts.first_advance')} {first_instalment}"
    return ContractFields(
        number=contract.number,
        number_module=f"{contract.number}/{contract.module_number}",
        product=i18n.product_name(lang, contract.product_code, contract.product),
        status=i18n.translate(lang, f"contract_status.{contract.status.value}"),
        status_code=contract.status.value,
        amount=money(contract.amount),
        assets=detail.asset_count,
        end_date=i18n.short_date(contract.end_date, lang),
        signed_on=i18n.short_date(contract.signed_on, lang),
        start_date=i18n.short_date(contract.start_date, lang),
        extinguished_on=i18n.short_date(contract.extinguished_on, lang),
        beneficiary_code=contract.beneficiary_code,
        beneficiary=contract.beneficiary_name,
        iban=iban_numbers.format(contract.direct_debit_iban) if contract.direct_debit_iban else "—",
        reference_rate=(
            i18n.translate(lang, f"contracts.rate.{contract.reference_rate}")
            if contract.reference_rate
            else i18n.translate(lang, "contracts.fixed_rate")
        ),
        subsidy=contract.subsidy or i18n.translate(lang, "contracts.no_subsidy"),
        first_instalment=first_instalment,
        advance=money(contract.advance),
        residual_value=money(contract.residual_value),
        residual_capital=money(detail.residual_capital_today),
        periodicity=i18n.translate(lang, f"contracts.periodicity.{contract.periodicity_months}"),
        count=contract.instalment_count,
        instalment_amount=money(contract.instalment_amount),
        duration=contract.duration_months,
        leasing_rate=i18n.percent(contract.annual_rate, lang),
        spread=i18n.percent(contract.spread, lang) if contract.spread is not None else "—",
        plan_url=routes.plan_url(contract.number),
        assets_url=routes.assets_url(contract.number),
        billing_url=routes.billing_url(contract.number),
    )


def slices_of(progress: Progress, lang: str) -> list[ProgressSlice]:
    slices = (
        ("contracts.paid", progress.paid_count, progress.paid_amount, "var(--green-9)"),
        ("contracts.overdue", progress.overdue_count, progress.overdue_amount, "var(--red-9)"),
        ("contracts.to_come", progress.due_count, progress.due_amount, "var(--accent-9)"),
    )
    return [
        ProgressSlice(
            name=i18n.translate(lang, key),
            count=count,
            fill=colour,
            text=i18n.translate(lang, "contracts.progress_line", count=count, amount=i18n.money(amount, lang)),
        )
        for key, count, amount, colour in slices
    ]


class ContractsState(ContractChoicesState, ExportState):
    _readers: ClassVar[Audience] = CUSTOMER
    loaded: bool = False
    selected: str = ""
    not_found: bool = False
    _detail: ContractDetail | None = None
    _series: list[tuple[dt.date, Decimal]] = []
    _progress: Progress | None = None
    # the documents published for the chosen contract (issue 15)
    contract_documents: rx.Field[list[DocumentRow]] = rx.field(default_factory=list)
    _lease_end: LeaseEndView | None = None  # the end-of-lease options, within 120 days of the end
    may_choose_end: bool = False  # the user may submit requests (a sub-user may be refused)

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        scope = principal.customer_scope
        wanted = self._query_param("numero")
        today = clock.today()
        self.selected = wanted  # kept among the choices whatever the search, if the customer reads it
        with session_scope() as db:
            self._read_choices(db, scope)
            number = wanted or (self._choices[0].number if self._choices else "")
            detail = contract_detail(session=db, scope=scope, number=number, today=today) if number else None
            self._detail = detail
            self._series = balance_series(session=db, contract=detail.contract) if detail else []
            self._progress = instalment_progress(session=db, contract=detail.contract, today=today) if detail else None
            published = documents_for(session=db, scope=scope, contract_id=detail.contract.id) if detail else []
            self._lease_end = (
                contract_view(session=db, scope=scope, number=detail.contract.number, today=today) if detail else None
            )
        self.contract_documents = document_rows(published, self.lang)
        self.may_choose_end = principal.may_submit_requests
        self.selected = detail.contract.number if detail else ""
        self.not_found = bool(wanted) and detail is None
        self.loaded = True

    def _chosen_number(self) -> str:
        return self.selected

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def choose(self, principal: Principal, number: str):
        return rx.redirect(routes.contract_url(number if isinstance(number, str) else None))

    @rx.event
    @guard(REQUEST_WRITER, otherwise=refuse_with("subusers.not_allowed"))
    def choose_end(self, principal: Principal, number: str, choice: str):
        """The customer's end-of-lease choice for contract `number` (checked again in the user's
        scope): a request for the service desk; a second open choice is refused, nothing changes."""
        scope = principal.customer_scope
        number = number if isinstance(number, str) else ""
        today = clock.today()
        try:
            with session_scope() as db:
                request = state_choice(
                    session=db,
                    author_id=principal.user_id,
                    scope=scope,
                    number=number,
                    choice=choice if isinstance(choice, str) else "",
                    today=today,
                    now=clock.now(),
                    public_url=settings.public_url,
                )
                code = request.code
        except LeaseEndRefused as refused:
            return rx.toast.error(self._t(refused.key), id="lease-end-refused")
        with session_scope() as db:
            self._lease_end = contract_view(session=db, scope=scope, number=number, today=today)
        return rx.toast.success(self._t("lease_end.sent", code=code))

    @rx.event(background=True)
    @guarded_by("_exporter")  # a background handler cannot take the guard: _export runs it (state/exports.py)
    async def export_all_plans(self):
        return await self._export_by_contract(
            rows=export_plan,
            count=plan_row_count,
            contract_id=lambda db, scope: None,
            filename=safe_filename(f"piani-ammortamento-{clock.today().isoformat()}"),
        )

    # what the page shows, in the user's language -------------------------------------------

    @rx.var
    def choices(self) -> list[Option]:
        return [Option(value=choice.number, label=contract_option_label(self.lang, choice)) for choice in self._choices]

    @rx.var
    def has_contract(self) -> bool:
        return self._detail is not None

    @rx.var
    def is_active(self) -> bool:
        return bool(self._detail and self._detail.contract.status is ContractStatus.ACTIVE)

    @rx.var
    def fields(self) -> ContractFields:
        return contract_fields(self._detail, self.lang) if self._detail is not None else ContractFields()

    @rx.var
    def has_lease_end(self) -> bool:
        return self._lease_end is not None

    @rx.var
    def lease_end(self) -> LeaseEndCard:
        return lease_end_card(self._lease_end, self.lang) if self._lease_end is not None else LeaseEndCard()

    @rx.var
    def statements(self) -> list[StatementLink]:
        if self._detail is None:
            return []
        contract = self._detail.contract
        return [
            StatementLink(
                year=year,
                title=i18n.translate(self.lang, "documents.statement", year=year),
                url=routes.statement_url(contract.number, year),
            )
            for year in statement_years(contract, clock.today())
        ]

    def _points(self) -> list[tuple[dt.date, Decimal]]:
        """One point per day: on signing day the balance after the advance (categories of the
        chart's axis must be unique for the today line to find its place)."""
        by_day = dict(self._series)
        return sorted(by_day.items())

    @rx.var
    def balance_points(self) -> list[BalancePoint]:
        return [
            BalancePoint(label=i18n.short_date(day, self.lang), balance=float(balance))
            for day, balance in self._points()
        ]

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
            self.lang,
            "contracts.chart_summary",
            start=i18n.short_date(self._series[0][0], self.lang),
            end=i18n.short_date(self._series[-1][0], self.lang),
            today=i18n.money(self._detail.residual_capital_today, self.lang),
        )

    @rx.var
    def progress_summary(self) -> str:
        return "; ".join(f"{item.name}: {item.text}" for item in self.progress_slices)

    @rx.var
    def progress_slices(self) -> list[ProgressSlice]:
        return slices_of(self._progress, self.lang) if self._progress is not None else []
