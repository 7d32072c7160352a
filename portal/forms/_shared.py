"""Fields, checks and computed values several forms use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from stdnum import iban as iban_numbers

from portal.services.requests.form_engine import Field, FieldType, FormContext, selected_contract


def not_in_the_past(value: str, ctx: FormContext):
    return "forms.date_past" if dt.date.fromisoformat(value) < ctx.today else None


# A change that starts later than this is a typing error (a year 9999), not a plan.
FURTHEST_START_YEARS = 5


def _furthest_start(today: dt.date) -> dt.date:
    return today.replace(
        year=today.year + FURTHEST_START_YEARS, day=28 if (today.month, today.day) == (2, 29) else today.day
    )


def not_too_far(value: str, ctx: FormContext):
    return "forms.date_too_far" if dt.date.fromisoformat(value) > _furthest_start(ctx.today) else None


def current_iban(ctx: FormContext) -> str:
    contract = selected_contract(ctx, "contract")
    if contract is None:
        return ""
    return iban_numbers.format(contract.direct_debit_iban) if contract.direct_debit_iban else "—"


def current_address(ctx: FormContext) -> str:
    customer = ctx.customer
    return f"{customer.street}, {customer.postal_code} {customer.city} ({customer.province})"


def display(key: str, compute: Callable[[FormContext], str]) -> Field:
    """A value the form shows (computed from the answers so far), labelled field.<key>."""
    return Field(key=key, type=FieldType.DISPLAY, label=f"field.{key}", compute=compute)


def required(key: str, type: FieldType, **more: Any) -> Field:
    """A field the customer must answer, labelled field.<key> on the form and on the request."""
    return Field(key=key, type=type, label=f"field.{key}", required=True, **more)


# One of the customer's active contracts: "Seleziona contratto" on the form, "Contratto" on the request.
CONTRACT = Field(
    key="contract", type=FieldType.CONTRACT, label="field.contract.prompt", name="field.contract", required=True
)
START_DATE = required("start_date", FieldType.DATE, validators=(not_in_the_past, not_too_far))
# The optional message that opens the request's thread.
MESSAGE = Field(
    key="message",
    type=FieldType.TEXTAREA,
    label="field.message.prompt",
    name="field.message",
    help="forms.max_chars",
    max_length=500,
)
