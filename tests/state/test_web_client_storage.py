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


def test_an_event_does_not_load_every_page_that_reads_the_language():
    """Reflex fetches from Redis, for an event, the states its changes might recompute; the
    language's readers (every page state) are left out, since only choose_language and the
    storage replay change it, and they load them first (state/i18n.py)."""
    from reflex.istate.manager.redis import StateManagerRedis

    from portal.pages.billing.state import BillingState
    from portal.pages.contracts.state import ContractsState
    from portal.pages.plan import PlanState

    assert I18nState._var_dependencies["lang"]  # pages do read it...
    assert set(I18nState._potentially_dirty_states) == set()  # ...but are not fetched for that
    manager = StateManagerRedis.__new__(StateManagerRedis)  # the method reads no instance data
    required = manager._get_required_state_classes(BillingState)
    assert BillingState in required and I18nState in required
    assert ContractsState not in required and PlanState not in required


def test_choosing_a_language_recomputes_the_pages_that_read_it(signed_in):
    from portal.pages.home.state import HomeState

    tab = signed_in()
    tab.run(HomeState, "load")
    home = tab.state(HomeState)
    italian = home.today_text
    tab.root._clean()
    asyncio.run(tab.run(I18nState, "choose_language", "en"))
    assert home.today_text != italian and "today_text" in home.dirty_vars
