"""Integration: what the core system's imports did, for the operators of the leasing company.

The runs table is its own component (`runs_card`), so the page can take further parts of the
integration beside it."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import PurePath
from typing import ClassVar
from urllib.parse import urlsplit

import reflex as rx
from reflex_components_radix.themes.base import LiteralAccentColor

from portal import i18n, routes
from portal.components.layout import page_body
from portal.components.shell import template
from portal.components.ui import card, data_cell, data_table, empty, header_cell, page_header, paged, status_badge
from portal.db import session_scope
from portal.integration.outbound.webhooks import DeliveryRow, deliveries
from portal.services.access.accounts import Principal
from portal.services.integration.runs import PAGE_SIZE, RunSummary, import_runs
from portal.state.i18n import tr
from portal.state.paging import PagedState
from portal.state.session import OPERATOR, Audience, SessionState, guard, redirect_to

IMPORT_COMMAND = "python -m portal.integration import PATH [--dry-run]"
WEBHOOK_COMMAND = "python -m portal.integration.outbound webhooks add URL"
DELIVERIES_SHOWN = 50  # the latest; `webhooks deliveries` on the command line lists more


@dataclasses.dataclass(frozen=True)
class RunLine:
    """An import run worded for the reader: the list's row, and the head of a run's page."""

    run_id: int
    url: str
    started: str
    finished: str
    duration: str
    source: str  # the file set's name
    source_path: str  # where it was read from
    kind: str  # an import, or a dry run
    scope: str  # a full set, or some records
    outcome: str  # ImportOutcome's code, for the badge's colour
    outcome_label: str
    created: str
    updated: str
    unchanged: str
    rejected: str
    warnings: str
    missing: str
    has_rejected: bool
    has_warnings: bool
    has_missing: bool


def count_text(value: int, lang: str) -> str:
    """A count as the integration pages show it: 2.025, 0."""
    return i18n.number(value, lang, digits=0)


def duration(seconds: float, lang: str) -> str:
    """ "0,4 s", "12,0 s", "2 min 5 s"."""
    if seconds < 60:
        shown = i18n.number(Decimal(str(round(max(seconds, 0.0), 1))), lang, digits=1)
        return i18n.translate(lang, "integration.seconds", seconds=shown)
    whole = round(seconds)
    return i18n.translate(lang, "integration.minutes", minutes=whole // 60, seconds=whole % 60)


def run_line(run: RunSummary, lang: str) -> RunLine:
    return RunLine(
        run_id=run.run_id,
        url=routes.import_run_url(run.run_id),
        started=i18n.date_time(run.started_at, lang),
        finished=i18n.date_time(run.finished_at, lang),
        duration=duration((run.finished_at - run.started_at).total_seconds(), lang),
        source=PurePath(run.source).name or run.source,
        source_path=run.source,
        kind=i18n.translate(lang, "integration.dry_run" if run.dry_run else "integration.import"),
        scope=i18n.translate(lang, "integration.full_set" if run.full else "integration.partial_set"),
        outcome=run.outcome,
        outcome_label=i18n.translate(lang, f"integration.outcome_{run.outcome}"),
        created=count_text(run.created, lang),
        updated=count_text(run.updated, lang),
        unchanged=count_text(run.unchanged, lang),
        rejected=count_text(run.rejected, lang),
        warnings=count_text(run.warnings, lang),
        missing=count_text(run.missing, lang),
        has_rejected=run.rejected > 0,
        has_warnings=run.warnings > 0,
        has_missing=run.missing > 0,
    )


@dataclasses.dataclass(frozen=True)
class DeliveryLine:
    """A webhook delivery worded for the reader."""

    delivery_id: int
    created: str
    endpoint: str
    event: str  # the event's kind and number
    request_code: str
    state: str  # waiting, retrying, delivered, given_up: the badge's colour
    state_label: str
    attempts: str
    last_answer: str  # the HTTP status of the last attempt, or its error
    when: str  # delivered at, given up at, or the next attempt


def delivery_line(row: DeliveryRow, lang: str) -> DeliveryLine:
    if row.delivered_at is not None:
        when = row.delivered_at
    elif row.given_up_at is not None:
        when = row.given_up_at
    else:
        when = row.next_attempt_at
    answer = f"HTTP {row.last_status_code}" if row.last_status_code is not None else row.last_error or "–"
    return DeliveryLine(
        delivery_id=row.id,
        created=i18n.date_time(row.created_at, lang),
        # the address without its query: a receiver may have put a token of its own there
        endpoint=urlsplit(row.endpoint_url)._replace(query="", fragment="").geturl(),
        event=f"{row.event_type} #{row.event_id}",
        request_code=row.request_code,
        state=row.state,
        state_label=i18n.translate(lang, f"integration.delivery_{row.state}"),
        attempts=count_text(row.attempts, lang),
        last_answer=answer,
        when="–" if when is None else i18n.date_time(when, lang),
    )


class IntegrationState(PagedState, SessionState):
    loaded: bool = False
    _readers: ClassVar[Audience] = OPERATOR  # who may page through the runs
    _page_size: int = PAGE_SIZE
    _runs: list[RunSummary] = []  # plain rows: backend vars are pickled at every event
    _deliveries: list[DeliveryRow] = []

    def _show_page(self, principal: Principal) -> None:
        with session_scope() as db:
            self._runs, self.total = import_runs(
                session=db, tenant_id=principal.tenant_id, offset=self.offset, limit=self._page_size
            )

    @rx.event
    @guard(OPERATOR, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        self.offset = 0
        self._show_page(principal)
        with session_scope() as db:
            self._deliveries = deliveries(session=db, tenant_id=principal.tenant_id, limit=DELIVERIES_SHOWN)
        self.loaded = True

    @rx.var
    def rows(self) -> list[RunLine]:
        return [run_line(run, self.lang) for run in self._runs]

    @rx.var
    def delivery_rows(self) -> list[DeliveryLine]:
        return [delivery_line(row, self.lang) for row in self._deliveries]


def flagged(value, flag, colour: LiteralAccentColor) -> rx.Component:
    """A count that asks for attention when not zero."""
    return rx.cond(flag, rx.text(value, color_scheme=colour, weight="bold", as_="span"), rx.text(value, as_="span"))


def run_row(row: RunLine) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(row.run_id, href=row.url, weight="medium", white_space="nowrap")),
        rx.el.td(row.started, white_space="nowrap"),
        rx.el.td(row.duration, white_space="nowrap"),
        rx.el.td(rx.text(row.source, title=row.source_path, as_="span"), overflow_wrap="anywhere", min_width="9rem"),
        rx.el.td(row.kind),
        rx.el.td(status_badge(row.outcome, row.outcome_label)),
        data_cell(row.created, numeric=True),
        data_cell(row.updated, numeric=True),
        data_cell(row.unchanged, numeric=True),
        data_cell(flagged(row.rejected, row.has_rejected, "red"), numeric=True),
        data_cell(flagged(row.warnings, row.has_warnings, "amber"), numeric=True),
        data_cell(flagged(row.missing, row.has_missing, "amber"), numeric=True),
        class_name="run-row",
        data_run=row.run_id,
    )


RUN_COLUMNS = (
    ("integration.number", False),
    ("integration.started", False),
    ("integration.duration", False),
    ("integration.source", False),
    ("integration.kind", False),
    ("integration.outcome", False),
    ("integration.created", True),
    ("integration.updated", True),
    ("integration.unchanged", True),
    ("integration.rejected", True),
    ("integration.warnings", True),
    ("integration.missing", True),
)


def no_runs() -> rx.Component:
    """No import yet: where the data comes from."""
    return rx.vstack(
        empty(tr("integration.empty"), icon="database"),
        rx.text(tr("integration.empty_hint"), size="2", color_scheme="gray", text_align="center"),
        rx.code(IMPORT_COMMAND, id="integration-command", size="2"),
        align="center",
        spacing="2",
        width="100%",
        padding_bottom="1rem",
        id="integration-empty",
    )


def runs_card() -> rx.Component:
    """The tenant's import runs, the latest first, a page at a time."""
    state = IntegrationState
    table = data_table(
        state.rows,
        run_row,
        columns=[header_cell(tr(key), numeric) for key, numeric in RUN_COLUMNS],
        label=tr("integration.runs_title"),
        table_id="runs-table",
    )
    return card(
        paged(state, "runs", table, otherwise=no_runs()),
        title=tr("integration.runs_title"),
        title_id="runs-title",
    )


def delivery_row(row: DeliveryLine) -> rx.Component:
    return rx.el.tr(
        rx.el.td(row.created, white_space="nowrap"),
        rx.el.td(row.endpoint, overflow_wrap="anywhere", min_width="10rem"),
        rx.el.td(row.event, white_space="nowrap"),
        rx.el.td(row.request_code, white_space="nowrap"),
        rx.el.td(status_badge(row.state, row.state_label)),
        data_cell(row.attempts, numeric=True),
        rx.el.td(row.last_answer, overflow_wrap="anywhere", min_width="8rem"),
        rx.el.td(row.when, white_space="nowrap"),
        class_name="delivery-row",
        data_delivery=row.delivery_id,
    )


DELIVERY_COLUMNS = (
    ("integration.delivery_created", False),
    ("integration.delivery_endpoint", False),
    ("integration.delivery_event", False),
    ("integration.delivery_request", False),
    ("integration.delivery_state", False),
    ("integration.delivery_attempts", True),
    ("integration.delivery_answer", False),
    ("integration.delivery_when", False),
)


def no_deliveries() -> rx.Component:
    return rx.vstack(
        empty(tr("integration.deliveries_empty"), icon="send"),
        rx.text(tr("integration.deliveries_hint"), size="2", color_scheme="gray", text_align="center"),
        rx.code(WEBHOOK_COMMAND, id="webhook-command", size="2"),
        align="center",
        spacing="2",
        width="100%",
        padding_bottom="1rem",
        id="deliveries-empty",
    )


def deliveries_card() -> rx.Component:
    """The latest webhook deliveries: the requests handed to the core system, and how each went."""
    table = data_table(
        IntegrationState.delivery_rows,
        delivery_row,
        columns=[header_cell(tr(key), numeric) for key, numeric in DELIVERY_COLUMNS],
        label=tr("integration.deliveries_title"),
        table_id="deliveries-table",
    )
    return card(
        rx.cond(IntegrationState.delivery_rows.length() > 0, table, no_deliveries()),  # pyright: ignore[reportAttributeAccessIssue]
        title=tr("integration.deliveries_title"),
        title_id="deliveries-title",
    )


@template(route=routes.INTEGRATION, title_key="integration.title", on_load=IntegrationState.load)
def integration() -> rx.Component:
    return page_body(IntegrationState.loaded, page_header(tr("integration.title")), runs_card(), deliveries_card())
