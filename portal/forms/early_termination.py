"""Richiesta estinzione anticipata (user manual § 6.4), with the payoff estimate."""

from portal import i18n, routes
from portal.services.forms import Choice, Field, FormContext, FormDefinition, selected_contract
from portal.services.payoff import estimate, payable_instalments


def instalment_options(ctx: FormContext) -> list[Choice]:
    contract = selected_contract(ctx, "contract")
    if contract is None:
        return []
    return [
        Choice(str(line.number),
               f"Rata {line.number} – {i18n.short_date(line.due_date, 'it')}",
               f"Instalment {line.number} – {i18n.short_date(line.due_date, 'en')}")
        for line in payable_instalments(session=ctx.session, contract=contract, today=ctx.today)
    ]


def residual_capital(ctx: FormContext) -> str:
    contract = selected_contract(ctx, "contract")
    if contract is None:
        return ""
    from portal.services.contracts import residual_capital_on

    return i18n.money(residual_capital_on(session=ctx.session, contract=contract, on=ctx.today), ctx.lang)


def payoff_estimate(ctx: FormContext) -> str:
    contract = selected_contract(ctx, "contract")
    last = ctx.values.get("last_instalment", "")
    if contract is None or not last.isdigit():
        return ""
    result = estimate(session=ctx.session, contract=contract, last_number=int(last), today=ctx.today)
    money = lambda value: i18n.money(value, ctx.lang)  # noqa: E731
    return i18n.translate(
        ctx.lang, "payoff.summary",
        count=result.remaining_count, nominal=money(result.remaining_nominal), discounted=money(result.remaining_discounted),
        residual=money(result.residual_value), residual_discounted=money(result.residual_discounted),
        rate=i18n.percent(result.periodic_rate, ctx.lang), vat=money(result.vat), overdue=money(result.overdue),
        total=money(result.total), date=i18n.short_date(result.payoff_date, ctx.lang),
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
    title_it="Richiesta estinzione anticipata",
    title_en="Early termination request",
    description_it="Chiudi il contratto prima della scadenza: vedi subito una stima dell'importo.",
    description_en="Close the contract before it ends: see an estimate of the amount at once.",
    icon="calendar-x",
    fields=(
        Field("contract", "contract", "Seleziona contratto", "Choose a contract", required=True, active_contracts_only=True),
        Field("residual_capital", "display", "Capitale residuo ad oggi", "Outstanding capital today", compute=residual_capital),
        Field("last_instalment", "instalment", "Ultimo canone da pagare", "Last instalment to pay", required=True,
              options=instalment_options),
        Field("estimate", "display", "Stima dell'importo di estinzione", "Estimated payoff amount", compute=payoff_estimate),
        Field("message", "textarea", "Messaggio per il servizio clienti (opzionale)",
              "Message for customer service (optional)", max_length=500,
              help_it="Max 500 caratteri", help_en="Up to 500 characters"),
    ),
    contract_field="contract",
    message_field="message",
    subject=lambda values: f"contratto {values.get('contract', '')}",
    download=estimate_pdf,
    download_label_it="Scarica la stima in PDF",
    download_label_en="Download the estimate as PDF",
)
