"""Richiesta copia documentazione (art. 119 c.4 TUB): copies of the documents of specific
operations of the last ten years. The law gives the company 90 days to deliver them: the request
carries that date (due_on) for the customer and the service desk."""

from __future__ import annotations

import datetime as dt

from portal.forms._shared import MESSAGE, required
from portal.services.requests.form_engine import Choice, Field, FieldType, FormContext, FormDefinition

# Art. 119 c.4 TUB: copies of the documents of the operations of the last ten years, within 90 days.
YEARS_BACK = 10
DEADLINE_DAYS = 90
DOCUMENTS = ("contract", "invoices", "statements", "payments", "correspondence")
CHANNELS = ("portal", "email", "pec", "post")


def earliest_day(today: dt.date) -> dt.date:
    """The first day of the ten years the law covers (29 February falls back to the 28th)."""
    day = 28 if (today.month, today.day) == (2, 29) else today.day
    return today.replace(year=today.year - YEARS_BACK, day=day)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def within_ten_years(value: str, ctx: FormContext):
    day = dt.date.fromisoformat(value)
    if day < earliest_day(ctx.today):
        return ("copies.too_old", {"years": str(YEARS_BACK)})
    if day > ctx.today:
        return "copies.future"
    return None


def after_start(value: str, ctx: FormContext):
    start = _date(ctx.values.get("period_from", ""))
    return "copies.before_start" if start is not None and dt.date.fromisoformat(value) < start else None


def _choices(prefix: str, values: tuple[str, ...]) -> tuple[Choice, ...]:
    return tuple(Choice(value=value, label=f"{prefix}.{value}") for value in values)


# Any of the customer's contracts, extinguished ones too: the ten years outlive many leases.
ANY_CONTRACT = Field(
    key="contract",
    type=FieldType.CONTRACT,
    label="field.contract.prompt",
    name="field.contract",
    active_contracts_only=False,
)

FORM = FormDefinition(
    key="copies_119",
    icon="files",
    fields=(
        ANY_CONTRACT,
        required("period_from", FieldType.DATE, help="field.period_from.help", validators=(within_ten_years,)),
        required("period_to", FieldType.DATE, validators=(within_ten_years, after_start)),
        required("documents", FieldType.CHOICE, choices=_choices("copies.documents", DOCUMENTS)),
        required("delivery", FieldType.CHOICE, choices=_choices("copies.delivery", CHANNELS)),
        MESSAGE,
    ),
    contract_field="contract",
    message_field="message",
    has_subject=True,
    deadline_days=DEADLINE_DAYS,
)
