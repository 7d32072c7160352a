"""Files chosen but not yet sent, shared by the forms and the request threads: checked (type, size,
the customer's quota) and staged on upload in a worker thread, shown while the user writes, and
forgotten only once the form or the reply that carries them has been committed."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Sequence
from typing import BinaryIO

import reflex as rx

from portal import i18n
from portal.db import session_scope
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


def stage_upload(
    *,
    source: BinaryIO,
    name: str,
    kinds: Sequence[str],
    customer_id: int | None,
    request_id: int | None,
    pending: Sequence[files.StagedFile],
) -> files.StagedFile:
    """Check the customer's quota, then copy and hash the upload into the staging folder. Blocking
    (database and disk): the upload handler runs it in a worker thread, off the event loop.
    Files the service desk adds (no customer) count for no quota."""
    room, owner = None, ""
    if customer_id is not None:
        with session_scope() as db:
            room = files.budget(session=db, customer_id=customer_id, request_id=request_id, pending=pending)
        owner = files.owner_prefix(customer_id)
    return files.stage(
        chunks=iter(functools.partial(source.read, files.CHUNK), b""),
        display_name=name,
        kinds=kinds,
        owner=owner,
        room=room,
    )


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
        if self._staged:
            with session_scope() as db:
                for staged in files.unclaimed(session=db, staged=self._staged):
                    files.discard(staged)
        self._staged = []
        self._show_staged()

    def _claim_staged(self) -> list[files.StagedFile]:
        """The staged files, for whoever stores them. They stay listed until `_staged_sent`: a
        submission that fails before its commit leaves them here, to send again."""
        if not self._staged:
            return []
        with session_scope() as db:
            return files.unclaimed(session=db, staged=self._staged)

    def _staged_sent(self) -> None:
        """After the commit: the files belong to the request now (moved to storage by then)."""
        self._staged = []
        self._show_staged()

    def _quota_request_id(self) -> int | None:
        """The request the files will join (its files count towards its limit); None for a new one."""
        return None

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
                staged = await asyncio.to_thread(
                    stage_upload,
                    source=upload.file,
                    name=name,
                    kinds=rule.kinds,
                    customer_id=None if principal.is_operator else principal.customer_id,
                    request_id=self._quota_request_id(),
                    pending=list(self._staged),
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
            with session_scope() as db:
                for staged in files.unclaimed(session=db, staged=[self._staged[position]]):
                    files.discard(staged)
            self._staged = [s for i, s in enumerate(self._staged) if i != position]
            self._show_staged()
