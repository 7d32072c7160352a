"""Reclami, the desk's side: the queue by deadline (nearest first, with a warning as it nears and
once it has passed), the yearly figures with their CSV export, and a complaint's page where the
operator answers (text and outcome, after a confirmation)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import ClassVar

import reflex as rx

from portal import i18n, routes
from portal.components.fields import REQUIRED_MARK, error_text, form, labelled, labelled_check, select
from portal.components.layout import actions, column, page_body, row
from portal.components.shell import template
from portal.components.ui import RETURNS_FOCUS, alert, back_link, cancel_button, card, data_table, empty, page_header
from portal.config import settings
from portal.db import session_scope
from portal.models.enums import ComplaintOutcome
from portal.pages.complaints.view import (
    ComplaintLine,
    ComplaintViewState,
    answer_card,
    complaint_line,
    summary_card,
    text_card,
    urgency_badge,
)
from portal.services.access.accounts import Principal
from portal.services.common import clock, downloads
from portal.services.common.text import form_texts
from portal.services.complaints.filing import (
    ANSWER_MAX,
    CSV_COLUMNS,
    ComplaintRefused,
    answer_complaint,
    write_figures_csv,
)
from portal.services.complaints.queries import (
    ComplaintRow,
    YearFigures,
    access_complaint,
    desk_complaints,
    report_years,
    year_figures,
)
from portal.services.requests.queries import account
from portal.state.i18n import tr
from portal.state.rows import Option
from portal.state.session import OPERATOR, Audience, SessionState, guard, page_notice, redirect_to

TO_COMPLAINTS = redirect_to(routes.COMPLAINTS)
CSV = "text/csv"


@dataclasses.dataclass(frozen=True)
class FigureLine:
    label: str
    value: int
    key: str


class DeskComplaintsState(SessionState):
    loaded: bool = False
    show_answered: bool = False
    year: str = ""
    years: list[str] = []
    _rows: list[ComplaintRow] = []
    _figures: YearFigures | None = None

    def _read_queue(self, principal: Principal) -> None:
        today = clock.today()
        with session_scope() as db:
            self._rows = desk_complaints(
                session=db, tenant_id=principal.tenant_id, today=today, include_answered=self.show_answered
            )
            self.years = [str(y) for y in report_years(session=db, tenant_id=principal.tenant_id, today=today)]
            if self.year not in self.years:
                self.year = self.years[0]
            self._figures = year_figures(session=db, tenant_id=principal.tenant_id, year=int(self.year))

    @rx.event
    @guard(OPERATOR, otherwise=TO_COMPLAINTS)
    def load(self, principal: Principal):
        self._read_queue(principal)
        self.loaded = True

    @rx.event
    @guard(OPERATOR, otherwise=TO_COMPLAINTS)
    def toggle_answered(self, principal: Principal, checked: bool):
        self.show_answered = checked is True
        self._read_queue(principal)

    @rx.event
    @guard(OPERATOR, otherwise=TO_COMPLAINTS)
    def choose_year(self, principal: Principal, value: str):
        self.year = value if isinstance(value, str) else ""  # one not offered falls back to this year
        self._read_queue(principal)

    @rx.event
    @guard(OPERATOR, otherwise=TO_COMPLAINTS)
    def export_figures(self, principal: Principal):
        """The chosen year's figures as CSV, through a one-time download ticket (the operator's company only)."""
        self._read_queue(principal)
        figures = self._figures
        if figures is None:
            return None
        storage_name = downloads.new_storage_name(".csv")
        filename = write_figures_csv(figures, lang=self.lang, path=Path(downloads.exports_dir()) / storage_name)
        with session_scope() as db:
            token = downloads.issue_ticket(
                session=db,
                user_id=principal.user_id,
                storage_name=storage_name,
                filename=filename,
                content_type=CSV,
                now=clock.now(),
            )
        return [
            rx.download(url=routes.download_url(token), filename=filename),
            page_notice(self._t("complaints.export_ready")),
        ]

    @rx.var
    def rows(self) -> list[ComplaintLine]:
        return [complaint_line(row, self.lang, desk=True) for row in self._rows]

    @rx.var
    def year_options(self) -> list[Option]:
        return [Option(value=y, label=y) for y in self.years]

    @rx.var
    def figures(self) -> list[FigureLine]:
        if self._figures is None:
            return []
        return [
            FigureLine(
                label=i18n.translate(self.lang, f"complaints.csv.{name}"), value=getattr(self._figures, name), key=name
            )
            for name in CSV_COLUMNS[1:]
        ]


def desk_row(line: ComplaintLine) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.link(line.code, href=line.url)),
        rx.el.td(line.customer),
        rx.el.td(line.subject),
        rx.el.td(line.received),
        rx.el.td(line.due),
        rx.el.td(urgency_badge(line.urgency, line.status_label)),
        class_name="desk-complaint-row",
    )


DESK_COLUMNS = [
    ("complaints.code", False),
    ("operator.name", False),
    ("complaints.subject", False),
    ("complaints.received", False),
    ("complaints.due", False),
    ("complaints.status", False),
]


def figure_row(line: FigureLine) -> rx.Component:
    return rx.el.tr(rx.el.td(line.label), rx.el.td(line.value, class_name="portal-num", id="figure-" + line.key))


def figures_card() -> rx.Component:
    state = DeskComplaintsState
    year = select("complaints-year", state.year_options, value=state.year, on_change=state.choose_year)
    return card(
        row(
            rx.heading(tr("complaints.figures_title"), as_="h2", size="5"),
            labelled("complaints-year", tr("complaints.year"), year, width=None, min_width="120px"),
            rx.button(
                rx.icon("file-down", size=16, aria_hidden="true"),
                tr("complaints.export"),
                on_click=state.export_figures,
                id="complaints-export",
                variant="soft",
            ),
            wrap="wrap",
            align="end",
        ),
        rx.text(tr("complaints.figures_note"), size="2", color_scheme="gray", margin_top="0.5rem"),
        data_table(
            state.figures,
            figure_row,
            columns=[("complaints.figure", False), ("complaints.count", True)],
            label=tr("complaints.figures_title"),
            table_id="complaints-figures",
        ),
    )


@template(route=routes.DESK_COMPLAINTS, title_key="complaints.desk_title", on_load=DeskComplaintsState.load)
def desk_complaints_page() -> rx.Component:
    state = DeskComplaintsState
    table = data_table(
        state.rows, desk_row, columns=DESK_COLUMNS, label=tr("complaints.desk_title"), table_id="desk-complaints"
    )
    return page_body(
        state.loaded,
        page_header(tr("complaints.desk_title")),
        rx.text(tr("complaints.desk_intro"), color_scheme="gray"),
        card(
            labelled_check(
                "complaints-show-answered",
                "show_answered",
                tr("complaints.show_answered"),
                state.show_answered,
                state.toggle_answered,
            ),
            rx.box(rx.cond(state.rows.length() > 0, table, empty(tr("complaints.desk_empty"))), margin_top="0.75rem"),
        ),
        figures_card(),
    )


# One complaint on the desk ---------------------------------------------------------------------


OUTCOMES = tuple(outcome.value for outcome in ComplaintOutcome)


class DeskComplaintDetailState(ComplaintViewState, SessionState):
    _readers: ClassVar[Audience] = OPERATOR
    _desk: ClassVar[bool] = True
    answer_error: str = ""
    confirm_open: bool = False
    confirm_text: str = ""
    _draft_answer: str = ""
    _draft_outcome: str = ""

    @rx.event
    @guard(OPERATOR, otherwise=lambda state: rx.redirect(routes.complaint_url(state._query_param("codice"))))
    def load(self, principal: Principal):
        self.answer_error, self.confirm_open = "", False
        self._draft_answer, self._draft_outcome = "", ""
        self._open(principal)

    @rx.event
    @guard(OPERATOR)
    def ask_answer(self, principal: Principal, form_data: dict):
        """Check the answer, then ask for confirmation (nothing is stored yet)."""
        texts, refused = form_texts(form_data, ("answer", "outcome"), multiline=("answer",))
        if refused:
            self.answer_error = self._t(next(iter(refused.values())))
            return
        answer, outcome = texts["answer"].strip(), ComplaintOutcome.parse(texts["outcome"])
        if not answer:
            self.answer_error = self._t("complaints.answer_required")
            return
        if len(answer) > ANSWER_MAX:
            self.answer_error = self._t("forms.too_long", count=ANSWER_MAX)
            return
        if outcome is None:
            self.answer_error = self._t("complaints.outcome_required")
            return
        self.answer_error = ""
        self._draft_answer, self._draft_outcome = answer, outcome.value
        self.confirm_text = self._t(
            "complaints.confirm_text",
            code=self.info.code,
            outcome=self._t(f"complaints.outcome.{outcome.value}"),
        )
        self.confirm_open = True

    @rx.event
    @guard(OPERATOR)
    def cancel_answer(self, principal: Principal):
        self.confirm_open = False

    @rx.event
    @guard(OPERATOR)
    def confirm_answer(self, principal: Principal):
        """Store the answer asked about: the complaint is looked for again in the operator's company."""
        self.confirm_open = False
        outcome = ComplaintOutcome.parse(self._draft_outcome)
        try:
            with session_scope() as db:
                operator = account(session=db, user_id=principal.user_id)
                complaint = access_complaint(session=db, user=operator, code=self._code)
                if complaint is None:
                    return rx.toast.error(self._t("complaints.not_found"))
                answer_complaint(
                    session=db,
                    complaint=complaint,
                    operator=operator,
                    answer=self._draft_answer,
                    outcome=outcome,
                    now=clock.now(),
                    today=clock.today(),
                    public_url=settings.public_url,
                )
        except ComplaintRefused as refusal:
            self.answer_error = self._t(refusal.key)
            return None
        self._draft_answer, self._draft_outcome = "", ""
        self._read(principal)
        return rx.toast.success(self._t("complaints.answer_sent"))

    @rx.var
    def outcome_options(self) -> list[Option]:
        return [Option(value=v, label=i18n.translate(self.lang, f"complaints.outcome.{v}")) for v in OUTCOMES]


def _required(key: str, field_id: str) -> rx.Component:
    return rx.el.label(rx.text(tr(key), REQUIRED_MARK, size="2", weight="medium"), html_for=field_id)


def answer_form() -> rx.Component:
    state = DeskComplaintDetailState
    return card(
        rx.heading(tr("complaints.answer_title"), as_="h2", size="4"),
        form(
            column(
                rx.vstack(
                    _required("complaints.answer", "complaint-answer-text"),
                    rx.text_area(
                        id="complaint-answer-text",
                        name="answer",
                        rows="6",
                        max_length=ANSWER_MAX,
                        width="100%",
                        aria_required="true",
                        aria_describedby="complaint-answer-error",
                    ),
                    width="100%",
                ),
                rx.vstack(
                    _required("complaints.outcome", "complaint-outcome-choice"),
                    select(
                        "complaint-outcome-choice",
                        state.outcome_options,
                        first=(tr("complaints.choose_outcome"), ""),
                        name="outcome",
                        aria_required="true",
                    ),
                ),
                error_text(state.answer_error, "complaint-answer-error"),
                actions(rx.button(tr("complaints.send_answer"), type="submit", id="complaint-answer-submit")),
                gap="3",
            ),
            on_submit=state.ask_answer,
        ),
        margin_top="0",
    )


def confirm_dialog() -> rx.Component:
    state = DeskComplaintDetailState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("complaints.confirm_title")),
            rx.alert_dialog.description(state.confirm_text, id="complaint-confirm-text"),
            actions(
                rx.alert_dialog.cancel(cancel_button(tr("requests.cancel"), on_click=state.cancel_answer)),
                rx.alert_dialog.action(
                    rx.button(tr("complaints.confirm"), on_click=state.confirm_answer, id="complaint-confirm")
                ),
                margin_top="1rem",
            ),
            max_width="460px",
            **RETURNS_FOCUS,
        ),
        open=state.confirm_open,
    )


@template(
    route=routes.DESK_COMPLAINT_DETAIL, title_key="complaints.detail_title", on_load=DeskComplaintDetailState.load
)
def desk_complaint_detail() -> rx.Component:
    state = DeskComplaintDetailState
    return page_body(
        state.loaded,
        back_link("complaints.desk_back", routes.DESK_COMPLAINTS),
        rx.cond(
            state.found,
            column(
                rx.heading(tr("complaints.detail_title"), " ", state.info.code, as_="h1", size="7"),
                summary_card(state, show_customer=True),
                text_card(state),
                rx.cond(state.info.answered, answer_card(state), answer_form()),
                confirm_dialog(),
                gap="4",
            ),
            alert(tr("complaints.not_found"), "complaint-not-found"),
        ),
    )
