"""Reflex events in the metrics (portal/web/metrics.py): each event handled, how long it took and
whether its handler raised, by handler name.

Where: Reflex 0.10 has no documented hook that sees an event's outcome and duration. The App
middleware (`App.add_middleware`) has only `preprocess`, called before the handler; the
`backend_exception_handler` sees errors only, not the handler's name nor the time; the
OpenTelemetry spans (reflex_base/otel.py) need the OpenTelemetry SDK and an exporter. So this wraps
the one method every event goes through, `BaseStateEventProcessor._execute_event` (reflex_base/
event/processor): run once per event, foreground or background, it takes the state lock, runs the
handler and emits the delta, and lets the handler's exception through to Reflex's own handling.
Reflex's docstring names it as the method to override to extend event processing; the app builds
its processor itself (App._setup_event_processor), so the method is wrapped on the class, as
token_failover.py replaces TokenManager.create. Nothing else of the processor changes.

The label is the state class and the handler's name ("LoginState.submit"), from the handler
Reflex registered for the event: a name the browser sends that matches no handler never gets here
(Reflex refuses it before), so the label set is bounded by the code.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from reflex_base.event.processor import BaseStateEventProcessor

from portal.web.metrics import EVENT_ERRORS, EVENT_SECONDS, EVENTS

Execute = Callable[..., Awaitable[None]]
_WRAPPED = "_portal_metrics"


def handler_label(event_name: str, registered_handler: Any) -> str:
    """ "LoginState.submit": the class of the state that declares the handler, and its name."""
    states = getattr(registered_handler, "states", ())
    owner = states[0].__name__ if states else "?"
    return f"{owner}.{event_name.rsplit('.', 1)[-1]}"


def measured(execute: Execute) -> Execute:
    """`execute` (the processor's _execute_event) counting and timing each event."""

    async def execute_measured(self, *, entry, registered_handler) -> None:
        label = handler_label(entry.event.name, registered_handler)
        started = time.perf_counter()
        try:
            await execute(self, entry=entry, registered_handler=registered_handler)
        except asyncio.CancelledError:
            raise  # superseded or the tab went away: not the handler's error
        except Exception:
            EVENT_ERRORS.labels(label).inc()
            raise
        finally:
            EVENTS.labels(label).inc()
            EVENT_SECONDS.labels(label).observe(time.perf_counter() - started)

    setattr(execute_measured, _WRAPPED, True)
    return execute_measured


def install() -> None:
    """Measure every event of the app (call once, before the app serves; a second call does nothing)."""
    current = BaseStateEventProcessor._execute_event
    if not getattr(current, _WRAPPED, False):
        BaseStateEventProcessor._execute_event = measured(current)  # pyright: ignore[reportAttributeAccessIssue]
