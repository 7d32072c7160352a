"""Checks and computed values several forms use."""

from __future__ import annotations

import datetime as dt

from stdnum import iban as iban_numbers

from portal import i18n
from portal.services.forms import FormContext, selected_contract


def not_in_the_past(value: str, ctx: FormContext):
    return "forms.date_past" if dt.date.fromisoformat(value) < ctx.today else None


def message_field_help(lang: str) -> str:
    return i18n.translate(lang, "forms.max_chars", max=500)


def current_iban(ctx: FormContext) -> str:
    contract = selected_contract(ctx, "contract")
    if contract is None:
        return ""
    return iban_numbers.format(contract.direct_debit_iban) if contract.direct_debit_iban else "—"


def current_address(ctx: FormContext) -> str:
    customer = ctx.customer
    return f"{customer.street}, {customer.postal_code} {customer.city} ({customer.province})"
