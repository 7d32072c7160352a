"""The portal's notion of now: aware UTC timestamps, and today's date in Italy."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Due dates are Italian calendar days, whatever the server's time zone."""
    return now().astimezone(ROME).date()
