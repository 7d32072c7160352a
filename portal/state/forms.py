"""The state behind every self-service form: it knows no particular form, only the engine.

A page picks a definition by key (`modulo=` in the URL); this state draws it through
`field_specs`, keeps what was typed, recomputes the display fields from the database as choices
change, stages attachments, validates on the server and, for real forms, opens the request.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal import i18n
from portal.db import session_scope
from portal.forms import get as get_form
from portal.models import UserAccount
from portal.services import attachments as files
from portal.services import clock
from portal.services.accounts import Principal
from portal.services.forms import (
    CHOICE_TYPES,
    AttachmentRule,
    FormDefinition,
    computed_values,
    context_for,
    field_specs,
    prefilled,
    validate,
)
from portal.state.session import SessionState

KIND_ACCEPT = {
    "image": {"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/gif": [".gif"], "image/webp": [".webp"],
              "image/heic": [".heic"]},
    "video": {"video/mp4": [".mp4"], "video/quicktime": [".mov"], "video/webm": [".webm"], "video/x-matroska": [".mkv"],
              "video/x-msvideo": [".avi"], "video/3gpp": [".3gp"]},
    "pdf": {"application/pdf": [".pdf"]},
}


class StagingState(SessionState, mixin=True):
    """Files chosen but not yet sent: checked and staged on upload, claimed on submit.

    A mixin, like the states built on it: Reflex runs an inherited handler on the state that
    declares it, so only a mixin lets each page's state keep its own files and its own rules.
    """

    attachment_names: list[dict[str, str]] = []
    attachment_error: str = ""
    # Copied from _rule() whenever the staging area is shown: the page's vars then follow state, not code.
    attachment_kinds: list[str] = []
    attachment_max: int = 0
    _staged: list[files.StagedFile] = []

    def _rule(self) -> AttachmentRule | None:
        return None

    def _may_upload(self) -> bool:
        return self._principal() is not None

    def _discard_staged(self) -> None:
        for staged in self._staged:
            files.discard(staged)
        self._staged = []
        self._show_staged()

    def _claim_staged(self) -> list[files.StagedFile]:
        """Hand the staged files to whoever stores them; the list starts again empty."""
        staged, self._staged = self._staged, []
        self._show_staged()
        return staged

    def _show_staged(self) -> None:
        rule = self._rule()
        self.attachment_kinds = list(rule.kinds) if rule else []
        self.attachment_max = rule.max_files if rule else 0
        self.attachment_names = [
            {"index": str(index), "name": staged.display_name,
             "size": i18n.number(max(1, round(staged.size_bytes / 1024)), self.lang, 0) + " KB"}
            for index, staged in enumerate(self._staged)
        ]

    @rx.var
    def attachment_rule_text(self) -> str:
        if not self.attachment_kinds:
            return ""
        kinds = ", ".join(i18n.translate(self.lang, f"attachments.kind.{kind}") for kind in self.attachment_kinds)
        return i18n.translate(self.lang, "attachments.rule", kinds=kinds, count=self.attachment_max)

    @rx.var
    def allows_attachments(self) -> bool:
        return bool(self.attachment_kinds)

    @rx.var
    def accept(self) -> dict[str, list[str]]:
        accepted: dict[str, list[str]] = {}
        for kind in self.attachment_kinds:
            accepted.update(KIND_ACCEPT[kind])
        return accepted

    @rx.event
    async def upload(self, uploads: list[rx.UploadFile]):
        rule = self._rule()
        if rule is None or not self._may_upload():
            return
        self.attachment_error = ""
        for upload in uploads:
            if len(self._staged) >= rule.max_files:
                self.attachment_error = self._t("attachments.too_many", count=rule.max_files)
                break
            name = files.clean_display_name(upload.filename or "")
            try:
                staged = files.stage(chunks=iter(lambda: upload.file.read(files.CHUNK), b""), display_name=name, kinds=rule.kinds)
            except files.AttachmentRejected as rejected:
                self.attachment_error = self._t(rejected.key, name=name, **rejected.params)
                continue
            self._staged = [*self._staged, staged]
        self._show_staged()

    @rx.event
    def remove_attachment(self, index: str):
        position = int(index) if str(index).isdigit() else -1
        if 0 <= position < len(self._staged):
            files.discard(self._staged[position])
            self._staged = [s for i, s in enumerate(self._staged) if i != position]
            self._show_staged()


class FormEngineState(StagingState, mixin=True):
    form_key: str = ""
    form_found: bool = False
    specs: list[dict] = []
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    computed: dict[str, str] = {}
    download_url: str = ""
    form_error: str = ""

    def _definition(self) -> FormDefinition | None:
        return get_form(self.form_key)

    def _allowed(self, principal: Principal) -> bool:
        """Who may use the form; the preview page widens this to operators."""
        return principal.scope is not None and principal.may_submit_requests

    def _context(self, db, principal: Principal):
        user = db.get(UserAccount, principal.user_id)
        return context_for(session=db, user=user, scope=principal.scope, lang=self.lang, today=clock.today(), values=self.values)

    def _refresh(self, principal: Principal) -> None:
        """Options, display fields and the download link, from the database, for what is chosen."""
        definition = self._definition()
        with session_scope() as db:
            ctx = self._context(db, principal)
            self.specs = field_specs(definition, ctx)
            # A choice that is no longer on offer (another contract chosen) is dropped.
            for spec in self.specs:
                if spec["options"] and self.values.get(spec["key"]) not in {o["value"] for o in spec["options"]}:
                    self.values = {**self.values, spec["key"]: ""}
            ctx = dataclasses.replace(ctx, values=self.values)
            self.computed = computed_values(definition, ctx)
            self.download_url = (definition.download(ctx) or "") if definition.download else ""

    def _open(self, principal: Principal, form_key: str) -> None:
        self.form_key = form_key
        definition = self._definition()
        self.form_found = definition is not None and self._allowed(principal)
        self.errors, self.form_error, self.attachment_error = {}, "", ""
        self._discard_staged()
        if not self.form_found:
            return
        with session_scope() as db:
            self.values = prefilled(definition, self._context(db, principal))
        self.values = {field.key: self.values.get(field.key, "") for field in definition.fields if field.type != "display"}
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

    def _rule(self) -> AttachmentRule | None:
        definition = self._definition()
        return definition.attachments if definition else None

    def _may_upload(self) -> bool:
        return self._signed_in_form_user() is not None

    def _signed_in_form_user(self) -> Principal | None:
        principal = self._principal()
        if principal is None or self._definition() is None or not self._allowed(principal):
            return None
        return principal

    @rx.event
    def set_field(self, key: str, value: str | bool):
        principal = self._signed_in_form_user()
        if principal is None:
            return self._to_login()
        field = next((f for f in self._definition().fields if f.key == key and f.type != "display"), None)
        if field is None:
            return
        text = ("on" if value else "") if isinstance(value, bool) else str(value)
        self.values = {**self.values, key: text}
        if key in self.errors:
            self.errors = {k: v for k, v in self.errors.items() if k != key}
        if field.type in CHOICE_TYPES:
            self._refresh(principal)

    def _validated(self, principal: Principal):
        """(definition, clean values) when everything is right; else the errors are shown."""
        definition = self._definition()
        with session_scope() as db:
            clean, errors = validate(definition, self.values, self._context(db, principal))
        self.errors = {key: self._t(message, **params) for key, (message, params) in errors.items()}
        if errors:
            self.form_error = self._t("forms.fix_errors")
            return None
        self.form_error = ""
        return clean
