"""A request's page parts: summary, the form's answers, the thread with files, the history."""

from __future__ import annotations

import reflex as rx

from portal.components.attachments import attachment_picker
from portal.components.fields import body_area, error_text, field_label, form
from portal.components.layout import Gap, column, page_body, row
from portal.components.shell import template
from portal.components.ui import alert, card, document_link, status_badge
from portal.state.i18n import tr
from portal.state.request_view import FileLink, HistoryEntry, PayloadRow, ThreadMessage


def file_link(item: FileLink) -> rx.Component:
    return document_link(
        rx.hstack(
            rx.icon("paperclip", size=14),
            rx.text(item.name, size="2"),
            rx.text(item.size, size="1", color_scheme="gray"),
            spacing="1",
            align="center",
        ),
        href=item.url,
        class_name="attachment-link",
    )


def file_links(items) -> rx.Component:
    return rx.foreach(items, file_link)


def definitions(*items, columns: str, row_gap: str, **props) -> rx.Component:
    """Labels (dt) and their values (dd) in a grid, labels in the first column."""
    return rx.el.dl(
        *items, display="grid", grid_template_columns=columns, column_gap="1.5rem", row_gap=row_gap, **props
    )


def deadline_badge(due_state, label) -> rx.Component:
    """The warning of a near or past legal deadline, in words (never colour alone)."""
    return rx.cond(
        label != "",
        rx.badge(
            rx.icon("alarm-clock", size=12),
            label,
            color_scheme=rx.cond(due_state == "overdue", "red", "amber"),
            variant="soft",
            class_name="deadline-badge",
            data_state=due_state,
        ),
    )


def due_text(due, due_state, label, element_id: str | None = None) -> rx.Component:
    """The deadline's day and its warning."""
    return rx.hstack(rx.text(due), deadline_badge(due_state, label), spacing="2", align="center", id=element_id)


def summary(state, show_customer: bool = False) -> rx.Component:
    rows = [
        (tr("requests.code"), state.info.code),
        (tr("requests.type"), state.info.form),
        (tr("requests.created"), state.info.created),
        (tr("home.request_updated"), state.info.updated),
    ]
    if show_customer:
        rows.insert(1, (tr("operator.name"), state.info.customer))
    return card(
        row(
            rx.heading(state.info.title, as_="h2", size="5"),
            status_badge(state.info.status, state.info.status_label, size="2", id="request-status"),
        ),
        definitions(
            *[rx.fragment(rx.el.dt(label), rx.el.dd(value)) for label, value in rows],
            rx.cond(state.info.asset != "", rx.fragment(rx.el.dt(tr("requests.machine")), rx.el.dd(state.info.asset))),
            rx.cond(
                state.info.due != "",
                rx.fragment(
                    rx.el.dt(tr("deadline.due_on")),
                    rx.el.dd(due_text(state.info.due, state.info.due_state, state.info.due_label, "request-due")),
                ),
            ),
            rx.cond(
                state.info.contacts != "",
                rx.fragment(rx.el.dt(tr("requests.contacts")), rx.el.dd(state.info.contacts)),
            ),
            columns="auto 1fr",
            row_gap="0.35rem",
            class_name="portal-figures portal-facts",
            margin_top="0.75rem",
            text_align="left",
        ),
    )


def answer(row: PayloadRow) -> rx.Component:
    return rx.fragment(rx.el.dt(row.label), rx.el.dd(row.value, white_space="pre-line", text_align="left"))


def answers(state) -> rx.Component:
    return rx.cond(
        state.payload_rows.length() > 0,
        card(
            definitions(
                rx.foreach(state.payload_rows, answer),
                columns="minmax(160px, auto) 1fr",
                row_gap="0.5rem",
                class_name="portal-figures portal-facts request-answers",
            ),
            rx.cond(
                state.loose_files.length() > 0,
                rx.vstack(file_links(state.loose_files), margin_top="0.75rem", spacing="1"),
            ),
            title=tr("requests.answers"),
        ),
    )


def thread_message(message: ThreadMessage) -> rx.Component:
    return rx.box(
        row(
            rx.text(message.author, weight="bold", size="2"),
            rx.cond(message.desk, rx.badge(tr("requests.service_desk"), size="1", variant="soft")),
            rx.text(message.when, size="1", color_scheme="gray"),
            gap="2",
        ),
        rx.text(message.body, white_space="pre-line", size="2", margin_top="0.35rem"),
        rx.vstack(file_links(message.files), spacing="1", margin_top="0.35rem"),
        padding="0.75rem",
        border_radius="var(--radius-3)",
        background=rx.cond(message.desk, "var(--accent-a2)", "var(--gray-a2)"),
        width="100%",
        class_name="thread-message",
    )


def thread(state) -> rx.Component:
    return card(
        rx.cond(
            state.thread.length() > 0,
            column(rx.foreach(state.thread, thread_message), gap="2", id="request-thread"),
            rx.text(tr("requests.no_messages"), color_scheme="gray", size="2"),
        ),
        title=tr("requests.thread"),
    )


def history_entry(item: HistoryEntry) -> rx.Component:
    return rx.el.li(
        rx.text(item.when, " · ", rx.text.strong(item.status), " · ", item.who, size="2"),
        padding_y="0.2rem",
    )


def history(state) -> rx.Component:
    return card(
        rx.el.ol(
            rx.foreach(state.history, history_entry),
            margin="0",
            padding_left="1.2rem",
            id="request-history",
        ),
        title=tr("requests.history_title"),
    )


def reply_box(
    state,
    prefix: str,
    *,
    title_key: str,
    label_key: str,
    send_key: str,
    rows: str,
    max_length: int,
    on_submit,
    extra: tuple[rx.Component, ...] = (),
    gap: Gap = "2",
) -> rx.Component:
    """A page's reply: a text, files, the page's `extra` controls, the error and the button, with
    ids `<prefix>-body`, `<prefix>-attachments`, `<prefix>-submit`. Both pages report a wrong
    reply under the one id "reply-error"."""
    body_id = f"{prefix}-body"
    return card(
        form(
            column(
                field_label(tr(label_key), body_id),
                body_area(body_id, rows=rows, max_length=max_length, error_id="reply-error"),
                attachment_picker(state, f"{prefix}-attachments"),
                *extra,
                error_text(state.reply_error, "reply-error"),
                rx.button(tr(send_key), type="submit", id=f"{prefix}-submit"),
                gap=gap,
            ),
            on_submit=on_submit,
        ),
        title=tr(title_key),
    )


def request_template(state, *, route: str, title_key: str):
    """Declare a request's page: loaded by `state.load`, the tab named as its heading ("Richiesta <code>")."""
    title = rx.Var.create(tr("requests.detail_title")).to(str) + " " + state.info.code.to(str)
    return template(route=route, title_key=title_key, on_load=state.load, title=title)


def request_page(state, *, back: rx.Component, reply: rx.Component, show_customer: bool = False) -> rx.Component:
    """The page of one request: summary, answers, thread, the page's own reply box, history."""
    return page_body(
        state.loaded,
        back,
        rx.cond(
            state.found,
            column(
                rx.heading(tr("requests.detail_title"), " ", state.info.code, as_="h1", size="7"),
                summary(state, show_customer=show_customer),
                answers(state),
                thread(state),
                reply,
                history(state),
            ),
            alert(tr("requests.not_found"), "request-not-found"),
        ),
    )
