"""The UI language: a cookie the browser keeps, and the catalogue the pages read from."""

from __future__ import annotations

import reflex as rx

from portal import i18n
from portal.state.marks import public


class I18nState(rx.State):
    lang: str = rx.Cookie(i18n.DEFAULT_LANGUAGE, name="portal_lang", same_site="strict", max_age=365 * 24 * 3600)

    @rx.var
    def messages(self) -> dict[str, str]:
        return i18n.catalogue(self.lang)

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
    """A catalogue entry as a reactive value: it follows the language switch at once."""
    if key not in i18n.CATALOGUES[i18n.DEFAULT_LANGUAGE]:
        raise KeyError(f"missing catalogue key {key!r}")
    return I18nState.messages[key].to(str)
