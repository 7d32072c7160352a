"""The UI language: a cookie the browser keeps; the pages' texts in every language are built into
the frontend, and the cookie's value picks one.

The catalogue is not a state var: as one (a computed var) it was pickled into Redis with the
state and read back on every event, and sent again whenever the language was set (42 KB each
time, issue 13)."""

from __future__ import annotations

import reflex as rx

from portal import i18n
from portal.state.marks import public


class I18nState(rx.State):
    lang: str = rx.Cookie(i18n.DEFAULT_LANGUAGE, name="portal_lang", same_site="strict", max_age=365 * 24 * 3600)

    def _t(self, key: str, **params: object) -> str:
        return i18n.translate(self.lang, key, **params)

    def _apply_language(self, lang: str | None):
        """Switch the catalogue, and tell assistive technology the page's language changed."""
        self.lang = i18n.language_or_default(lang)
        return rx.call_script(f"document.documentElement.lang = {self.lang!r}")

    @rx.event
    @public
    def choose_language(self, lang: str):
        """The language switch works before anyone signs in, and reads no data."""
        return self._apply_language(lang)


def tr(key: str) -> rx.Var[str]:
    """A catalogue entry as a reactive value: it follows the language switch at once. An unknown
    language (a cookie the browser altered) and a missing entry read the default language's text."""
    default = i18n.CATALOGUES[i18n.DEFAULT_LANGUAGE].get(key)
    if default is None:
        raise KeyError(f"missing catalogue key {key!r}")
    text: rx.Var = rx.Var.create(default)
    for lang in reversed(i18n.LANGUAGES[1:]):
        own = i18n.CATALOGUES[lang].get(key)
        if own and own != default:
            text = rx.cond(I18nState.lang == lang, own, text)
    return text.to(str)
