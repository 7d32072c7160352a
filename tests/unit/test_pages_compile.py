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
