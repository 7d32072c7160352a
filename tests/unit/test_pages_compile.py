"""Every page builds: a var read the wrong way (a row field named like a Var method, a dict key on a
typed row) fails here in a second instead of at the app's start in the browser tests."""

from __future__ import annotations

import portal.portal  # noqa: F401  (registers every page)
from portal.components.shell import _pages


def test_every_page_renders_to_a_component_tree():
    assert len(_pages) >= 20
    for route, spec in _pages.items():
        rendered = spec.component().render()
        assert rendered, route


def test_texts_are_built_in_for_every_language_and_picked_by_the_cookie(tmp_path, monkeypatch):
    """The catalogue is not state (issue 13): each text carries its translations, chosen by the
    language var in the browser; an unknown language reads Italian; a third language needs only
    its catalogue."""
    import sys

    from portal import i18n
    from portal.state.i18n import tr

    billing = str(tr("menu.billing"))
    assert billing.count('"Invoices and payments"') == 1 and billing.count('"Fatture e pagamenti"') == 1
    assert '=== "en"' in billing and billing.index('"Invoices and payments"') < billing.index('"Fatture e pagamenti"')
    assert str(tr("language.it")) == '"Italiano"'  # the same words in both: no choice to make
    (tmp_path / "fr.py").write_text(
        'LOCALE = "fr_FR"\nMESSAGES = {"language.fr": "Français", "menu.billing": "Factures et paiements"}\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "__path__", [*i18n.__path__, str(tmp_path)])
    try:
        i18n.load_catalogues()
        three = str(tr("menu.billing"))
        assert '=== "fr"' in three and '"Factures et paiements"' in three and '"Invoices and payments"' in three
    finally:
        monkeypatch.undo()
        sys.modules.pop("portal.i18n.fr", None)
        i18n.load_catalogues()
