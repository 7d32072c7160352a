"""How the guard marks a handler (see state/session.py): here so the language state, which the
session state builds on, can mark its own public handler too."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

GUARD_MARK = "__portal_guard__"  # on every guarded or public handler: the audience's name, or "public"

P = ParamSpec("P")
R = TypeVar("R")


def public(method: Callable[P, R]) -> Callable[P, R]:
    """Mark a handler anyone may use (login, registration, recovery): it reads no customer data."""
    setattr(method, GUARD_MARK, "public")
    return method
