"""The state behind every self-service form: it knows no particular form, only the engine.

A page picks a definition by key (`modulo=` in the URL); this state draws it through
`field_specs`, keeps what was typed, recomputes the display fields from the database as choices
change, stages attachments, validates on the server and, for real forms, opens the request.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import reflex as rx
from sqlmodel import Session

from portal.db import session_scope
from portal.forms import get as get_form
from portal.services.access.accounts import Principal
from portal.services.common import clock
from portal.services.requests.form_engine import (
    CHOICE_TYPES,
    AttachmentRule,
    Field,
    FormContext,
    FormDefinition,
    computed_values,
    field_specs,
    input_problem,
    prefilled,
    validate,
)
from portal.services.requests.queries import form_context
from portal.state.rows import Option
from portal.state.session import SIGNED_IN, guard
from portal.state.staging import StagingState


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """One field as the renderer draws it: worded in the user's language, its options read for this user."""

    key: str
    type: str
    label: str
    help: str
    required: bool
    max_length: int  # 0: no limit
    options: list[Option]
    autocomplete: str = "off"


def field_spec(raw: Mapping[str, Any]) -> FieldSpec:
    """A FieldSpec from one of the engine's `field_specs`."""
    return FieldSpec(
        key=raw["key"],
        type=raw["type"],
        label=raw["label"],
        help=raw["help"],
        required=bool(raw["required"]),
        max_length=int(raw["max_length"]),
        options=[Option(value=option["value"], label=option["label"]) for option in raw["options"]],
        autocomplete=raw.get("autocomplete", "off"),
    )


class FormEngineState(StagingState, mixin=True):
    """The form's handlers admit any signed-in user; who may fill the form in, and for whom, is
    the page's `_form_user` (by default: a customer's user with the right to submit requests)."""

    form_key: str = ""
    form_found: bool = False
    specs: list[FieldSpec] = []
    # Maps by field key, not rows: the renderer looks each field's value, message and text up by key.
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    computed: dict[str, str] = {}
    download_url: str = ""
    form_error: str = ""
    # Answers refused as sent (not text, forbidden characters): never kept in `values`, where they
    # would be shown back, but reported again when the form is sent.
    _refused: dict[str, str] = {}

    def _definition(self) -> FormDefinition | None:
        return get_form(self.form_key)

    def _allowed(self, principal: Principal) -> bool:
        """Who may use the form; the preview page widens this to operators."""
        return principal.scope is not None and principal.may_submit_requests

    def _form_user(self, principal: Principal) -> Principal | None:
        """Whom the form is filled in as: the signed-in user, when this form is theirs to use;
        None otherwise (the preview answers with the customer the operator looks as)."""
        return principal if self._definition() is not None and self._allowed(principal) else None

    def _may_stage(self, principal: Principal) -> bool:
        return self._form_user(principal) is not None

    def _rule(self) -> AttachmentRule | None:
        definition = self._definition()
        return definition.attachments if definition else None

    def _context(self, db: Session, principal: Principal) -> FormContext:
        if principal.scope is None:
            raise PermissionError("a form is filled in for a customer")
        return form_context(
            session=db,
            user_id=principal.user_id,
            scope=principal.scope,
            lang=self.lang,
            today=clock.today(),
            values=self.values,
        )

    def _refresh(self, principal: Principal) -> None:
        """Options, display fields and the download link, from the database, for what is chosen."""
        definition = self._definition()
        if definition is None:
            return
        with session_scope() as db:
            ctx = self._context(db, principal)
            self.specs = [field_spec(raw) for raw in field_specs(definition, ctx)]
            # A choice that is no longer on offer (another contract chosen) is dropped.
            for spec in self.specs:
                if spec.options and self.values.get(spec.key) not in {option.value for option in spec.options}:
                    self.values = {**self.values, spec.key: ""}
            ctx = dataclasses.replace(ctx, values=self.values)
            self.computed = computed_values(definition, ctx)
            self.download_url = (definition.download(ctx) or "") if definition.download else ""

    def _open(self, principal: Principal, form_key: str) -> None:
        self.form_key = form_key
        definition = self._definition()
        self.form_found = definition is not None and self._allowed(principal)
        self.errors, self.form_error, self.attachment_error = {}, "", ""
        self._refused = {}
        self._discard_staged()
        if definition is None or not self.form_found:
            return
        with session_scope() as db:
            answers = prefilled(definition, self._context(db, principal))
        self.values = {field.key: answers.get(field.key, "") for field in definition.fields if field.type != "display"}
        self._refresh(principal)

    @rx.var
    def form_title(self) -> str:
        definition = self._definition()
        return definition.title(self.lang) if definition else ""

    @rx.var
    def form_description(self) -> str:
        definition = self._definition()
        return definition.description(self.lang) if definition else ""

    @rx.var
    def download_label(self) -> str:
        definition = self._definition()
        return definition.download_label(self.lang) if definition else ""

    @rx.event
    @guard(SIGNED_IN)
    def set_field(self, principal: Principal, key: str, value: str | bool):
        user, definition = self._form_user(principal), self._definition()
        if user is None or definition is None:
            return self._to_login()
        field = next((f for f in definition.fields if f.key == key and f.type != "display"), None)
        if field is not None:
            self._set_value(user, field, value)
        self._field_changed(user)

    def _set_value(self, user: Principal, field: Field, value: str | bool) -> None:
        if problem := input_problem(field, value):
            self._refused = {**self._refused, field.key: problem}
            self.errors = {**self.errors, field.key: self._t(problem)}
            return
        self._refused = {k: v for k, v in self._refused.items() if k != field.key}
        text = ("on" if value else "") if isinstance(value, bool) else str(value)
        self.values = {**self.values, field.key: text}
        if field.key in self.errors:
            self.errors = {k: v for k, v in self.errors.items() if k != field.key}
        if field.type in CHOICE_TYPES:
            self._refresh(user)

    def _field_changed(self, user: Principal) -> None:
        """After every change (the preview checks the whole form at once)."""

    def _validated(self, principal: Principal) -> dict[str, str] | None:
        """The clean values when everything is right; else None, and the errors are shown."""
        definition = self._definition()
        if definition is None:
            return None
        with session_scope() as db:
            clean, errors = validate(definition, self.values, self._context(db, principal))
        errors = {**errors, **{key: (problem, {}) for key, problem in self._refused.items()}}
        self.errors = {key: self._t(message, **params) for key, (message, params) in errors.items()}
        if errors:
            self.form_error = self._t("forms.fix_errors")
            return None
        self.form_error = ""
        return clean
