"""The UI language: a cookie the browser keeps; the pages' texts in every language are built into
the frontend, and the cookie's value picks one.

The catalogue is not a state var: as one (a computed var) it was pickled into Redis with the
state and read back on every event, and sent again whenever the language was set (42 KB each
time, issue 13)."""

from __future__ import annotations

import reflex as rx

from portal import i18n
from portal.state.marks import public


class _LoadedWhenTheLanguageChanges(set):
    """I18nState's "potentially dirty states", kept empty (see the end of the class)."""

    def add(self, element: str) -> None:
        return None


class I18nState(rx.State):
    lang: str = rx.Cookie(i18n.DEFAULT_LANGUAGE, name="portal_lang", same_site="strict", max_age=365 * 24 * 3600)

    def _t(self, key: str, **params: object) -> str:
        return i18n.translate(self.lang, key, **params)

    def _apply_language(self, lang: str | None):
        """Switch the catalogue, and tell assistive technology the page's language changed."""
        self.lang = i18n.language_or_default(lang)
        return rx.call_script(f"document.documentElement.lang = {self.lang!r}")

    async def _load_readers(self) -> None:
        """Bring in every state with a computed var that reads the language, so that changing it
        recomputes them (Reflex no longer loads them for every event: below)."""
        readers = {name for dependents in type(self)._var_dependencies.values() for name, _ in dependents}
        for name in sorted(readers):
            await self.get_state(rx.State.get_class_substate(name))

    @rx.event
    @public
    async def choose_language(self, lang: str):
        """The language switch works before anyone signs in, and reads no data."""
        await self._load_readers()
        return self._apply_language(lang)


# Reflex loads, for every event of a state under this one, each state holding a computed var that
# reads the language, in case the event changed it: 71 vars in 18 states, every page the tab had
# visited pickled and read back from Redis each time (issue 13). The language changes only in
# choose_language and in the browser storage replayed at hydration (web/client_storage.py), and
# both load those states first.
I18nState._potentially_dirty_states = _LoadedWhenTheLanguageChanges()


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
