"""A submitted form: the payload stored with the request, how the service desk reads it, and the
request's title. The payload keeps what the customer saw, in every language the portal speaks."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from stdnum import iban as iban_numbers

from portal import i18n
from portal.services.requests.form_engine import (
    Field,
    FieldType,
    FormContext,
    FormDefinition,
    computed_values,
    options_of,
)

SUBJECT_LIMIT = 80


def _shown(field: Field, value: str, ctx: FormContext, lang: str) -> str:
    """How an answer reads in `lang`: the words of a chosen option, a date in the language's
    format, an IBAN in groups of four, yes or no."""
    if field.type is FieldType.CHECKBOX:  # unticked is an answer too
        return i18n.translate(lang, "forms.yes" if value else "forms.no")
    if not value:
        return ""
    if field.type in (FieldType.CHOICE, FieldType.CONTRACT, FieldType.ASSET, FieldType.INSTALMENT):
        match = next((choice for choice in options_of(field, ctx) if choice.value == value), None)
        return match.shown(lang) if match else value
    if field.type is FieldType.IBAN:
        return iban_numbers.format(value)
    if field.type is FieldType.DATE:
        return _date_text(value, lang)
    return value


def _date_text(value: str, lang: str) -> str:
    try:
        return i18n.document_date(dt.date.fromisoformat(value), lang)
    except ValueError:
        return value


def payload_of(definition: FormDefinition, values: Mapping[str, str], ctx: FormContext) -> dict[str, Any]:
    """Everything the customer saw and chose, each field's name and answer in every language, so the
    request reads the same later even if the form's definition changes."""
    ctx = dataclasses.replace(ctx, values=values)
    computed = computed_values(definition, ctx)
    entries = []
    for field in definition.fields:
        value = computed.get(field.key, "") if field.type is FieldType.DISPLAY else values.get(field.key, "")
        entries.append(
            {
                "key": field.key,
                "type": field.type.value,
                "name": field.name_key(),
                "label": {lang: i18n.translate(lang, field.name_key()) for lang in i18n.LANGUAGES},
                "value": value,
                "display": {lang: _shown(field, value, ctx, lang) for lang in i18n.LANGUAGES},
            }
        )
    return {"form": definition.key, "message_field": definition.message_field, "fields": entries}


def _entry_label(entry: Mapping[str, Any], lang: str) -> str:
    name = entry.get("name", "")
    if name and i18n.is_known(name):
        return i18n.translate(lang, name)
    labels = entry.get("label", {})
    return labels.get(lang) or labels.get(i18n.DEFAULT_LANGUAGE) or entry.get("key", "")


def _entry_value(entry: Mapping[str, Any], lang: str) -> str:
    shown = entry.get("display", {}).get(lang)
    if shown:
        return str(shown)
    value = str(entry.get("value", ""))
    return _date_text(value, lang) if entry.get("type") == FieldType.DATE.value else value


def render_payload(payload: Mapping[str, Any], lang: str, *, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(name, answer) rows of a stored payload, in the reader's language. Empty answers are left
    out, and so is the message field: the request's page shows it as the thread's first message."""
    hidden = {*skip, payload.get("message_field") or ""}
    rows = []
    for entry in payload.get("fields", []):
        value = _entry_value(entry, lang)
        if value and entry.get("key") not in hidden:
            rows.append((_entry_label(entry, lang), value))
    return rows


def request_title(definition: FormDefinition, values: Mapping[str, str], ctx: FormContext) -> str:
    """The new request's title in the author's language: the form's title, then its subject
    (form.<key>.subject, whose {placeholders} are the answers as the customer saw them)."""
    title = definition.title(ctx.lang)
    if not definition.has_subject:
        return title
    ctx = dataclasses.replace(ctx, values=values)
    answers = {field.key: _shown(field, values.get(field.key, ""), ctx, ctx.lang) for field in definition.inputs()}
    # A contract or an asset is named by its number or code, not by its whole description.
    for field in definition.inputs():
        if field.type in (FieldType.CONTRACT, FieldType.ASSET):
            answers[field.key] = values.get(field.key, "")
    subject = i18n.translate(ctx.lang, definition.text_key("subject"), **answers).strip()[:SUBJECT_LIMIT]
    return f"{title} – {subject}" if subject else title
