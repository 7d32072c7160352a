"""The self-service form engine: a form is one declarative definition (its fields, their rules,
what is prefilled or computed from the database); this module validates any form on the server.
`form_payload.py` stores a submitted form and renders it for the service desk.

Every text of a form is a catalogue key (portal/i18n), so a form speaks every language the portal
speaks. No Reflex here: the renderer (portal/components/form_renderer.py) and the states only read
the definitions and call these functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlmodel import Session, col, select
from stdnum import iban as iban_numbers

from portal import i18n
from portal.models import Contract, Customer, LeasedAsset, UserAccount
from portal.models.enums import ContractStatus
from portal.services.access.scope import Scope
from portal.services.common.identity import email_problem
from portal.services.common.text import text_problem
from portal.services.contracts.queries import access_contract


class FieldType(enum.StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    EMAIL = "email"
    DATE = "date"
    IBAN = "iban"
    CHOICE = "choice"  # one of the field's own choices
    CHECKBOX = "checkbox"
    CONTRACT = "contract"  # one of the user's contracts
    ASSET = "asset"  # one of the user's leased assets
    INSTALMENT = "instalment"  # choices read from the database by the field's `options`
    CONTACTS = "contacts"  # e-mail addresses to keep informed
    DISPLAY = "display"  # computed from the database, never typed


# People outside the portal told about one request: a few colleagues, not a mailing list (the
# notices.CONTACT_MAILS_PER_DAY cap holds across requests).
MAX_CONTACTS = 3
# Fields whose answer is one of a list of options.
OPTION_TYPES = frozenset({FieldType.CHOICE, FieldType.CONTRACT, FieldType.ASSET, FieldType.INSTALMENT})
# Options, display fields and download links may depend on these answers only: typing in a text
# field re-reads nothing from the database.
CHOICE_TYPES = OPTION_TYPES | {FieldType.CHECKBOX, FieldType.DATE}
_CONTACT_SPLIT = re.compile(r"[,;\s]+")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Choice:
    """One option: its words are a catalogue key (`label`, with `params`), or, for options read from
    the database, a `text` that is the same in every language (a contract number, an asset)."""

    value: str
    label: str = ""
    text: str = ""
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)
    texts: Mapping[str, str] = dataclasses.field(default_factory=dict)  # read from the database, by language

    def shown(self, lang: str) -> str:
        return self.texts.get(lang) or self.text or i18n.translate(lang, self.label, **self.params)


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


Problem = str | tuple[str, dict[str, Any]]  # a catalogue key, with its parameters when it has any
Validator = Callable[[str, FormContext], "Problem | None"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Field:
    key: str
    type: FieldType
    label: str  # catalogue key: the prompt on the form ("Seleziona contratto")
    name: str = ""  # catalogue key: the field's name on the request's page ("Contratto"); the label if empty
    help: str = ""  # catalogue key; may use {count}, the field's max_length
    required: bool = False
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    validators: tuple[Validator, ...] = ()
    options: Callable[[FormContext], list[Choice]] | None = None  # choices read from the database
    compute: Callable[[FormContext], str] | None = None  # for display fields
    prefill: Callable[[FormContext], str] | None = None
    active_contracts_only: bool = True  # contract and asset fields: what the customer still leases
    autocomplete: str = ""  # WCAG 1.3.5: the HTML token of the user's own data ("street-address", "email")

    def label_text(self, lang: str) -> str:
        return i18n.translate(lang, self.label)

    def name_key(self) -> str:
        return self.name or self.label

    def help_text(self, lang: str) -> str:
        return i18n.translate(lang, self.help, count=self.max_length or 0) if self.help else ""


@dataclasses.dataclass(frozen=True)
class AttachmentRule:
    kinds: tuple[str, ...]  # see services/requests/file_kinds.KINDS
    max_files: int = 5


@dataclasses.dataclass(frozen=True, kw_only=True)
class FormDefinition:
    """A form; its texts are the catalogue keys form.<key>.title, .description and, if it has one,
    .subject (the request's title after the form's, with the answers as {placeholders}) and
    .download (the label of its document)."""

    key: str
    icon: str
    fields: tuple[Field, ...]
    attachments: AttachmentRule | None = None
    contract_field: str | None = None  # links the request to a contract
    asset_field: str | None = None  # links the request to a leased asset
    contacts_field: str | None = None  # e-mail addresses to keep informed
    message_field: str | None = None  # opens the request's thread
    has_subject: bool = False  # the request's title goes on with form.<key>.subject
    on_home: bool = True  # listed in the Home page's self-service panel
    reauthenticate: bool = False  # issue 11: submitted only after a recent password + code (state/reauth.py)
    # A document computed from the answers so far (e.g. the payoff estimate as PDF): its URL.
    download: Callable[[FormContext], str | None] | None = None
    # A legal deadline: the company must answer within this many days of the submission (art. 119
    # c.4 TUB: 90); the request's due_on, shown to the customer and on the service desk.
    deadline_days: int | None = None
    # Catalogue entries a form outside portal/forms brings with it: {language: {key: text}}.
    messages: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)

    def text_key(self, part: str) -> str:
        return f"form.{self.key}.{part}"

    def title(self, lang: str) -> str:
        return i18n.translate(lang, self.text_key("title"))

    def description(self, lang: str) -> str:
        return i18n.translate(lang, self.text_key("description"))

    def download_label(self, lang: str) -> str:
        return i18n.translate(lang, self.text_key("download")) if self.download else ""

    def field(self, key: str) -> Field:
        return next(field for field in self.fields if field.key == key)

    def inputs(self) -> tuple[Field, ...]:
        """The fields the customer answers (display fields are computed)."""
        return tuple(field for field in self.fields if field.type is not FieldType.DISPLAY)


# Options read from the database -------------------------------------------------------------


def contract_options(ctx: FormContext, *, active_only: bool = True) -> list[Choice]:
    query = select(Contract).where(*ctx.scope.where(Contract.customer_id, Contract.id)).order_by(col(Contract.number))
    if active_only:
        query = query.where(Contract.status == ContractStatus.ACTIVE)
    return [
        Choice(
            value=c.number,
            texts={
                lang: f"{c.number} · {i18n.product_name(lang, c.product_code, c.product)}" for lang in i18n.LANGUAGES
            },
        )
        for c in ctx.session.exec(query).all()
    ]


def asset_options(ctx: FormContext, *, active_only: bool = True) -> list[Choice]:
    query = (
        select(LeasedAsset, Contract.number)
        .join(Contract, col(Contract.id) == col(LeasedAsset.contract_id))
        .where(*ctx.scope.where(LeasedAsset.customer_id, LeasedAsset.contract_id))
        .order_by(col(Contract.number), col(LeasedAsset.code))
    )
    if active_only:
        query = query.where(Contract.status == ContractStatus.ACTIVE)
    return [
        Choice(value=asset.code, text=f"{asset.description} ({asset.code}, {number})")
        for asset, number in ctx.session.exec(query).all()
    ]


def options_of(field: Field, ctx: FormContext) -> list[Choice]:
    if field.type is FieldType.CONTRACT:
        return contract_options(ctx, active_only=field.active_contracts_only)
    if field.type is FieldType.ASSET:
        return asset_options(ctx, active_only=field.active_contracts_only)
    if field.options is not None:
        return field.options(ctx)
    return list(field.choices)


def selected_contract(ctx: FormContext, key: str) -> Contract | None:
    number = ctx.values.get(key, "")
    return access_contract(session=ctx.session, scope=ctx.scope, number=number) if number else None


# Validation ---------------------------------------------------------------------------------


def parse_contacts(text: str) -> list[str]:
    return [part for part in _CONTACT_SPLIT.split(text.strip()) if part]


def _contacts_problem(value: str) -> Problem | None:
    addresses = parse_contacts(value)
    if len(addresses) > MAX_CONTACTS:
        return ("forms.contacts_too_many", {"count": MAX_CONTACTS})
    bad = [address for address in addresses if email_problem(address)]
    return ("forms.contacts_invalid", {"address": bad[0]}) if bad else None


def _type_problem(field: Field, value: str, ctx: FormContext) -> Problem | None:
    if field.type is FieldType.EMAIL:
        return email_problem(value)
    if field.type is FieldType.DATE:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "forms.date_invalid"
        return None
    if field.type is FieldType.IBAN:
        return None if iban_numbers.is_valid(value) else "forms.iban_invalid"
    if field.type in OPTION_TYPES:
        return None if value in {choice.value for choice in options_of(field, ctx)} else "forms.choice_invalid"
    if field.type is FieldType.CHECKBOX:
        return None if value in ("", "on") else "forms.choice_invalid"
    if field.type is FieldType.CONTACTS:
        return _contacts_problem(value)
    return None


def input_problem(field: Field, raw: object) -> str | None:
    """What is wrong with the answer as sent, before reading it: not text, or characters no field
    takes (a line break only in a field of several lines)."""
    if raw is None or (field.type is FieldType.CHECKBOX and isinstance(raw, bool)):
        return None
    return text_problem(raw, multiline=field.type is FieldType.TEXTAREA)


def normalise(field: Field, raw: object) -> str:
    value = "" if raw is None else str(raw)
    if field.type is FieldType.IBAN:
        return iban_numbers.compact(value)
    if field.type is FieldType.CHECKBOX:
        return "on" if value in ("on", "true", "True", "1") else ""
    return value.strip()


def _problem(field: Field, value: str, ctx: FormContext) -> Problem | None:
    if not value:
        return "forms.required" if field.required else None
    if field.max_length is not None and len(value) > field.max_length:
        return ("forms.too_long", {"count": field.max_length})
    problem = _type_problem(field, value, ctx)
    for check in field.validators:
        if problem:
            break
        problem = check(value, ctx)
    return problem


def validate(
    definition: FormDefinition, raw: Mapping[str, object], ctx: FormContext
) -> tuple[dict[str, str], dict[str, tuple[str, dict]]]:
    """(clean values, errors by field as (catalogue key, parameters)). Display fields are not
    input: they are computed again here, from the database, never taken from the browser."""
    refused = {
        field.key: problem for field in definition.inputs() if (problem := input_problem(field, raw.get(field.key)))
    }
    values = {
        field.key: "" if field.key in refused else normalise(field, raw.get(field.key)) for field in definition.inputs()
    }
    ctx = dataclasses.replace(ctx, values=values)
    errors: dict[str, tuple[str, dict]] = {}
    for field in definition.inputs():
        problem = refused.get(field.key) or _problem(field, values[field.key], ctx)
        if problem:
            errors[field.key] = (problem, {}) if isinstance(problem, str) else problem
    return values, errors


def computed_values(definition: FormDefinition, ctx: FormContext) -> dict[str, str]:
    """The display fields' current text, computed from what has been chosen so far."""
    result = {}
    for field in definition.fields:
        if field.type is FieldType.DISPLAY and field.compute is not None:
            try:
                result[field.key] = field.compute(ctx)
            except LookupError:
                result[field.key] = ""
    return result


def prefilled(definition: FormDefinition, ctx: FormContext) -> dict[str, str]:
    return {field.key: field.prefill(ctx) for field in definition.inputs() if field.prefill is not None}


def context_for(
    *,
    session: Session,
    user: UserAccount,
    scope: Scope,
    lang: str,
    today: dt.date,
    values: Mapping[str, str] | None = None,
) -> FormContext:
    customer = session.get(Customer, scope.customer_id)
    if customer is None:
        raise LookupError(f"no customer {scope.customer_id}")
    return FormContext(
        session=session, scope=scope, customer=customer, user=user, lang=lang, today=today, values=values or {}
    )


def field_specs(definition: FormDefinition, ctx: FormContext) -> list[dict[str, Any]]:
    """What a renderer needs to draw the form in `ctx.lang`, with options read for this user."""
    return [
        {
            "key": field.key,
            "type": field.type.value,
            "label": field.label_text(ctx.lang),
            "help": field.help_text(ctx.lang),
            "required": field.required,
            "max_length": field.max_length or 0,
            "autocomplete": field.autocomplete or "off",
            "options": [{"value": c.value, "label": c.shown(ctx.lang)} for c in options_of(field, ctx)]
            if field.type in OPTION_TYPES
            else [],
        }
        for field in definition.fields
    ]
