"""What every chart of the portal shares: money in the user's locale in the tooltip, and no
keyboard layer of its own (the chart is one image with a text summary and its values beside it)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal.state.i18n import I18nState


def euro_tooltip() -> rx.Component:
    """The tooltip shows "2.088,70 €" in Italian and "€2,088.70" in English, never "amount : 2088.7"."""
    lang = rx.Var.create(I18nState.lang)
    formatter = rx.Var(
        f"((value, name) => [new Intl.NumberFormat({lang!s}, {{style: 'currency', currency: 'EUR'}})"
        ".format(value), name])",
        _var_data=lang._get_all_var_data(),
    )
    return rx.recharts.graphing_tooltip(custom_attrs={"formatter": formatter})


# Recharts 3 makes each chart a focusable role=application with no name (WCAG 4.1.2): the chart
# is an image here, its figures are given as text beside it.
NO_KEYBOARD_LAYER: dict[str, Any] = {"custom_attrs": {"accessibilityLayer": False}}
