"""Message catalogues (it, en) and Babel formatting for the user's locale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from portal.i18n import en, it

DEFAULT_LANGUAGE = "it"
CATALOGUES: dict[str, dict[str, str]] = {"it": it.MESSAGES, "en": en.MESSAGES}
LANGUAGES = tuple(CATALOGUES)
LOCALES = {"it": "it_IT", "en": "en_GB"}
from portal.services.clock import ROME


def language_or_default(lang: str | None) -> str:
    return lang if lang in CATALOGUES else DEFAULT_LANGUAGE


def catalogue(lang: str | None) -> dict[str, str]:
    return CATALOGUES[language_or_default(lang)]


def translate(lang: str | None, key: str, **params: object) -> str:
    text = catalogue(lang).get(key) or CATALOGUES[DEFAULT_LANGUAGE].get(key, key)
    return text.format(**params) if params else text


def _locale(lang: str | None) -> str:
    return LOCALES[language_or_default(lang)]


def money(amount: Decimal | None, lang: str | None) -> str:
    """2.316,38 € in Italian, €2,316.38 in English."""
    return format_currency(amount or Decimal("0"), "EUR", locale=_locale(lang))


def number(value: Decimal | int, lang: str | None, digits: int = 2) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def percent(rate: Decimal | None, lang: str | None, digits: int = 3) -> str:
    """A rate stored as a fraction: 0.0325 → 3,250%."""
    if rate is None:
        return ""
    return format_percent(rate, format="#,##0." + "0" * digits + "%", locale=_locale(lang))


def short_date(day: dt.date | None, lang: str | None) -> str:
    """30/04/24 as in the seeds' tables."""
    if day is None:
        return ""
    return format_date(day, format="dd/MM/yy", locale=_locale(lang))


def long_date(day: dt.date, lang: str | None) -> str:
    """venerdì 5 aprile 2024."""
    return format_date(day, format="full", locale=_locale(lang))


def date_time(moment: dt.datetime | None, lang: str | None) -> str:
    """A timestamp in Rome's time: 05/04/24 14:03."""
    if moment is None:
        return ""
    return format_datetime(moment.astimezone(ROME), format="dd/MM/yy HH:mm", locale=_locale(lang))


def document_date(day: dt.date | None, lang: str | None) -> str:
    """5 aprile 2024: the date written on documents."""
    if day is None:
        return ""
    return format_date(day, format="long", locale=_locale(lang))


def month_label(day: dt.date, lang: str | None) -> str:
    """apr 24: a month on a chart's axis."""
    return format_date(day, format="MMM yy", locale=_locale(lang))


def relative_time(moment: dt.datetime, now: dt.datetime, lang: str | None) -> str:
    """"2 sec fa", "ieri", "3 gg fa": how long ago, as the bell shows it."""
    from babel.dates import format_timedelta

    local_now, local_moment = now.astimezone(ROME), moment.astimezone(ROME)
    if (local_now.date() - local_moment.date()).days == 1 and (now - moment) > dt.timedelta(hours=1):
        return translate(lang, "time.yesterday")
    delta = moment - now
    if abs(delta) < dt.timedelta(seconds=1):
        delta = dt.timedelta(seconds=-1)
    return format_timedelta(delta, add_direction=True, format="short", threshold=0.9, locale=_locale(lang)).replace("sec.", "sec")
