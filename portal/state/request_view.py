"""What a request's page shows, for the customer and for the service desk alike."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.db import session_scope
from portal.forms import registry
from portal.models import UserAccount
from portal.services.accounts import Principal
from portal.services.forms import AttachmentRule, render_payload
from portal.services.requests import RequestDetail, detail, find_request
from portal.state.forms import StagingState

REPLY_FILES = AttachmentRule(kinds=("image", "video", "pdf"), max_files=5)


def _file(attachment, lang: str) -> dict[str, str]:
    return {"name": attachment.display_name, "url": routes.attachment_url(attachment.id),
            "size": i18n.number(max(1, round(attachment.size_bytes / 1024)), lang, 0) + " KB"}


class RequestViewState(StagingState, mixin=True):
    """A request's page (code in the URL); the customer's and the desk's pages add their reply."""

    loaded: bool = False
    reply_error: str = ""
    _code: str = ""
    _detail: RequestDetail | None = None

    def _rule(self) -> AttachmentRule | None:
        return REPLY_FILES

    def _read(self, principal: Principal) -> None:
        """The request again from the database, if this user may still read it."""
        with session_scope() as db:
            request = find_request(session=db, user=db.get(UserAccount, principal.user_id), code=self._code)
            self._detail = detail(session=db, request=request) if request is not None else None

    def _open(self, principal: Principal) -> None:
        self._code = self._query_param("codice")
        self._discard_staged()
        self.reply_error = ""
        self._read(principal)
        self.loaded = True

    @rx.var
    def found(self) -> bool:
        return self._detail is not None

    @rx.var
    def info(self) -> dict[str, str]:
        if self._detail is None:
            return {}
        request, lang = self._detail.request, self.lang
        form = registry().get(request.form_key)
        return {
            "code": request.code,
            "title": request.title,
            "form": form.title(lang) if form else request.form_key,
            "status": request.status.value,
            "status_label": i18n.translate(lang, f"request_status.{request.status.value}"),
            "created": i18n.date_time(request.created_at, lang),
            "updated": i18n.date_time(request.updated_at, lang),
            "customer": self._detail.customer_name,
            "asset": self._detail.asset_label,
            "contacts": ", ".join(self._detail.contacts),
            "open": "1" if request.status.is_open else "",
        }

    @rx.var
    def payload_rows(self) -> list[dict[str, str]]:
        if self._detail is None:
            return []
        return [{"label": label, "value": value} for label, value in render_payload(self._detail.request.payload, self.lang)]

    @rx.var
    def thread(self) -> list[dict]:
        if self._detail is None:
            return []
        return [
            {
                "author": entry.author_name,
                "desk": "1" if entry.message.from_service_desk else "",
                "when": i18n.date_time(entry.message.created_at, self.lang),
                "body": entry.message.body,
                "files": [_file(attachment, self.lang) for attachment in entry.attachments],
            }
            for entry in self._detail.thread
        ]

    @rx.var
    def loose_files(self) -> list[dict[str, str]]:
        return [_file(a, self.lang) for a in self._detail.loose_attachments] if self._detail else []

    @rx.var
    def history(self) -> list[dict[str, str]]:
        if self._detail is None:
            return []
        return [
            {"when": i18n.date_time(change.created_at, self.lang), "who": who,
             "status": i18n.translate(self.lang, f"request_status.{change.to_status.value}")}
            for change, who in self._detail.history
        ]
