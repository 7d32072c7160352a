"""One import run: its counts per record type, the reconciliation warnings, the records a full set
lacked, the first rejections, and the whole report to download."""

from __future__ import annotations

import dataclasses
import datetime as dt

import reflex as rx

from portal import i18n, routes
from portal.components.layout import column, page_body
from portal.components.shell import template
from portal.components.ui import (
    alert,
    back_link,
    card,
    data_cell,
    data_table,
    header_cell,
    labelled_value,
    page_header,
    status_badge,
    table_region,
)
from portal.db import session_scope
from portal.pages.integration import RunLine, count_text, run_line
from portal.services.access.accounts import Principal
from portal.services.common import clock, downloads
from portal.services.integration.runs import FIRST, RunDetail, RunSummary, import_run, write_report
from portal.state.i18n import tr
from portal.state.session import OPERATOR, SessionState, guard, page_notice, redirect_to

_NO_RUN = RunSummary(
    run_id=0,
    started_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    finished_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    source="",
    dry_run=False,
    full=False,
    outcome="",
    created=0,
    updated=0,
    unchanged=0,
    rejected=0,
    warnings=0,
    missing=0,
)


@dataclasses.dataclass(frozen=True)
class CountLine:
    record_type: str  # the type's name in the reader's language
    code: str  # the type's name in the interchange format (its file's name)
    created: str
    updated: str
    unchanged: str
    rejected: str
    missing: str


@dataclasses.dataclass(frozen=True)
class FindingLine:
    record_type: str
    key: str
    message: str


@dataclasses.dataclass(frozen=True)
class ProblemLine:
    place: str  # file:line
    field: str
    reason: str


READABLE = "16rem"  # a sentence's column, however narrow the screen: the table scrolls sideways instead


def _type_name(code: str, lang: str) -> str:
    return i18n.coded(lang, "integration.type", code, code)


class ImportRunState(SessionState):
    loaded: bool = False
    found: bool = False
    _detail: RunDetail | None = None  # a plain copy of the run, never the ORM row

    @rx.event
    @guard(OPERATOR, otherwise=redirect_to(routes.HOME))
    def load(self, principal: Principal):
        wanted = self._query_param("numero")
        self._detail = None
        if wanted.isdigit():
            with session_scope() as db:
                self._detail = import_run(session=db, tenant_id=principal.tenant_id, run_id=int(wanted))
        self.found = self._detail is not None
        self.loaded = True

    @rx.event
    @guard(OPERATOR)
    def download_report(self, principal: Principal, run_id):
        """The run's whole report as JSON, through a download ticket; the run is looked for again in
        the operator's own tenant, whatever id the browser sent."""
        try:
            wanted = int(run_id)
        except (TypeError, ValueError):
            return rx.toast.error(self._t("integration.not_found"))
        storage_name = downloads.new_storage_name(".json")
        with session_scope() as db:
            written = write_report(
                session=db,
                tenant_id=principal.tenant_id,
                run_id=wanted,
                folder=downloads.exports_dir(),
                storage_name=storage_name,
            )
            if written is None:
                return rx.toast.error(self._t("integration.not_found"))
            token = downloads.issue_ticket(
                session=db,
                user_id=principal.user_id,
                storage_name=storage_name,
                filename=written.filename,
                content_type=downloads.JSON,
                now=clock.now(),
            )
        return [
            rx.download(url=routes.download_url(token), filename=written.filename),
            page_notice(self._t("integration.report_ready")),
        ]

    @rx.var
    def info(self) -> RunLine:
        return run_line(self._detail.summary if self._detail else _NO_RUN, self.lang)

    @rx.var
    def counts(self) -> list[CountLine]:
        if self._detail is None:
            return []
        lang = self.lang
        return [
            CountLine(
                record_type=_type_name(count.record_type, lang),
                code=count.record_type,
                created=count_text(count.created, lang),
                updated=count_text(count.updated, lang),
                unchanged=count_text(count.unchanged, lang),
                rejected=count_text(count.rejected, lang),
                missing=count_text(count.missing, lang),
            )
            for count in self._detail.counts
        ]

    @rx.var
    def warnings(self) -> list[FindingLine]:
        findings = self._detail.warnings if self._detail else ()
        return [FindingLine(_type_name(item.record_type, self.lang), item.key, item.message) for item in findings]

    @rx.var
    def missing(self) -> list[FindingLine]:
        findings = self._detail.missing if self._detail else ()
        return [FindingLine(_type_name(item.record_type, self.lang), item.key, item.message) for item in findings]

    @rx.var
    def rejections(self) -> list[ProblemLine]:
        problems = self._detail.rejections if self._detail else ()
        return [ProblemLine(f"{item.file}:{item.line}", item.field, item.reason) for item in problems]

    def _first_of(self, shown: int, total: int) -> str:
        return self._t("integration.first_of", shown=shown, total=total) if total > shown else ""

    @rx.var
    def warnings_note(self) -> str:
        return self._first_of(FIRST, self._detail.summary.warnings) if self._detail else ""

    @rx.var
    def missing_note(self) -> str:
        return self._first_of(FIRST, self._detail.summary.missing) if self._detail else ""

    @rx.var
    def rejections_note(self) -> str:
        return self._first_of(FIRST, self._detail.rejection_total) if self._detail else ""

    @rx.var
    def rejection_total(self) -> int:
        return self._detail.rejection_total if self._detail else 0


def summary_card() -> rx.Component:
    """When, what and how it ended: each label over its value, four a row on a wide screen, one on a phone."""
    info = ImportRunState.info
    return card(
        rx.grid(
            labelled_value(tr("integration.started"), info.started, value_id="run-started", nowrap=True),
            labelled_value(tr("integration.finished"), info.finished, value_id="run-finished", nowrap=True),
            labelled_value(tr("integration.duration"), info.duration, value_id="run-duration", nowrap=True),
            labelled_value(
                tr("integration.outcome"), status_badge(info.outcome, info.outcome_label), value_id="run-outcome"
            ),
            labelled_value(tr("integration.kind"), info.kind, value_id="run-kind"),
            labelled_value(tr("integration.set"), info.scope, value_id="run-scope"),
            rx.box(
                labelled_value(tr("integration.source"), info.source_path, value_id="run-source"),
                grid_column=rx.breakpoints(initial="auto", xs="span 2"),
                overflow_wrap="anywhere",
                min_width="0",
            ),
            columns=rx.breakpoints(initial="1", xs="2", md="4"),
            spacing="4",
            width="100%",
        ),
        title=tr("integration.summary"),
        title_id="run-summary-title",
    )


COUNT_COLUMNS = (
    ("integration.record_type", False),
    ("integration.created", True),
    ("integration.updated", True),
    ("integration.unchanged", True),
    ("integration.rejected", True),
    ("integration.missing", True),
)


def count_row(row: CountLine) -> rx.Component:
    return rx.el.tr(
        rx.el.td(
            rx.text(row.record_type, weight="medium", as_="span"),
            rx.text(" (", row.code, ")", size="1", color_scheme="gray", as_="span", font_family="monospace"),
        ),
        data_cell(row.created, numeric=True),
        data_cell(row.updated, numeric=True),
        data_cell(row.unchanged, numeric=True),
        data_cell(row.rejected, numeric=True),
        data_cell(row.missing, numeric=True),
        class_name="count-row",
        data_type=row.code,
    )


def total_row() -> rx.Component:
    info = ImportRunState.info
    return rx.el.tr(
        rx.el.td(rx.text(tr("integration.total"), weight="bold", as_="span")),
        *[
            data_cell(rx.text(value, weight="bold", as_="span"), numeric=True)
            for value in (info.created, info.updated, info.unchanged, info.rejected, info.missing)
        ],
        id="count-total",
    )


def counts_card() -> rx.Component:
    """The counts per record type, their totals in the table's foot."""
    state = ImportRunState
    label = tr("integration.counts_title")
    table = rx.el.table(
        rx.el.caption(label, class_name="sr-only"),
        rx.el.thead(rx.el.tr(*[header_cell(tr(key), numeric) for key, numeric in COUNT_COLUMNS])),
        rx.el.tbody(rx.foreach(state.counts, count_row)),
        rx.el.tfoot(total_row()),
        class_name="portal-table",
        id="counts-table",
    )
    return card(table_region(table, label=label), title=label, title_id="counts-title")


def finding_row(class_name: str):
    def row(item: FindingLine) -> rx.Component:
        return rx.el.tr(
            rx.el.td(item.record_type),
            rx.el.td(item.key, white_space="nowrap"),
            rx.el.td(item.message, min_width=READABLE),
            class_name=class_name,
        )

    return row


def problem_row(item: ProblemLine) -> rx.Component:
    return rx.el.tr(
        rx.el.td(item.place, font_family="monospace", white_space="nowrap"),
        rx.el.td(item.field, font_family="monospace"),
        rx.el.td(item.reason, min_width=READABLE),
        class_name="rejection-row",
    )


def listed(rows, row_fn, *, columns: tuple[str, ...], title_key: str, part: str, count, note, none_key: str):
    """A card of findings: how many, the first of them in a table, or a line saying there are none."""
    return card(
        rx.cond(
            rows.length() > 0,
            rx.vstack(
                rx.cond(note != "", rx.text(note, size="2", color_scheme="gray", id=f"{part}-note")),
                data_table(
                    rows,
                    row_fn,
                    columns=[(key, False) for key in columns],
                    label=tr(title_key),
                    table_id=f"{part}-table",
                ),
                spacing="2",
                width="100%",
            ),
            rx.text(tr(none_key), color_scheme="gray", size="2", id=f"{part}-none"),
        ),
        title=rx.Var.create(tr(title_key)).to(str) + " (" + count.to(str) + ")",
        title_id=f"{part}-title",
    )


def findings() -> list[rx.Component]:
    state = ImportRunState
    info = state.info
    return [
        listed(
            state.rejections,
            problem_row,
            columns=("integration.place", "integration.field", "integration.reason"),
            title_key="integration.rejections_title",
            part="rejections",
            count=state.rejection_total,
            note=state.rejections_note,
            none_key="integration.no_rejections",
        ),
        listed(
            state.warnings,
            finding_row("warning-row"),
            columns=("integration.record_type", "integration.key", "integration.detail"),
            title_key="integration.warnings_title",
            part="warnings",
            count=info.warnings,
            note=state.warnings_note,
            none_key="integration.no_warnings",
        ),
        listed(
            state.missing,
            finding_row("missing-row"),
            columns=("integration.record_type", "integration.key", "integration.detail"),
            title_key="integration.missing_title",
            part="missing",
            count=info.missing,
            note=state.missing_note,
            none_key="integration.no_missing",
        ),
    ]


def download_button() -> rx.Component:
    return rx.button(
        rx.icon("download", size=16, aria_hidden="true"),
        tr("integration.download"),
        on_click=ImportRunState.download_report(ImportRunState.info.run_id),
        id="report-download",
    )


TITLE = rx.Var.create(tr("integration.run_title")).to(str) + " " + ImportRunState.info.run_id.to(str)


@template(route=routes.IMPORT_RUN, title_key="integration.run_title", on_load=ImportRunState.load, title=TITLE)
def import_run_page() -> rx.Component:
    state = ImportRunState
    return page_body(
        state.loaded,
        back_link("integration.back", routes.INTEGRATION),
        rx.cond(
            state.found,
            column(
                page_header(
                    rx.text(tr("integration.run_title"), " ", state.info.run_id, as_="span"), download_button()
                ),
                summary_card(),
                counts_card(),
                *findings(),
            ),
            alert(tr("integration.not_found"), "run-not-found"),
        ),
    )
