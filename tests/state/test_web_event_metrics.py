"""Reflex events in GET /metrics (portal/web/event_metrics.py): an event sent through Reflex's own
event processor, as the websocket hands it over, is counted and timed under its handler's name,
and a handler that raises is counted as an error too."""

from __future__ import annotations

import asyncio

import pytest
from reflex.event import Event
from reflex_base.event.processor import BaseStateEventProcessor

from portal.state.i18n import I18nState
from portal.web import event_metrics, metrics
from portal.web.metrics import Collector

LABEL = "I18nState.choose_language"


class _NoOutbox(Collector):
    def collect(self):
        return iter(())


def _counts() -> tuple[float, float, float]:
    values = {"portal_events_total": 0.0, "portal_event_errors_total": 0.0, "portal_event_duration_seconds_count": 0.0}
    for line in metrics.exposition(_NoOutbox()).decode().splitlines():
        name, _, rest = line.partition("{")
        if name in values and rest.startswith(f'handler="{LABEL}"}}'):
            values[name] = float(rest.rsplit(" ", 1)[1])
    return (
        values["portal_events_total"],
        values["portal_event_errors_total"],
        values["portal_event_duration_seconds_count"],
    )


async def _handle(*payloads: dict) -> list[BaseException | None]:
    """Each payload as an event of one tab, through a processor of Reflex's, one after the other."""
    outcomes: list[BaseException | None] = []
    processor = BaseStateEventProcessor()
    async with processor.configure():  # an in-memory state manager, as Reflex's own tests use
        for payload in payloads:
            future = await processor.enqueue(
                "metrics-test-tab", Event(name=f"{I18nState.get_full_name()}.choose_language", payload=payload)
            )
            try:
                await future
                outcomes.append(None)
            except Exception as error:  # the handler's error, handed on by Reflex
                outcomes.append(error)
    return outcomes


def test_an_event_handled_by_reflex_is_counted_and_a_failing_one_as_an_error():
    event_metrics.install()
    before = _counts()

    outcomes = asyncio.run(_handle({"lang": "en"}, {}))  # the second lacks the handler's argument

    assert outcomes[0] is None
    assert isinstance(outcomes[1], TypeError)
    events, errors, timed = _counts()
    assert (events - before[0], errors - before[1], timed - before[2]) == (2, 1, 2)


@pytest.fixture(autouse=True)
def _quiet_reflex_logs(caplog):
    caplog.set_level("CRITICAL", logger="reflex")  # the failing event's traceback is expected
