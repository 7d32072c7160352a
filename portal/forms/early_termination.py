"""Richiesta estinzione anticipata (user manual § 6.4), with the payoff estimate."""

from portal import i18n, routes
from portal.forms._shared import CONTRACT, MESSAGE, display, required
from portal.services.contracts.lifecycle import residual_capital_on
from portal.services.contracts.payoff import estimate, payable_instalments
from portal.services.requests.form_engine import (
    Choice,
    FieldType,
    FormContext,
    FormDefinition,
    selected_contract,
)


def instalment_options(ctx: FormContext) -> list[Choice]:
    contract = selected_contract(ctx, "contract")
    if contract is None:
        return []
    return [
        Choice(
            value=str(line.number),
            label="field.last_instalment.option",
            params={"number": str(line.number), "date": i18n.short_date(line.due_date, ctx.lang)},
        )
        for line in payable_instalments(session=ctx.session, contract=contract, today=ctx.today)
    ]


def residual_capital(ctx: FormContext) -> str:
    contract = selected_contract(ctx, "contract")
    if contract is None:
        return ""
    return i18n.money(residual_capital_on(session=ctx.session, contract=contract, on=ctx.today), ctx.lang)


def payoff_estimate(ctx: FormContext) -> str:
    contract = selected_contract(ctx, "contract")
    last = ctx.values.get("last_instalment", "")
    if contract is None or not last.isdigit():
        return ""
    result = estimate(session=ctx.session, contract=contract, last_number=int(last), today=ctx.today)

    def money(value) -> str:
        return i18n.money(value, ctx.lang)

    return i18n.translate(
        ctx.lang,
        "payoff.summary",
        count=result.remaining_count,
        nominal=money(result.remaining_nominal),
        discounted=money(result.remaining_discounted),
        residual=money(result.residual_value),
        residual_discounted=money(result.residual_discounted),
        rate=i18n.percent(result.periodic_rate, ctx.lang),
        vat=money(result.vat),
        overdue=money(result.overdue),
        total=money(result.total),
        date=i18n.short_date(result.payoff_date, ctx.lang),
        valid=i18n.short_date(result.valid_until, ctx.lang),
    )


def estimate_pdf(ctx: FormContext) -> str | None:
    contract = selected_contract(ctx, "contract")
    last = ctx.values.get("last_instalment", "")
    if contract is None or not last.isdigit():
        return None
    return routes.payoff_url(contract.number, int(last))


FORM = FormDefinition(
    key="early_termination",
    icon="calendar-x",
    fields=(
        CONTRACT,
        display("residual_capital", residual_capital),
        required("last_instalment", FieldType.INSTALMENT, options=instalment_options),
        display("estimate", payoff_estimate),
        MESSAGE,
    ),
    contract_field="contract",
    message_field="message",
    has_subject=True,
    download=estimate_pdf,
)
