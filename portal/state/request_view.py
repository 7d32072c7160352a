"""What a request's page shows, for the customer and for the service desk alike."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from portal import i18n, routes
from portal.db import session_scope
from portal.forms import registry
from portal.models import ServiceRequest, UserAccount
from portal.services.access.accounts import Principal
from portal.services.requests.form_engine import AttachmentRule
from portal.services.requests.form_payload import render_payload
from portal.services.requests.queries import AttachmentSummary, RequestDetail, access_request, account, detail_for
from portal.state.rows import due_date
from portal.state.staging import StagingState, size_text

REPLY_FILES = AttachmentRule(kinds=("image", "video", "pdf"), max_files=5)
# Stores a reply (session, its writer, the request); returns "" or the catalogue key of why not.
Writer = Callable[[Session, UserAccount, ServiceRequest], str]


@dataclasses.dataclass(frozen=True)
class RequestInfo:
    """The request's summary; all blank when there is no request to show."""

    code: str = ""
    title: str = ""
    form: str = ""
    status: str = ""  # the RequestStatus code, for the badge's colour
    status_label: str = ""
    created: str = ""
    updated: str = ""
    customer: str = ""
    asset: str = ""
    contacts: str = ""
    is_open: bool = False
    due: str = ""  # the legal deadline (art. 119 TUB), "" without one
    due_state: str = ""
    due_label: str = ""


@dataclasses.dataclass(frozen=True)
class FileLink:
    name: str
    url: str
    size: str


@dataclasses.dataclass(frozen=True)
class ThreadMessage:
    author: str
    desk: bool  # written by the service desk
    when: str
    body: str
    files: list[FileLink]


@dataclasses.dataclass(frozen=True)
class PayloadRow:
    """One answer of the form, as the reader's language words it."""

    label: str
    value: str


@dataclasses.dataclass(frozen=True)
class HistoryEntry:
    when: str
    who: str
    status: str


def _file(attachment: AttachmentSummary, lang: str) -> FileLink:
    return FileLink(
        name=attachment.display_name,
        url=routes.attachment_url(attachment.id),
        size=size_text(attachment.size_bytes, lang),
    )


class RequestViewState(StagingState, mixin=True):
    """A request's page (code in the URL); the customer's and the desk's pages add their reply."""

    loaded: bool = False
    reply_error: str = ""
    _code: str = ""
    _detail: RequestDetail | None = None  # plain data (no ORM rows): backend vars are pickled at every event

    def _rule(self) -> AttachmentRule | None:
        """Files join the open request's thread; with no request open (none, or another customer's
        the page refused) an upload has nothing to join and stages nothing."""
        return REPLY_FILES if self._detail is not None else None

    def _quota_request_id(self) -> int | None:
        return self._detail.request.id if self._detail is not None else None

    def _read(self, principal: Principal) -> None:
        """The request again from the database, if this user may still read it."""
        with session_scope() as db:
            self._detail = detail_for(session=db, user_id=principal.user_id, code=self._code)

    def _open(self, principal: Principal) -> None:
        self._code = self._query_param("codice")
        self._discard_staged()
        self.reply_error = ""
        self._read(principal)
        self._show_staged()  # the reply's rule follows the request just read (none when none opened)
        self.loaded = True

    def _answer(self, principal: Principal, body: str, limit: int, write: Writer, *, body_id: str, sent_key: str):
        """What both pages do with a reply: refuse one over `limit` characters, find the request
        again (if this user may still read it), let `write` store the reply (or name, by its
        catalogue key, why there is nothing to store), then show the request again and confirm."""
        if len(body) > limit:
            self.reply_error = self._t("forms.too_long", count=limit)
            return None
        with session_scope() as db:
            writer = account(session=db, user_id=principal.user_id)
            request = access_request(session=db, user=writer, code=self._code)
            if request is None:
                return rx.toast.error(self._t("subusers.not_allowed"))
            problem = write(db, writer, request)
        if problem:
            self.reply_error = self._t(problem)
            return None
        self._staged_sent()  # committed: the files are the reply's now
        self.reply_error = ""
        self._read(principal)
        return [rx.set_value(body_id, ""), rx.toast.success(self._t(sent_key))]

    @rx.var
    def found(self) -> bool:
        return self._detail is not None

    @rx.var
    def info(self) -> RequestInfo:
        if self._detail is None:
            return RequestInfo()
        request, lang = self._detail.request, self.lang
        form = registry().get(request.form_key)
        kind_key = f"form.{request.form_key}.title"  # a request no form opens (lease_end) has its title too
        due = due_date(request.due_on, is_open=request.status.is_open, lang=lang)
        return RequestInfo(
            code=request.code,
            title=request.title,
            form=form.title(lang)
            if form
            else i18n.translate(lang, kind_key)
            if i18n.is_known(kind_key)
            else request.form_key,
            status=request.status.value,
            status_label=i18n.translate(lang, f"request_status.{request.status.value}"),
            created=i18n.date_time(request.created_at, lang),
            updated=i18n.date_time(request.updated_at, lang),
            customer=self._detail.customer_name,
            asset=self._detail.asset_label,
            contacts=", ".join(self._detail.contacts),
            is_open=request.status.is_open,
            due=due.due,
            due_state=due.state,
            due_label=due.label,
        )

    @rx.var
    def payload_rows(self) -> list[PayloadRow]:
        if self._detail is None:
            return []
        request = self._detail.request
        form = registry().get(request.form_key)
        # the message opens the thread below: not an answer to repeat (older payloads do not say so)
        skip = [form.message_field] if form and form.message_field else []
        return [
            PayloadRow(label=label, value=value)
            for label, value in render_payload(request.payload, self.lang, skip=skip)
        ]

    @rx.var
    def thread(self) -> list[ThreadMessage]:
        if self._detail is None:
            return []
        return [
            ThreadMessage(
                author=entry.author_name,
                desk=entry.message.from_service_desk,
                when=i18n.date_time(entry.message.created_at, self.lang),
                body=entry.message.body,
                files=[_file(attachment, self.lang) for attachment in entry.attachments],
            )
            for entry in self._detail.thread
        ]

    @rx.var
    def loose_files(self) -> list[FileLink]:
        return [_file(a, self.lang) for a in self._detail.loose_attachments] if self._detail else []

    @rx.var
    def history(self) -> list[HistoryEntry]:
        if self._detail is None:
            return []
        return [
            HistoryEntry(
                when=i18n.date_time(change.created_at, self.lang),
                who=who,
                status=i18n.translate(self.lang, f"request_status.{change.to_status.value}"),
            )
            for change, who in self._detail.history
        ]
