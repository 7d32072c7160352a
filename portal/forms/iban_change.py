"""Modifica banca appoggio / IBAN (user manual § 6.1)."""

from stdnum import iban as iban_numbers

from portal.forms._shared import current_iban, not_in_the_past
from portal.services.forms import Field, FormContext, FormDefinition, selected_contract


def italian_unless_foreign(value: str, ctx: FormContext):
    if not ctx.values.get("foreign_iban") and not iban_numbers.compact(value).startswith("IT"):
        return "forms.iban_not_italian"
    return None


def differs_from_current(value: str, ctx: FormContext):
    contract = selected_contract(ctx, "contract")
    if contract is not None and contract.direct_debit_iban and iban_numbers.compact(value) == contract.direct_debit_iban:
        return "forms.iban_same"
    return None


FORM = FormDefinition(
    key="iban_change",
    title_it="Modifica banca appoggio / IBAN",
    title_en="Change of bank account / IBAN",
    description_it="Cambia il conto su cui addebitiamo i canoni di un contratto.",
    description_en="Change the account your instalments are debited to.",
    icon="landmark",
    fields=(
        Field("contract", "contract", "Seleziona contratto", "Choose a contract", required=True, active_contracts_only=True),
        Field("current_iban", "display", "Codice IBAN attuale", "Current IBAN", compute=current_iban),
        Field("new_iban", "iban", "Nuovo IBAN", "New IBAN", required=True, max_length=34,
              validators=(italian_unless_foreign, differs_from_current)),
        Field("foreign_iban", "checkbox", "IBAN estero", "Foreign IBAN"),
        Field("start_date", "date", "A partire dal", "Starting from", required=True, validators=(not_in_the_past,)),
        Field("message", "textarea", "Messaggio per il servizio clienti (opzionale)",
              "Message for customer service (optional)", max_length=500,
              help_it="Max 500 caratteri", help_en="Up to 500 characters"),
    ),
    contract_field="contract",
    message_field="message",
    subject=lambda values: f"contratto {values.get('contract', '')}",
)
