"""Pages of a list: the offset of a page that still exists after the list got shorter."""

from __future__ import annotations


def clamp_offset(offset: int, total: int, limit: int) -> int:
    """The start of the page holding `offset`, or of the last page when `offset` is past the end."""
    return max(0, min(offset, max(0, (total - 1) // limit * limit)))
