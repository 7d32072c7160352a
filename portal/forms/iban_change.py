"""Modifica banca appoggio / IBAN (user manual § 6.1)."""

from stdnum import iban as iban_numbers

from portal.forms._shared import CONTRACT, MESSAGE, START_DATE, current_iban, display, required
from portal.services.requests.form_engine import (
    Field,
    FieldType,
    FormContext,
    FormDefinition,
    selected_contract,
)


def italian_unless_foreign(value: str, ctx: FormContext):
    if not ctx.values.get("foreign_iban") and not iban_numbers.compact(value).startswith("IT"):
        return "forms.iban_not_italian"
    return None


def differs_from_current(value: str, ctx: FormContext):
    contract = selected_contract(ctx, "contract")
    if (
        contract is not None
        and contract.direct_debit_iban
        and iban_numbers.compact(value) == contract.direct_debit_iban
    ):
        return "forms.iban_same"
    return None


FORM = FormDefinition(
    key="iban_change",
    icon="landmark",
    fields=(
        CONTRACT,
        display("current_iban", current_iban),
        required("new_iban", FieldType.IBAN, max_length=34, validators=(italian_unless_foreign, differs_from_current)),
        Field(key="foreign_iban", type=FieldType.CHECKBOX, label="field.foreign_iban"),
        START_DATE,
        MESSAGE,
    ),
    contract_field="contract",
    message_field="message",
    has_subject=True,
    # Who changes the IBAN redirects the payments: password and second factor again first (issue 11).
    reauthenticate=True,
)
