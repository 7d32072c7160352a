"""Message catalogues and Babel formatting for the user's locale.

Every module of this package named by a language code (`it.py`, `en.py`, …) is a catalogue: a
`LOCALE` for Babel and `MESSAGES`, the texts by key. Adding a language is adding such a module.

A counted noun has one entry per CLDR plural category, `key|one`, `key|many`, `key|other`, …;
`translate(lang, key, count=n)` picks the category of n with the language's own rules (Babel).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import pkgutil
import re
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_currency, format_decimal, format_percent

from portal.services.common.clock import ROME

DEFAULT_LANGUAGE = "it"
PLURAL = "|"  # between a key and its CLDR plural category: "home.contracts|one"
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


CATALOGUES: dict[str, dict[str, str]] = {}
LOCALES: dict[str, str] = {}
LANGUAGES: tuple[str, ...] = ()


def load_catalogues() -> None:
    """Read every catalogue module of the package (at import; a test may add a folder to __path__)."""
    global LANGUAGES
    CATALOGUES.clear()
    LOCALES.clear()
    for info in pkgutil.iter_modules(__path__):
        if _LANGUAGE_CODE.fullmatch(info.name):
            module = importlib.import_module(f"{__name__}.{info.name}")
            CATALOGUES[info.name] = dict(module.MESSAGES)
            LOCALES[info.name] = module.LOCALE
    # The default language first (the language switch's order), then the others alphabetically.
    LANGUAGES = (DEFAULT_LANGUAGE, *sorted(code for code in CATALOGUES if code != DEFAULT_LANGUAGE))


load_catalogues()


def language_or_default(lang: str | None) -> str:
    return lang if isinstance(lang, str) and lang in CATALOGUES else DEFAULT_LANGUAGE


def catalogue(lang: str | None) -> dict[str, str]:
    return CATALOGUES[language_or_default(lang)]


def add_messages(lang: str, messages: dict[str, str]) -> None:
    """Entries brought by a module outside the catalogues (a self-service form loaded by name);
    the catalogue's own entries win, so a form cannot reword the portal."""
    if lang in CATALOGUES:
        CATALOGUES[lang].update({key: text for key, text in messages.items() if key not in CATALOGUES[lang]})


def _entry(lang: str | None, key: str) -> str | None:
    return catalogue(lang).get(key) or CATALOGUES[DEFAULT_LANGUAGE].get(key)


def plural_category(lang: str | None, count: int | Decimal) -> str:
    """ "one", "many", "other"…: the CLDR plural category of `count` in the language."""
    return Locale.parse(_locale(lang)).plural_form(abs(count))


def _plural_entry(lang: str | None, key: str, count: object) -> str | None:
    if isinstance(count, int | Decimal):
        chosen = _entry(lang, f"{key}{PLURAL}{plural_category(lang, count)}")
        if chosen:
            return chosen
    return _entry(lang, f"{key}{PLURAL}other")


def translate(lang: str | None, key: str, **params: object) -> str:
    text = _entry(lang, key)
    if text is None:
        text = _plural_entry(lang, key, params.get("count")) or key
    return text.format(**params) if params else text


def is_known(key: str) -> bool:
    """Whether the default catalogue has the key (plain, or as a counted noun)."""
    messages = CATALOGUES[DEFAULT_LANGUAGE]
    return key in messages or f"{key}{PLURAL}other" in messages


def coded(lang: str | None, family: str, code: str | None, fallback: str) -> str:
    """A coded name in the reader's language (e.g. product.vehicle), or the stored name when the
    catalogue does not know the code (a lessor's own product)."""
    key = f"{family}.{code}"
    return translate(lang, key) if code and is_known(key) else fallback


def product_name(lang: str | None, code: str | None, name: str) -> str:
    """A contract's product in the reader's language ("Leasing targato", "Vehicle lease")."""
    return coded(lang, "product", code, name)


def _locale(lang: str | None) -> str:
    return LOCALES[language_or_default(lang)]


def money(amount: Decimal | None, lang: str | None) -> str:
    """2.316,38 € in Italian, €2,316.38 in English."""
    return _money(amount or Decimal("0"), _locale(lang))


# Babel's formatting is the dearest step of a page of figures, and a plan's rows repeat the same
# amounts and dates: remembered by value (equal Decimals print alike in a currency's two decimals).
@functools.lru_cache(maxsize=8192)
def _money(amount: Decimal, locale: str) -> str:
    return format_currency(amount, "EUR", locale=locale)


def number(value: Decimal | int, lang: str | None, digits: int = 2) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def percent(rate: Decimal | None, lang: str | None, digits: int = 3) -> str:
    """A rate stored as a fraction: 0.0325 → 3,250%."""
    if rate is None:
        return ""
    return format_percent(rate, format="#,##0." + "0" * digits + "%", locale=_locale(lang))


def _date(day: dt.date | None, pattern: str, lang: str | None) -> str:
    """A date in the reader's locale, by a Babel pattern or a named length; "" for no date."""
    return "" if day is None else _formatted_date(day, pattern, _locale(lang))


@functools.lru_cache(maxsize=8192)
def _formatted_date(day: dt.date, pattern: str, locale: str) -> str:
    return format_date(day, format=pattern, locale=locale)


def short_date(day: dt.date | None, lang: str | None) -> str:
    """30/04/24 as in the seeds' tables."""
    return _date(day, "dd/MM/yy", lang)


def long_date(day: dt.date, lang: str | None) -> str:
    """venerdì 5 aprile 2024."""
    return _date(day, "full", lang)


def date_time(moment: dt.datetime | None, lang: str | None) -> str:
    """A timestamp in Rome's time: 05/04/24 14:03."""
    if moment is None:
        return ""
    return format_datetime(moment.astimezone(ROME), format="dd/MM/yy HH:mm", locale=_locale(lang))


def document_date(day: dt.date | None, lang: str | None) -> str:
    """5 aprile 2024: the date written on documents."""
    return _date(day, "long", lang)


def month_label(day: dt.date, lang: str | None) -> str:
    """apr 24: a month on a chart's axis."""
    return _date(day, "MMM yy", lang)


def relative_time(moment: dt.datetime, now: dt.datetime, lang: str | None) -> str:
    """ "2 sec fa", "ieri", "3 gg fa": how long ago, as the bell shows it."""
    local_now, local_moment = now.astimezone(ROME), moment.astimezone(ROME)
    if (local_now.date() - local_moment.date()).days == 1 and (now - moment) > dt.timedelta(hours=1):
        return translate(lang, "time.yesterday")
    delta = moment - now
    if abs(delta) < dt.timedelta(seconds=1):
        delta = dt.timedelta(seconds=-1)
    return format_timedelta(delta, add_direction=True, format="short", threshold=0.9, locale=_locale(lang)).replace(
        "sec.", "sec"
    )
