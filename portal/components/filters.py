"""Filters several lists share."""

from __future__ import annotations

import reflex as rx

from portal.components.fields import select
from portal.state.contract_filter import ALL


def contract_select(state, field_id: str, all_label, **props) -> rx.Component:
    """The contract filter of a ContractFilterState (state/contract_filter.py): all, or one of them."""
    options, chosen = state.contract_options, state.contract
    return select(field_id, options, first=(all_label, ALL), value=chosen, on_change=state.choose_contract, **props)
