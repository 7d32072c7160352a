"""The self-service form engine: a form is one declarative definition (its fields, their rules,
what is prefilled or computed from the database); this module validates any form on the server,
stores its payload generically and renders a submitted payload for the service desk.

No Reflex here: the renderer (portal/components/form_renderer.py) and the states only read the
definitions and call these functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

from sqlmodel import Session, select
from stdnum import iban as iban_numbers

from portal.models import Contract, Customer, LeasedAsset, UserAccount
from portal.models.enums import ContractStatus
from portal.services.access import Scope
from portal.services.contract_views import find_contract
from portal.services.identity import email_problem

FieldType = Literal[
    "text", "textarea", "email", "date", "iban", "choice", "checkbox", "contract", "asset", "instalment",
    "contacts", "display",
]
MAX_CONTACTS = 10
# Options, display fields and download links may depend on these answers only: typing in a text
# field re-reads nothing from the database.
CHOICE_TYPES = frozenset({"choice", "checkbox", "contract", "asset", "instalment", "date"})
_CONTACT_SPLIT = re.compile(r"[,;\s]+")


@dataclasses.dataclass(frozen=True)
class Choice:
    value: str
    label_it: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_it


@dataclasses.dataclass(frozen=True)
class FormContext:
    """What prefill, options, computed values and validators may read."""

    session: Session
    scope: Scope
    customer: Customer
    user: UserAccount
    lang: str
    today: dt.date
    values: Mapping[str, str]


Validator = Callable[[str, FormContext], "str | tuple[str, dict[str, Any]] | None"]


@dataclasses.dataclass(frozen=True)
class Field:
    key: str
    type: FieldType
    label_it: str
    label_en: str
    required: bool = False
    max_length: int | None = None
    help_it: str = ""
    help_en: str = ""
    choices: tuple[Choice, ...] = ()
    validators: tuple[Validator, ...] = ()
    options: Callable[[FormContext], list[Choice]] | None = None  # choices read from the database
    compute: Callable[[FormContext], str] | None = None  # for "display" fields
    prefill: Callable[[FormContext], str] | None = None
    active_contracts_only: bool = False

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_it

    def help(self, lang: str) -> str:
        return self.help_en if lang == "en" else self.help_it


@dataclasses.dataclass(frozen=True)
class AttachmentRule:
    kinds: tuple[str, ...]  # see services/attachments.KINDS
    max_files: int = 5


@dataclasses.dataclass(frozen=True)
class FormDefinition:
    key: str
    title_it: str
    title_en: str
    description_it: str
    description_en: str
    icon: str
    fields: tuple[Field, ...]
    attachments: AttachmentRule | None = None
    contract_field: str | None = None  # links the request to a contract
    asset_field: str | None = None  # links the request to a leased asset
    contacts_field: str | None = None  # e-mail addresses to keep informed
    message_field: str | None = None  # opens the request's thread
    subject: Callable[[Mapping[str, str]], str] | None = None  # the request's title after the form's
    on_home: bool = True  # listed in the Home page's self-service panel
    # A document computed from the answers so far (e.g. the payoff estimate as PDF): its URL.
    download: Callable[[FormContext], str | None] | None = None
    download_label_it: str = ""
    download_label_en: str = ""

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_it

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_it

    def field(self, key: str) -> Field:
        return next(field for field in self.fields if field.key == key)

    def download_label(self, lang: str) -> str:
        return self.download_label_en if lang == "en" else self.download_label_it


# Options read from the database -------------------------------------------------------------

def contract_options(ctx: FormContext, *, active_only: bool = False) -> list[Choice]:
    query = select(Contract).where(*ctx.scope.where(Contract.customer_id, Contract.id)).order_by(Contract.number)
    if active_only:
        query = query.where(Contract.status == ContractStatus.ACTIVE)
    return [Choice(c.number, f"{c.number} · {c.product}", f"{c.number} · {c.product}") for c in ctx.session.exec(query).all()]


def asset_options(ctx: FormContext) -> list[Choice]:
    rows = ctx.session.exec(
        select(LeasedAsset, Contract.number)
        .join(Contract, Contract.id == LeasedAsset.contract_id)
        .where(*ctx.scope.where(LeasedAsset.customer_id, LeasedAsset.contract_id))
        .order_by(Contract.number, LeasedAsset.code)
    ).all()
    return [
        Choice(asset.code, f"{asset.description} ({asset.code}, {number})", f"{asset.description} ({asset.code}, {number})")
        for asset, number in rows
    ]


def options_of(field: Field, ctx: FormContext) -> list[Choice]:
    if field.type == "contract":
        return contract_options(ctx, active_only=field.active_contracts_only)
    if field.type == "asset":
        return asset_options(ctx)
    if field.options is not None:
        return field.options(ctx)
    return list(field.choices)


def selected_contract(ctx: FormContext, key: str) -> Contract | None:
    number = ctx.values.get(key, "")
    return find_contract(session=ctx.session, scope=ctx.scope, number=number) if number else None


# Validation ---------------------------------------------------------------------------------

def parse_contacts(text: str) -> list[str]:
    return [part for part in _CONTACT_SPLIT.split(text.strip()) if part]


def _type_problem(field: Field, value: str, ctx: FormContext) -> str | tuple[str, dict[str, Any]] | None:
    if field.type == "email":
        return email_problem(value)
    if field.type == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "forms.date_invalid"
        return None
    if field.type == "iban":
        return None if iban_numbers.is_valid(value) else "forms.iban_invalid"
    if field.type in ("choice", "contract", "asset", "instalment"):
        return None if value in {choice.value for choice in options_of(field, ctx)} else "forms.choice_invalid"
    if field.type == "checkbox":
        return None if value in ("", "on") else "forms.choice_invalid"
    if field.type == "contacts":
        addresses = parse_contacts(value)
        if len(addresses) > MAX_CONTACTS:
            return ("forms.contacts_too_many", {"max": MAX_CONTACTS})
        bad = [address for address in addresses if email_problem(address)]
        return ("forms.contacts_invalid", {"address": bad[0]}) if bad else None
    return None


def normalise(field: Field, raw: object) -> str:
    value = "" if raw is None else str(raw)
    if field.type == "iban":
        return iban_numbers.compact(value)
    if field.type == "checkbox":
        return "on" if value in ("on", "true", "True", "1") else ""
    return value.strip()


def validate(definition: FormDefinition, raw: Mapping[str, object], ctx: FormContext) -> tuple[dict[str, str], dict[str, tuple[str, dict]]]:
    """(clean values, errors by field as (catalogue key, parameters)). Display fields are not
    input: they are computed again here, from the database, never taken from the browser."""
    values = {field.key: normalise(field, raw.get(field.key)) for field in definition.fields if field.type != "display"}
    ctx = dataclasses.replace(ctx, values=values)
    errors: dict[str, tuple[str, dict]] = {}
    for field in definition.fields:
        if field.type == "display":
            continue
        value = values[field.key]
        if not value:
            if field.required:
                errors[field.key] = ("forms.required", {})
            continue
        if field.max_length is not None and len(value) > field.max_length:
            errors[field.key] = ("forms.too_long", {"max": field.max_length})
            continue
        problem = _type_problem(field, value, ctx)
        for check in field.validators:
            if problem:
                break
            problem = check(value, ctx)
        if problem:
            errors[field.key] = (problem, {}) if isinstance(problem, str) else problem
    return values, errors


def computed_values(definition: FormDefinition, ctx: FormContext) -> dict[str, str]:
    """The display fields' current text, computed from what has been chosen so far."""
    result = {}
    for field in definition.fields:
        if field.type == "display" and field.compute is not None:
            try:
                result[field.key] = field.compute(ctx)
            except LookupError:
                result[field.key] = ""
    return result


def prefilled(definition: FormDefinition, ctx: FormContext) -> dict[str, str]:
    return {field.key: field.prefill(ctx) for field in definition.fields if field.prefill is not None and field.type != "display"}


# The stored payload, and how the service desk reads it ----------------------------------------

def payload_of(definition: FormDefinition, values: Mapping[str, str], ctx: FormContext) -> dict[str, Any]:
    """Everything the customer saw and chose, with labels in both languages, so the request reads
    the same later even if the form's definition changes."""
    computed = computed_values(definition, dataclasses.replace(ctx, values=values))
    entries = []
    for field in definition.fields:
        value = computed.get(field.key, "") if field.type == "display" else values.get(field.key, "")
        display_it = display_en = value
        if field.type in ("choice", "contract", "asset", "instalment") and value:
            match = next((c for c in options_of(field, dataclasses.replace(ctx, values=values)) if c.value == value), None)
            if match:
                display_it, display_en = match.label_it, match.label_en
        elif field.type == "checkbox":
            display_it, display_en = ("Sì", "Yes") if value else ("No", "No")
        elif field.type == "iban" and value:
            display_it = display_en = iban_numbers.format(value)
        entries.append({"key": field.key, "type": field.type, "label": {"it": field.label_it, "en": field.label_en},
                        "value": value, "display": {"it": display_it, "en": display_en}})
    return {"form": definition.key, "fields": entries}


def render_payload(payload: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """(label, value) rows of a stored payload, in the reader's language; empty answers skipped."""
    rows = []
    for entry in payload.get("fields", []):
        shown = entry.get("display", {}).get(lang) or entry.get("value", "")
        if shown:
            rows.append((entry.get("label", {}).get(lang) or entry.get("key", ""), str(shown)))
    return rows


def context_for(*, session: Session, user: UserAccount, scope: Scope, lang: str, today: dt.date,
                values: Mapping[str, str] | None = None) -> FormContext:
    customer = session.get(Customer, scope.customer_id)
    return FormContext(session=session, scope=scope, customer=customer, user=user, lang=lang, today=today, values=values or {})


def field_specs(definition: FormDefinition, ctx: FormContext) -> list[dict[str, Any]]:
    """What a renderer needs to draw the form in `ctx.lang`, with options read for this user."""
    specs = []
    for field in definition.fields:
        specs.append({
            "key": field.key,
            "type": field.type,
            "label": field.label(ctx.lang),
            "help": field.help(ctx.lang),
            "required": field.required,
            "max_length": field.max_length or 0,
            "options": [{"value": c.value, "label": c.label(ctx.lang)} for c in options_of(field, ctx)]
            if field.type in ("choice", "contract", "asset", "instalment") else [],
        })
    return specs
