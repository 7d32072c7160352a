"""The PDF of the rendiconto annuale, in the reader's language."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from portal import i18n
from portal.models import Customer
from portal.models.enums import CustomerKind
from portal.services.common.pdf import grid, paragraph, render
from portal.services.contracts.statements import Statement


@dataclasses.dataclass(frozen=True)
class _Words:
    """Words, amounts, rates and days in the reader's language."""

    lang: str

    def __call__(self, key: str, **params) -> str:
        return i18n.translate(self.lang, key, **params)

    def money(self, value: Decimal | None) -> str:
        return i18n.money(value, self.lang)

    def percent(self, value: Decimal | None) -> str:
        return i18n.percent(value, self.lang)

    def day(self, value: dt.date | None) -> str:
        return i18n.short_date(value, self.lang)


def _conditions(statement: Statement, t: _Words) -> list[list[str]]:
    contract = statement.contract
    conditions = [
        [t("statement.product"), i18n.product_name(t.lang, contract.product_code, contract.product)],
        [t("statement.amount"), t.money(contract.amount)],
        [t("statement.leasing_rate"), t.percent(contract.annual_rate)],
    ]
    if contract.reference_rate:
        conditions += [
            [t("statement.reference_rate"), t(f"contracts.rate.{contract.reference_rate}")],
            [t("statement.spread"), t.percent(contract.spread)],
            [t("statement.index_now", date=t.day(statement.end)), t.percent(statement.index_value)],
        ]
    else:
        conditions.append([t("statement.reference_rate"), t("statement.fixed")])
    return conditions + [
        [t("statement.instalment"), t.money(contract.instalment_amount)],
        [t("statement.periodicity"), t(f"contracts.periodicity.{contract.periodicity_months}")],
        [t("statement.duration"), t("statement.months", count=contract.duration_months)],
    ]


def _movement_rows(statement: Statement, t: _Words) -> list[list[str | Paragraph]]:
    """The movements table: its header, a row per movement, the totals."""
    rows: list[list[str | Paragraph]] = [
        [
            t("statement.col.date"),
            t("statement.col.description"),
            t("statement.col.document"),
            t("statement.col.charged"),
            t("statement.col.paid"),
        ]
    ]
    for movement in statement.movements:
        if movement.kind == "payment":
            description = t("statement.payment_row", number=movement.document)
        else:
            description = t(f"billing.reason.{movement.kind}")
            if movement.instalment is not None:
                description = f"{description} {movement.instalment}"
        rows.append(
            [
                t.day(movement.day),
                paragraph(description),
                movement.document if movement.kind != "payment" else "",
                t.money(movement.charged) if movement.charged else "",
                t.money(movement.paid) if movement.paid else "",
            ]
        )
    rows.append(["", t("statement.totals"), "", t.money(statement.total_charged), t.money(statement.total_paid)])
    return rows


def _balances(statement: Statement, t: _Words) -> list[list[str]]:
    return [
        [t("statement.capital_start", date=t.day(statement.start)), t.money(statement.capital_start)],
        [t("statement.principal_year"), t.money(statement.principal_repaid)],
        [t("statement.capital_end", date=t.day(statement.end)), t.money(statement.capital_end)],
        [t("statement.interest_year"), t.money(statement.financial_charge)],
        [t("statement.debt_start", date=t.day(statement.start)), t.money(statement.debt_start)],
        [t("statement.debt_end", date=t.day(statement.end)), t.money(statement.debt_end)],
    ]


def _accounts(statement: Statement, t: _Words) -> list[Flowable]:
    """For companies: the figures for the notes to the accounts."""
    accounts = [
        [t("statement.asset_value"), t.money(statement.contract.amount)],
        [t("statement.pv_unpaid"), t.money(statement.present_value_unpaid)],
        [t("statement.financial_charge"), t.money(statement.financial_charge)],
        [t("statement.principal_year"), t.money(statement.principal_repaid)],
    ]
    return [
        paragraph(t("statement.accounts"), "heading"),
        paragraph(t("statement.accounts_intro", date=t.day(statement.end)), "small"),
        Spacer(0, 1.5 * mm),
        grid(accounts, [130 * mm, 44 * mm], numeric_from=1, header=False),
    ]


def _customer_address(customer: Customer) -> str:
    return (
        f"{customer.denominazione}\n"
        f"{customer.street}, {customer.postal_code} {customer.city} ({customer.province})\n"
        f"C.F. {customer.codice_fiscale}" + (f" – P.IVA {customer.partita_iva}" if customer.partita_iva else "")
    )


def statement_pdf(statement: Statement, *, lang: str, tenant, today) -> bytes:
    t = _Words(lang)
    contract, customer = statement.contract, statement.customer
    title = t("statement.title", year=statement.year)
    flowables: list[Flowable] = [
        paragraph(title, "title"),
        paragraph(t("statement.subtitle", number=f"{contract.number}/{contract.module_number}")),
        paragraph(t("statement.period", start=t.day(statement.start), end=t.day(statement.end))),
        Spacer(0, 3 * mm),
        paragraph(t("statement.customer"), "heading"),
        paragraph(_customer_address(customer)),
        paragraph(t("statement.conditions"), "heading"),
        grid(_conditions(statement, t), [80 * mm, 94 * mm], header=False),
        paragraph(t("statement.movements"), "heading"),
    ]
    if statement.movements:
        widths = [20 * mm, 62 * mm, 30 * mm, 31 * mm, 31 * mm]
        flowables.append(grid(_movement_rows(statement, t), widths, numeric_from=3, total_rows=1))
    else:
        flowables.append(paragraph(t("statement.none")))
    flowables += [
        paragraph(t("statement.balances"), "heading"),
        grid(_balances(statement, t), [130 * mm, 44 * mm], numeric_from=1, header=False),
    ]
    if customer.kind is CustomerKind.COMPANY:
        flowables += _accounts(statement, t)
    flowables += [Spacer(0, 6 * mm), paragraph(t("statement.notice", date=t.day(today)), "small")]
    return render(tenant=tenant, flowables=flowables, title=title, page_label=t("pdf.page"))


def statement_filename(statement: Statement) -> str:
    return f"rendiconto-{statement.contract.number}-{statement.year}.pdf"
