"""Every guide test starts with empty rate-limit counters (the feedback form is limited)."""

from __future__ import annotations

import pytest

from portal.services.common import throttle


@pytest.fixture(autouse=True)
def fresh_limits():
    throttle.reset()
    yield
    throttle.reset()
