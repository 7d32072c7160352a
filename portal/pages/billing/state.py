"""The Fatture e pagamenti state: the filters, one page of documents, the overdue total, the
amounts due month by month, and the export of every document the filters select."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from portal import i18n, routes
from portal.db import session_scope
from portal.models.enums import DocumentKind
from portal.services.access.accounts import Principal
from portal.services.access.scope import Scope
from portal.services.billing.exports import export_documents, reason_key
from portal.services.billing.queries import (
    PAGE_SIZE,
    STATUS_FILTERS,
    DocumentFilter,
    DocumentRow,
    document_count,
    documents_page,
    monthly_due,
    overdue_balance,
)
from portal.services.common import clock
from portal.services.common.paging import clamp_offset
from portal.services.common.text import form_texts
from portal.services.common.xlsx import safe_filename
from portal.state.contract_filter import ALL, ContractFilterState, chosen_contract_id
from portal.state.exports import ExportState
from portal.state.rows import Option
from portal.state.session import CUSTOMER, Audience, guard, guarded_by, redirect_to


@dataclasses.dataclass(frozen=True)
class DocumentLine:
    """A row of the documents table, worded and formatted for the user's language."""

    invoice_id: int
    number: str
    status: str  # the InvoiceStatus code, for the badge's colour
    status_label: str
    contract: str
    due_date: str
    instalment: str  # the instalment's number, "" for other documents
    reason: str
    payment: str
    amount: str
    paid: str
    balance: str
    overdue: str
    credit_note: bool
    note: str  # which document it corrects, or is corrected by
    paper: bool  # a paper copy was posted too
    pdf_url: str
    xml_url: str
    pdf_label: str
    xml_label: str


@dataclasses.dataclass(frozen=True)
class ChartBar:
    label: str
    amount: float
    fill: str  # a CSS colour
    text: str  # the amount in the user's locale, for the list of values beside the chart


# A period filter before or after these years is a typing error (0001-01-01, 9999-12-31).
FIRST_YEAR, LAST_YEAR = 1900, 2199


def parse_day(text: str) -> dt.date | None:
    """The day typed in a period filter; ValueError when it is not a plausible ISO date."""
    if not text:
        return None
    day = dt.date.fromisoformat(text)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{text} is out of range")
    return day


def document_line(row: DocumentRow, lang: str) -> DocumentLine:
    note = ""
    if row.corrects:
        note = i18n.translate(lang, "billing.corrects", number=row.corrects)
    elif row.corrected_by:
        note = i18n.translate(lang, "billing.corrected_by", number=row.corrected_by)
    return DocumentLine(
        invoice_id=row.invoice_id,
        number=row.number,
        status=row.status.value,
        status_label=i18n.translate(lang, f"billing.status.{row.status.value}"),
        contract=row.contract_number,
        due_date=i18n.short_date(row.due_date, lang),
        instalment=str(row.instalment_number) if row.instalment_number is not None else "",
        reason=i18n.translate(lang, reason_key(row)),
        payment=i18n.translate(lang, f"payment_method.{row.payment_method.value}"),
        amount=i18n.money(row.total, lang),
        paid=i18n.money(row.paid, lang),
        balance=i18n.money(row.balance, lang),
        overdue=i18n.money(row.overdue_balance, lang),
        credit_note=row.kind is DocumentKind.CREDIT_NOTE,
        note=note,
        paper=row.paper_copy,
        pdf_url=routes.invoice_pdf_url(row.invoice_id),
        xml_url=routes.invoice_xml_url(row.invoice_id),
        pdf_label=i18n.translate(lang, "billing.open_pdf", number=row.number),
        xml_label=i18n.translate(lang, "billing.download_xml", number=row.number),
    )


class BillingState(ContractFilterState, ExportState):
    _readers: ClassVar[Audience] = CUSTOMER  # who may page through the list
    loaded: bool = False
    status: str = ALL
    date_from: str = ""
    date_to: str = ""
    period_error: str = ""
    _page_size: int = PAGE_SIZE
    _rows: list[DocumentRow] = []
    _overdue: Decimal | None = None
    _months: list[tuple[dt.date, Decimal]] = []

    def _filter(self, db: Session, scope: Scope) -> DocumentFilter:
        """The filter the browser asked for, with a contract only if the user may see it."""
        status = self.status if self.status in STATUS_FILTERS else ALL
        return DocumentFilter(
            contract_id=self._contract_id(db, scope),
            status=status,
            date_from=parse_day(self.date_from),
            date_to=parse_day(self.date_to),
        )

    def _show_page(self, principal: Principal):
        """Read the page at `self.offset` under the current filters (callers carry the guard)."""
        scope = principal.customer_scope
        today = clock.today()
        with session_scope() as db:
            flt = self._filter(db, scope)
            rows, total = documents_page(session=db, scope=scope, flt=flt, today=today, offset=self.offset)
            self._overdue = overdue_balance(session=db, scope=scope, contract_id=flt.contract_id, today=today)
            self._months = monthly_due(session=db, scope=scope, contract_id=flt.contract_id, today=today)
        self._rows = rows
        self.total = total
        self.offset = clamp_offset(self.offset, total, PAGE_SIZE)  # the page documents_page showed

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        self.contract = self._query_param("numero") or ALL
        self.status = ALL
        self.date_from = self.date_to = self.period_error = ""
        self._first_page(principal)
        self.loaded = True

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def choose_status(self, principal: Principal, value: str):
        self.status = value if isinstance(value, str) and value in STATUS_FILTERS else ALL
        self._first_page(principal)

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def apply_period(self, principal: Principal, form_data: dict):
        texts, refused = form_texts(form_data, ("date_from", "date_to"))
        start, end = texts["date_from"], texts["date_to"]
        try:
            if refused:
                raise ValueError("not a text")
            first, last = parse_day(start), parse_day(end)
        except ValueError:
            self.period_error = self._t("billing.date_invalid")
            return
        if first and last and first > last:
            self.period_error = self._t("billing.period_invalid")
            return
        self.period_error = ""
        self.date_from, self.date_to = start, end
        self._first_page(principal)

    @rx.event
    @guard(CUSTOMER, otherwise=redirect_to(routes.HOME))
    def clear_filters(self, principal: Principal):
        """ "Azzera filtri": every filter back to all, the contract too."""
        self.contract = self.status = ALL
        self.date_from = self.date_to = self.period_error = ""
        self._first_page(principal)
        return [rx.set_value("billing-from", ""), rx.set_value("billing-to", "")]

    @rx.event(background=True)
    @guarded_by("_exporter")  # a background handler cannot take the guard: _export runs it (state/exports.py)
    async def export(self):
        async with self:
            contract, status, date_from, date_to = self.contract, self.status, self.date_from, self.date_to
        today = clock.today()

        def current_filter(db: Session, scope: Scope) -> DocumentFilter:
            return DocumentFilter(
                contract_id=chosen_contract_id(db, scope, contract),
                status=status if status in STATUS_FILTERS else ALL,
                date_from=parse_day(date_from),
                date_to=parse_day(date_to),
            )

        return await self._export(
            build=lambda db, scope, lang, path, progress: export_documents(
                session=db,
                scope=scope,
                flt=current_filter(db, scope),
                today=today,
                lang=lang,
                path=path,
                progress=progress,
            ),
            total=lambda db, scope: document_count(session=db, scope=scope, flt=current_filter(db, scope), today=today),
            filename=safe_filename(f"fatture-e-pagamenti-{contract if contract != ALL else today.isoformat()}"),
        )

    # what the page shows -----------------------------------------------------------------------

    @rx.var
    def rows(self) -> list[DocumentLine]:
        return [document_line(row, self.lang) for row in self._rows]

    @rx.var
    def overdue_text(self) -> str:
        return i18n.money(self._overdue, self.lang)

    @rx.var
    def has_overdue(self) -> bool:
        return bool(self._overdue)

    @rx.var
    def status_options(self) -> list[Option]:
        return [
            Option(
                value=value,
                label=i18n.translate(self.lang, "billing.status_all" if value == ALL else f"billing.status.{value}"),
            )
            for value in STATUS_FILTERS
        ]

    @rx.var
    def chart_bars(self) -> list[ChartBar]:
        lang = self.lang
        overdue = ChartBar(
            label=i18n.translate(lang, "billing.chart_overdue"),
            amount=float(self._overdue or 0),
            fill="var(--red-9)",
            text=i18n.money(self._overdue or Decimal(0), lang),
        )
        months = [
            ChartBar(
                label=i18n.month_label(month, lang),
                amount=float(amount),
                fill="var(--accent-9)",
                text=i18n.money(amount, lang),
            )
            for month, amount in self._months
        ]
        return [overdue, *months]

    @rx.var
    def chart_summary(self) -> str:
        due = sum((amount for _, amount in self._months), Decimal(0))
        return i18n.translate(
            self.lang,
            "billing.chart_summary",
            overdue=i18n.money(self._overdue, self.lang),
            total=i18n.money(due, self.lang),
        )
