"""A list shown one page at a time: the offset, the total, the pager's label and buttons."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from portal import i18n
from portal.services.access.accounts import Principal
from portal.state.session import Audience, SessionState, guard


class PageWindow(SessionState, mixin=True):
    """Where the list is: what `components.ui.pager` shows. The buttons come from PagedState (a
    signed-in list) or from the page itself (the public demo mailbox)."""

    offset: int = 0
    total: int = 0
    _page_size: int = 25  # a page's state sets its own

    def _step(self, forward: bool) -> None:
        if forward:
            if self.offset + self._page_size < self.total:
                self.offset += self._page_size
        else:
            self.offset = max(0, self.offset - self._page_size)

    @rx.var
    def page_info(self) -> str:
        if not self.total:
            return ""
        return i18n.translate(
            self.lang,
            "plan.page_info",
            first=self.offset + 1,
            last=min(self.offset + self._page_size, self.total),
            total=self.total,
        )

    @rx.var
    def has_previous(self) -> bool:
        return self.offset > 0

    @rx.var
    def has_next(self) -> bool:
        return self.offset + self._page_size < self.total


class PagedState(PageWindow, mixin=True):
    _readers: ClassVar[Audience]  # who may page through the list: each page's state names it

    def _show_page(self, principal: Principal):
        """Read the rows at `self.offset` for this user (the page's own query)."""
        raise NotImplementedError

    @rx.event
    @guard("_readers")
    def next_page(self, principal: Principal):
        self._step(forward=True)
        return self._show_page(principal)

    @rx.event
    @guard("_readers")
    def previous_page(self, principal: Principal):
        self._step(forward=False)
        return self._show_page(principal)
