"""A request's page parts: summary, the form's answers, the thread with files, the history."""

from __future__ import annotations

import reflex as rx

from portal.components.ui import card, loading
from portal.state.i18n import tr


def status_badge(status, label) -> rx.Component:
    return rx.badge(label, size="2", color_scheme=rx.match(
        status, ("resolved", "green"), ("rejected", "gray"), ("waiting_customer", "orange"), ("in_progress", "blue"), "amber"),
        id="request-status")


def file_links(items) -> rx.Component:
    return rx.foreach(
        items,
        lambda item: rx.link(
            rx.hstack(rx.icon("paperclip", size=14), rx.text(item["name"], size="2"), rx.text(item["size"], size="1", color_scheme="gray"),
                      spacing="1", align="center"),
            href=item["url"], is_external=True, class_name="attachment-link",
        ),
    )


def summary(state, show_customer: bool = False) -> rx.Component:
    rows = [
        (tr("requests.code"), state.info["code"]),
        (tr("requests.type"), state.info["form"]),
        (tr("requests.created"), state.info["created"]),
        (tr("home.request_updated"), state.info["updated"]),
    ]
    if show_customer:
        rows.insert(1, (tr("operator.name"), state.info["customer"]))
    return card(
        rx.hstack(rx.heading(state.info["title"], as_="h2", size="5"), status_badge(state.info["status"], state.info["status_label"]),
                  spacing="3", align="center", wrap="wrap"),
        rx.el.dl(
            *[rx.fragment(rx.el.dt(label), rx.el.dd(value)) for label, value in rows],
            rx.cond(state.info["asset"] != "", rx.fragment(rx.el.dt(tr("requests.machine")), rx.el.dd(state.info["asset"]))),
            rx.cond(state.info["contacts"] != "", rx.fragment(rx.el.dt(tr("requests.contacts")), rx.el.dd(state.info["contacts"]))),
            class_name="portal-figures", display="grid", grid_template_columns="auto 1fr", column_gap="1.5rem", row_gap="0.35rem",
            margin_top="0.75rem", text_align="left",
        ),
    )


def answers(state) -> rx.Component:
    return rx.cond(
        state.payload_rows.length() > 0,
        card(
            rx.el.dl(
                rx.foreach(state.payload_rows, lambda row: rx.fragment(rx.el.dt(row["label"]), rx.el.dd(row["value"], white_space="pre-line",
                                                                                                         text_align="left"))),
                display="grid", grid_template_columns="minmax(160px, auto) 1fr", column_gap="1.5rem", row_gap="0.5rem",
                class_name="portal-figures request-answers",
            ),
            rx.cond(state.loose_files.length() > 0, rx.vstack(file_links(state.loose_files), margin_top="0.75rem", spacing="1")),
            title=tr("requests.answers"),
        ),
    )


def thread(state) -> rx.Component:
    return card(
        rx.cond(
            state.thread.length() > 0,
            rx.vstack(
                rx.foreach(
                    state.thread,
                    lambda message: rx.box(
                        rx.hstack(
                            rx.text(message["author"].to(str), weight="bold", size="2"),
                            rx.cond(message["desk"].to(str) != "", rx.badge(tr("requests.service_desk"), size="1", variant="soft")),
                            rx.text(message["when"].to(str), size="1", color_scheme="gray"),
                            spacing="2", align="center", wrap="wrap",
                        ),
                        rx.text(message["body"].to(str), white_space="pre-line", size="2", margin_top="0.35rem"),
                        rx.vstack(file_links(message["files"].to(list[dict[str, str]])), spacing="1", margin_top="0.35rem"),
                        padding="0.75rem",
                        border_radius="var(--radius-3)",
                        background=rx.cond(message["desk"].to(str) != "", "var(--accent-a2)", "var(--gray-a2)"),
                        width="100%",
                        class_name="thread-message",
                    ),
                ),
                spacing="2",
                width="100%",
                id="request-thread",
            ),
            rx.text(tr("requests.no_messages"), color_scheme="gray", size="2"),
        ),
        title=tr("requests.thread"),
    )


def history(state) -> rx.Component:
    return card(
        rx.el.ol(
            rx.foreach(state.history, lambda item: rx.el.li(
                rx.text(item["when"], " · ", rx.text.strong(item["status"]), " · ", item["who"], size="2"), padding_y="0.2rem")),
            margin="0", padding_left="1.2rem", id="request-history",
        ),
        title=tr("requests.history_title"),
    )


def request_page(state, *, back: rx.Component, reply: rx.Component, show_customer: bool = False) -> rx.Component:
    """The page of one request: summary, answers, thread, the page's own reply box, history."""
    return rx.cond(
        state.loaded,
        rx.vstack(
            back,
            rx.cond(
                state.found,
                rx.vstack(
                    rx.heading(tr("requests.detail_title"), " ", state.info["code"], as_="h1", size="7"),
                    summary(state, show_customer=show_customer),
                    answers(state),
                    thread(state),
                    reply,
                    history(state),
                    spacing="4",
                    width="100%",
                ),
                rx.callout(tr("requests.not_found"), icon="triangle-alert", color_scheme="red", role="alert", id="request-not-found"),
            ),
            spacing="4",
            width="100%",
        ),
        loading(),
    )
