"""Filters several lists share."""

from __future__ import annotations

import reflex as rx

from portal.components.fields import labelled, select
from portal.state.contract_choices import SEARCH_MAX_LENGTH
from portal.state.contract_filter import ALL
from portal.state.i18n import tr


def contract_select(state, field_id: str, all_label, **props) -> rx.Component:
    """The contract filter of a ContractFilterState (state/contract_filter.py): all, or one of them."""
    options, chosen = state.contract_options, state.contract
    return select(field_id, options, first=(all_label, ALL), value=chosen, on_change=state.choose_contract, **props)


def contract_search(state, field_id: str, **props) -> rx.Component:
    """For a customer with many contracts (a ContractChoicesState, state/contract_choices.py):
    what they type narrows the choices of the contract select beside it; the note counts them."""
    note_id = f"{field_id}-note"
    box = rx.input(
        type="search",
        id=field_id,
        value=state.contract_search,
        on_change=state.search_contracts,
        debounce_timeout=300,
        placeholder=tr("contracts.search_hint"),
        max_length=SEARCH_MAX_LENGTH,
        auto_complete="off",
        aria_describedby=note_id,
    )
    note = rx.text(state.contract_search_note, id=note_id, size="1", color_scheme="gray", role="status")
    return rx.cond(state.contract_search_offered, labelled(field_id, tr("contracts.search"), box, note, **props))
