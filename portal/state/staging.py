"""Files chosen but not yet sent, shared by the forms and the request threads: checked and staged
on upload, shown while the user writes, claimed when the form or the reply is sent."""

from __future__ import annotations

import dataclasses
import functools

import reflex as rx

from portal import i18n
from portal.services.access.accounts import Principal
from portal.services.requests import attachments as files
from portal.services.requests.form_engine import AttachmentRule
from portal.state.session import SIGNED_IN, SessionState, guard

KIND_ACCEPT = {
    "image": {
        "image/jpeg": [".jpg", ".jpeg"],
        "image/png": [".png"],
        "image/gif": [".gif"],
        "image/webp": [".webp"],
        "image/heic": [".heic"],
    },
    "video": {
        "video/mp4": [".mp4"],
        "video/quicktime": [".mov"],
        "video/webm": [".webm"],
        "video/x-matroska": [".mkv"],
        "video/x-msvideo": [".avi"],
        "video/3gpp": [".3gp"],
    },
    "pdf": {"application/pdf": [".pdf"]},
}


@dataclasses.dataclass(frozen=True)
class StagedName:
    """A staged file as the picker lists it, with the position its remove button sends back."""

    index: int
    name: str
    size: str  # "12 KB", in the user's language


def size_text(size_bytes: int, lang: str) -> str:
    return i18n.number(max(1, round(size_bytes / 1024)), lang, 0) + " KB"


class StagingState(SessionState, mixin=True):
    """Files chosen but not yet sent: checked and staged on upload, claimed on submit.

    A mixin, like the states built on it: Reflex runs an inherited handler on the state that
    declares it, so only a mixin lets each page's state keep its own files and its own rules.
    The handlers admit any signed-in user; each page says who may stage files with `_may_stage`.
    """

    attachment_names: list[StagedName] = []
    attachment_error: str = ""
    # Copied from _rule() whenever the staging area is shown: the page's vars then follow state, not code.
    attachment_kinds: list[str] = []
    attachment_max: int = 0
    _staged: list[files.StagedFile] = []

    def _rule(self) -> AttachmentRule | None:
        return None

    def _may_stage(self, principal: Principal) -> bool:
        """Whether this user may add files on this page (the page's own rule of who writes)."""
        return True

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
            StagedName(index=index, name=staged.display_name, size=size_text(staged.size_bytes, self.lang))
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
    @guard(SIGNED_IN)
    async def upload(self, principal: Principal, uploads: list[rx.UploadFile]):
        rule = self._rule()
        if rule is None or not self._may_stage(principal):
            return
        self.attachment_error = ""
        for upload in uploads:
            if len(self._staged) >= rule.max_files:
                self.attachment_error = self._t("attachments.too_many", count=rule.max_files)
                break
            name = files.clean_display_name(upload.filename or "")
            try:
                staged = files.stage(
                    chunks=iter(functools.partial(upload.file.read, files.CHUNK), b""),
                    display_name=name,
                    kinds=rule.kinds,
                )
            except files.AttachmentRejected as rejected:
                self.attachment_error = self._t(rejected.key, name=name, **rejected.params)
                continue
            self._staged = [*self._staged, staged]
        self._show_staged()

    @rx.event
    @guard(SIGNED_IN)
    def remove_attachment(self, principal: Principal, index: int):
        position = int(index) if str(index).isdigit() else -1  # whatever the browser sends
        if 0 <= position < len(self._staged):
            files.discard(self._staged[position])
            self._staged = [s for i, s in enumerate(self._staged) if i != position]
            self._show_staged()
