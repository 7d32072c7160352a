"""The browser's storage replayed on every navigation (update_vars_internal) changes nothing when
the state already holds it: the language-dependent texts are not recomputed and sent again
(portal/web/client_storage.py, issue 13)."""

from __future__ import annotations

import asyncio

import reflex.state as reflex_state

import portal.portal  # noqa: F401  (installs the wrapper, as the app does)
from portal.state.i18n import I18nState
from portal.web import client_storage
from tests.state.conftest import Browser

LANG = f"{I18nState.get_full_name()}.lang_rx_state_"


def test_the_app_replays_storage_through_the_wrapper():
    assert reflex_state._apply_client_storage_vars is client_storage._apply_changed_only


def test_the_same_language_is_not_set_again_and_another_one_is():
    tab = Browser()
    i18n_state = tab.state(I18nState)
    i18n_state.lang = "it"
    tab.root._clean()
    assert asyncio.run(client_storage._apply_changed_only(tab.root, {LANG: "it"})) == []
    assert i18n_state.dirty_vars == set() and tab.root.dirty_substates == set()

    applied = asyncio.run(client_storage._apply_changed_only(tab.root, {LANG: "en"}))
    assert applied == [(i18n_state, "lang")]
    assert i18n_state.lang == "en" and "lang" in i18n_state.dirty_vars
