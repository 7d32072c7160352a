"""A browser storage value the state already holds is not set again (issue 13: state per navigation).

On every navigation the browser sends its cookies and local storage back (Reflex's
`update_vars_internal`), and Reflex 0.10 assigns each one, which marks it changed even when it is
the same. For the language cookie that recomputed every language-dependent computed var of every
page the tab had visited and sent them all, with the whole catalogue: 45–125 KB a navigation for
the fleet customer, for a language that did not change. Here only values that differ are applied.
This wraps a Reflex internal (`reflex.state._apply_client_storage_vars`): re-check on an upgrade
(tests/state/test_web_client_storage.py fails if the wrapper stops being called).
"""

from __future__ import annotations

from typing import Any

import reflex.state as reflex_state
from reflex_base.constants.state import FIELD_MARKER

_original = reflex_state._apply_client_storage_vars


async def _apply_changed_only(state: reflex_state.BaseState, vars: dict[str, Any]) -> list:
    changed: dict[str, Any] = {}
    for full_name, value in vars.items():
        state_name, _, var_name = full_name.rpartition(".")
        name = var_name.removesuffix(FIELD_MARKER)
        owner_class = reflex_state.State.get_class_substate(state_name)
        if owner_class._is_client_storage(name):
            owner = await state.get_state(owner_class)
            if owner.__dict__.get(name) == value:
                continue
            # The states whose computed vars read it are not loaded with every event (state/i18n.py).
            for reader, _ in owner_class._var_dependencies.get(name, ()):
                await state.get_state(reflex_state.State.get_class_substate(reader))
        changed[full_name] = value
    return await _original(state, changed) if changed else []


def install() -> None:
    reflex_state._apply_client_storage_vars = _apply_changed_only  # pyright: ignore[reportAttributeAccessIssue]
