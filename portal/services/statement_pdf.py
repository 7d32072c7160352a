"""The PDF of the rendiconto annuale, in the reader's language."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from portal import i18n
from portal.models.enums import CustomerKind
from portal.services.pdf_layout import grid, paragraph, render
from portal.services.statements import Statement


def statement_pdf(statement: Statement, *, lang: str, tenant, today) -> bytes:
    t = lambda key, **params: i18n.translate(lang, key, **params)  # noqa: E731
    money = lambda value: i18n.money(value, lang)  # noqa: E731
    day = lambda value: i18n.short_date(value, lang)  # noqa: E731
    contract, customer = statement.contract, statement.customer
    title = t("statement.title", year=statement.year)

    conditions = [
        [t("statement.product"), contract.product],
        [t("statement.amount"), money(contract.amount)],
        [t("statement.leasing_rate"), i18n.percent(contract.annual_rate, lang)],
    ]
    if contract.reference_rate:
        conditions += [
            [t("statement.reference_rate"), t(f"contracts.rate.{contract.reference_rate}")],
            [t("statement.spread"), i18n.percent(contract.spread, lang)],
            [t("statement.index_now", date=day(statement.end)), i18n.percent(statement.index_value, lang)],
        ]
    else:
        conditions.append([t("statement.reference_rate"), t("statement.fixed")])
    conditions += [
        [t("statement.instalment"), money(contract.instalment_amount)],
        [t("statement.periodicity"), t(f"contracts.periodicity.{contract.periodicity_months}")],
        [t("statement.duration"), t("statement.months", count=contract.duration_months)],
    ]

    movement_rows = [[t("statement.col.date"), t("statement.col.description"), t("statement.col.document"),
                      t("statement.col.charged"), t("statement.col.paid")]]
    for movement in statement.movements:
        if movement.kind == "payment":
            description = t("statement.payment_row", number=movement.document)
        else:
            description = t(f"billing.reason.{movement.kind}")
            if movement.instalment is not None:
                description = f"{description} {movement.instalment}"
        movement_rows.append([
            day(movement.day), paragraph(description), movement.document if movement.kind != "payment" else "",
            money(movement.charged) if movement.charged else "", money(movement.paid) if movement.paid else "",
        ])
    movement_rows.append(["", t("statement.totals"), "", money(statement.total_charged), money(statement.total_paid)])

    balances = [
        [t("statement.capital_start", date=day(statement.start)), money(statement.capital_start)],
        [t("statement.principal_year"), money(statement.principal_repaid)],
        [t("statement.capital_end", date=day(statement.end)), money(statement.capital_end)],
        [t("statement.interest_year"), money(statement.financial_charge)],
        [t("statement.debt_start", date=day(statement.start)), money(statement.debt_start)],
        [t("statement.debt_end", date=day(statement.end)), money(statement.debt_end)],
    ]
    flowables = [
        paragraph(title, "title"),
        paragraph(t("statement.subtitle", number=f"{contract.number}/{contract.module_number}")),
        paragraph(t("statement.period", start=day(statement.start), end=day(statement.end))),
        Spacer(0, 3 * mm),
        paragraph(t("statement.customer"), "heading"),
        paragraph(f"{customer.denominazione}\n{customer.street}, {customer.postal_code} {customer.city} ({customer.province})\n"
                  f"C.F. {customer.codice_fiscale}" + (f" – P.IVA {customer.partita_iva}" if customer.partita_iva else "")),
        paragraph(t("statement.conditions"), "heading"),
        grid(conditions, [80 * mm, 94 * mm], header=False),
        paragraph(t("statement.movements"), "heading"),
    ]
    if statement.movements:
        flowables.append(grid(movement_rows, [20 * mm, 62 * mm, 30 * mm, 31 * mm, 31 * mm], numeric_from=3, total_rows=1))
    else:
        flowables.append(paragraph(t("statement.none")))
    flowables += [paragraph(t("statement.balances"), "heading"), grid(balances, [130 * mm, 44 * mm], numeric_from=1, header=False)]
    if customer.kind is CustomerKind.COMPANY:
        accounts = [
            [t("statement.asset_value"), money(contract.amount)],
            [t("statement.pv_unpaid"), money(statement.present_value_unpaid)],
            [t("statement.financial_charge"), money(statement.financial_charge)],
            [t("statement.principal_year"), money(statement.principal_repaid)],
        ]
        flowables += [
            paragraph(t("statement.accounts"), "heading"),
            paragraph(t("statement.accounts_intro", date=day(statement.end)), "small"),
            Spacer(0, 1.5 * mm),
            grid(accounts, [130 * mm, 44 * mm], numeric_from=1, header=False),
        ]
    flowables += [Spacer(0, 6 * mm), paragraph(t("statement.notice", date=day(today)), "small")]
    return render(tenant=tenant, flowables=flowables, title=title, page_label=t("pdf.page"))


def statement_filename(statement: Statement) -> str:
    return f"rendiconto-{statement.contract.number}-{statement.year}.pdf"
