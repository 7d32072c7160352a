"""The Contratti charts: the capitale residuo over time, and the instalments paid, overdue and to come."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal.components.charts import NO_KEYBOARD_LAYER, euro_tooltip
from portal.components.layout import plain_list, two_columns
from portal.components.ui import card
from portal.pages.contracts.state import ContractsState, ProgressSlice
from portal.state.i18n import tr

CHART_ROWS = list[dict[str, Any]]  # recharts' type for the rows it reads: a dataclass row serialises to one


def balance_chart() -> rx.Component:
    return rx.recharts.area_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.area(
            data_key="balance",
            name=tr("contracts.chart_balance"),
            stroke="var(--accent-9)",
            fill="var(--accent-4)",
            type_="stepAfter",
            is_animation_active=False,
        ),
        rx.recharts.x_axis(data_key="label", min_tick_gap=24, allow_duplicated_category=False),
        rx.recharts.y_axis(width=70),
        euro_tooltip(),
        rx.recharts.reference_line(
            x=ContractsState.today_label,
            stroke="var(--red-9)",
            stroke_dasharray="4 2",
            label=tr("contracts.chart_today"),
        ),
        data=ContractsState.balance_points.to(CHART_ROWS),
        height=260,
        width="100%",
        **NO_KEYBOARD_LAYER,
    )


def progress_chart() -> rx.Component:
    return rx.recharts.pie_chart(
        rx.recharts.pie(
            rx.foreach(ContractsState.progress_slices, lambda s: rx.recharts.cell(fill=s.fill)),
            data=ContractsState.progress_slices.to(CHART_ROWS),
            data_key="count",
            name_key="name",
            inner_radius="55%",
            outer_radius="85%",
            is_animation_active=False,
        ),
        rx.recharts.graphing_tooltip(),
        height=200,
        width="100%",
        **NO_KEYBOARD_LAYER,
    )


def progress_item(item: ProgressSlice) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.box(width="10px", height="10px", border_radius="2px", background=item.fill),
            rx.text(item.name, weight="medium", size="2"),
            rx.text(item.text, size="2"),
            spacing="2",
            align="center",
        ),
        class_name="progress-item",
    )


def charts() -> rx.Component:
    return two_columns(
        card(
            rx.box(balance_chart(), role="img", aria_label=ContractsState.chart_summary),
            rx.text(ContractsState.chart_summary, size="1", color_scheme="gray", id="balance-summary"),
            title=tr("contracts.chart_title"),
        ),
        card(
            rx.box(progress_chart(), role="img", aria_label=ContractsState.progress_summary),
            plain_list(ContractsState.progress_slices, progress_item, "progress-list"),
            title=tr("contracts.progress_title"),
        ),
    )
