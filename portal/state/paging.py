"""A list shown one page at a time: the offset, the total, the pager's label and buttons."""

from __future__ import annotations

import reflex as rx

from portal import i18n
from portal.state.session import SessionState


class PagedState(SessionState, mixin=True):
    offset: int = 0
    total: int = 0
    _page_size: int = 25  # a page's state sets its own

    def _show_page(self):
        """Read the rows at `self.offset` (the page's own query); may return events, e.g. to login."""
        raise NotImplementedError

    @rx.event
    def next_page(self):
        if self.offset + self._page_size < self.total:
            self.offset += self._page_size
        return self._show_page()

    @rx.event
    def previous_page(self):
        self.offset = max(0, self.offset - self._page_size)
        return self._show_page()

    @rx.var
    def page_info(self) -> str:
        if not self.total:
            return ""
        return i18n.translate(self.lang, "plan.page_info", first=self.offset + 1,
                              last=min(self.offset + self._page_size, self.total), total=self.total)

    @rx.var
    def has_previous(self) -> bool:
        return self.offset > 0

    @rx.var
    def has_next(self) -> bool:
        return self.offset + self._page_size < self.total
