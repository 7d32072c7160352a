"""A request's legal deadline (art. 119 c.4 TUB: copies within 90 days): how near it is."""

from __future__ import annotations

import datetime as dt
import enum

# The service desk is warned this many days before a legal deadline.
WARN_DAYS = 15


class DeadlineState(enum.StrEnum):
    NONE = ""  # no legal deadline, or the request is closed
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"  # "in scadenza": WARN_DAYS days or fewer left
    OVERDUE = "overdue"  # "scaduto": the day has passed


def deadline_state(*, due_on: dt.date | None, today: dt.date, is_open: bool) -> DeadlineState:
    """Where an open request stands against its deadline; a closed one has nothing to warn about."""
    if due_on is None or not is_open:
        return DeadlineState.NONE
    if due_on < today:
        return DeadlineState.OVERDUE
    if (due_on - today).days <= WARN_DAYS:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME
