"""Assign a state var only when its value changes.

Reflex marks a var changed on every assignment, equal or not, and sends it (with the computed vars
that depend on it) to the browser again. A page that reloads the same 500 contract choices on
every visit sent them every time (30–45 KB for the fleet customer, issue 13)."""

from __future__ import annotations

from typing import Any


def assign_if_changed(state: Any, name: str, value: Any) -> None:
    if getattr(state, name) != value:
        setattr(state, name, value)
