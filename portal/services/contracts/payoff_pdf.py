"""The early-termination estimate as a PDF: the figures, the formula, and its expiry."""

from __future__ import annotations

import datetime as dt
import functools

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from portal import i18n
from portal.models import Customer, Tenant
from portal.services.common.pdf import grid, paragraph, render
from portal.services.contracts.payoff import PayoffEstimate


def payoff_pdf(result: PayoffEstimate, *, customer: Customer, tenant: Tenant, lang: str, today: dt.date) -> bytes:
    t = functools.partial(i18n.translate, lang)

    def money(value) -> str:
        return i18n.money(value, lang)

    contract = result.contract
    title = t("payoff.title", number=f"{contract.number}/{contract.module_number}")
    rows = [
        [t("payoff.row.residual_capital", date=i18n.short_date(today, lang)), money(result.residual_capital_today)],
        [
            t("payoff.row.last_instalment"),
            f"{result.last_instalment.number} – {i18n.short_date(result.payoff_date, lang)}",
        ],
        [t("payoff.row.remaining", count=result.remaining_count), money(result.remaining_nominal)],
        [t("payoff.row.remaining_discounted"), money(result.remaining_discounted)],
        [t("payoff.row.residual"), money(result.residual_value)],
        [t("payoff.row.residual_discounted"), money(result.residual_discounted)],
        [t("payoff.row.vat", rate=i18n.number(contract.vat_rate, lang)), money(result.vat)],
        [t("payoff.row.overdue"), money(result.overdue)],
        [t("payoff.row.total"), money(result.total)],
    ]
    flowables = [
        paragraph(title, "title"),
        paragraph(f"{customer.denominazione} – {i18n.product_name(lang, contract.product_code, contract.product)}"),
        Spacer(0, 4 * mm),
        grid(rows, [124 * mm, 50 * mm], numeric_from=1, header=False, total_rows=1),
        Spacer(0, 4 * mm),
        paragraph(t("payoff.formula_title"), "heading"),
        paragraph(
            t(
                "payoff.formula",
                rate=i18n.percent(result.periodic_rate, lang),
                annual=i18n.percent(contract.annual_rate, lang),
            )
        ),
        Spacer(0, 4 * mm),
        paragraph(t("payoff.validity", date=i18n.short_date(result.valid_until, lang)), "bold"),
        paragraph(t("payoff.disclaimer"), "small"),
    ]
    return render(tenant=tenant, flowables=flowables, title=title, page_label=t("pdf.page"))


def payoff_filename(contract_number: str) -> str:
    return f"stima-estinzione-{contract_number}.pdf"
