"""The state behind a form anyone may fill in before signing in (registration, unlock, forgotten
password): one message per field, one for the form, and the outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from portal.db import session_scope
from portal.state.session import SessionState, public


class PublicFormState(SessionState, mixin=True):
    form_error: str = ""
    done: str = ""
    _fields: ClassVar[tuple[str, ...]] = ()  # each has a `<name>_error` var on the page's state

    @rx.event
    @public
    def load(self):
        self._clear()

    def _clear(self) -> None:
        for name in self._fields:
            setattr(self, f"{name}_error", "")
        self.form_error = self.done = ""

    def _show_problems(self, problems: dict[str, str]) -> bool:
        """Each field's message (catalogue keys by field); True when there was any."""
        for name, key in problems.items():
            setattr(self, f"{name}_error", self._t(key))
        return bool(problems)

    def _in_transaction(self, action: Callable[[Session], Any]) -> Any:
        """Run `action` in one transaction: the mail it writes leaves the outbox only if it commits."""
        with session_scope() as db:
            return action(db)
