"""Prometheus metrics of a backend process (docs/DEPLOY.md, "Metrics").

Exported at GET /metrics (portal/api.py), for the bearer of PORTAL_METRICS_TOKEN only:
- portal_http_requests_total{route,method,status} and portal_http_request_duration_seconds{route,method}:
  every HTTP request, by the route's template (`/api/download/{token}`, never the path itself: no id
  or ticket becomes a label), its method and the class of its status (2xx … 5xx);
- portal_websockets_open: the tabs' websockets open now, added up over the live workers;
- portal_events_total, portal_event_errors_total and portal_event_duration_seconds{handler}: the
  Reflex events handled (portal/web/event_metrics.py), by state class and handler name;
- portal_outbox_waiting and portal_outbox_oldest_age_seconds: read from the database at each scrape.

With several worker processes (production) prometheus_client runs in its multiprocess mode: each
worker writes its own files under PROMETHEUS_MULTIPROC_DIR (prepared by portal/web/multiprocess.py
from rxconfig.py before this module is imported) and a scrape adds them up. Without that variable
when prometheus_client was imported (a unit test that did not load rxconfig) the process's own
registry is read.

Labels hold only code names, methods and status classes: no customer data, no secret.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client import values as prometheus_values
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.db import session_scope
from portal.services.common import clock, mail_sender
from portal.web.multiprocess import MULTIPROC_ENV

logger = logging.getLogger(__name__)
CONTENT_TYPE = CONTENT_TYPE_LATEST
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Paths answered before any router sees them (the upload gate's refusals) or under a middleware that
# hands the router a copy of the request (the websocket's cookie digest): named by their prefix.
PREFIXES = ("/_event", "/_upload")
UNMATCHED = "unmatched"  # no route: a 404 of the frontend or a probe; the path itself is never a label

HTTP_REQUESTS = Counter(
    "portal_http_requests", "HTTP requests answered, by route template, method and status class",
    ("route", "method", "status"),
)  # fmt: skip
HTTP_SECONDS = Histogram(
    "portal_http_request_duration_seconds", "Time to answer an HTTP request, by route template and method",
    ("route", "method"),
)  # fmt: skip
WEBSOCKETS_OPEN = Gauge(
    "portal_websockets_open", "Websocket connections (browser tabs) open now", multiprocess_mode="livesum"
)
EVENTS = Counter("portal_events", "Reflex events handled, by handler", ("handler",))
EVENT_ERRORS = Counter("portal_event_errors", "Reflex events whose handler raised, by handler", ("handler",))
EVENT_SECONDS = Histogram(
    "portal_event_duration_seconds", "Time to handle a Reflex event (state lock, handler, delta), by handler",
    ("handler",),
)  # fmt: skip


def route_label(scope: Scope) -> str:
    """The template of the route that answered (Starlette's routers record it in the scope), a
    known prefix, or UNMATCHED."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str) and template:
        return template
    path = scope.get("path", "")
    for prefix in PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return prefix
    return UNMATCHED


def method_label(scope: Scope) -> str:
    method = scope.get("method", "")
    return method if method in METHODS else "other"


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status <= 599 else "other"


class HttpMetrics:
    """ASGI middleware: counts and times HTTP requests; counts the open websockets.

    It must see the scope object the routers write their route into: no middleware between it and
    the routers may copy the scope for ordinary requests (portal/web/stack.py puts it just inside
    RequestContext, which copies it)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            WEBSOCKETS_OPEN.inc()
            try:
                await self.app(scope, receive, send)
            finally:
                WEBSOCKETS_OPEN.dec()
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route, method = route_label(scope), method_label(scope)
            HTTP_REQUESTS.labels(route, method, status_class(status)).inc()
            HTTP_SECONDS.labels(route, method).observe(time.perf_counter() - started)


class OutboxCollector(Collector):
    """The outbox's backlog, read when Prometheus scrapes: one query (mail_sender.backlog)."""

    def __init__(self, sessions: Callable = session_scope, now: Callable[[], dt.datetime] = clock.now):
        self.sessions, self.now = sessions, now

    def collect(self) -> Iterable[Metric]:
        try:
            with self.sessions() as db:
                found = mail_sender.backlog(session=db)
        except Exception as error:  # the database is away: the scrape still answers, without these
            logger.warning("metrics: the outbox could not be read (%s)", type(error).__name__)
            return
        yield GaugeMetricFamily("portal_outbox_waiting", "Mail in the outbox not sent yet", value=found.waiting)
        age = (self.now() - found.oldest_created_at).total_seconds() if found.oldest_created_at else 0.0
        yield GaugeMetricFamily(
            "portal_outbox_oldest_age_seconds", "Age of the oldest mail not sent yet (0 when none)", value=max(0.0, age)
        )


class _ThisProcess(Collector):
    """The process's own registry, when there is no multiprocess directory."""

    def collect(self) -> Iterable[Metric]:
        yield from REGISTRY.collect()


_GAUGE_FILE = re.compile(r"^gauge_live\w*?_(\d+)\.db$")


def forget_dead_workers(directory: Path) -> None:
    """Drop the live gauges of workers that are gone (killed, restarted by Granian): their files
    would keep counting the websockets they held. The directory is this machine's, so its pids are."""
    for path in directory.glob("gauge_live*.db"):
        if (found := _GAUGE_FILE.match(path.name)) is None:
            continue
        pid = int(found.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            prometheus_multiprocess.mark_process_dead(pid, str(directory))
        except PermissionError:
            pass  # alive, someone else's


def exposition(outbox: Collector | None = None) -> bytes:
    """The text format of every metric: the workers' files added up (or this process's registry),
    and the outbox read now. Blocking (files, database): run it in a thread."""
    registry = CollectorRegistry()
    # The mode prometheus_client chose when it was imported (by the environment then), not today's variable.
    multiprocess_values = getattr(prometheus_values.ValueClass, "_multiprocess", False)
    if multiprocess_values and (directory := os.environ.get(MULTIPROC_ENV)):
        forget_dead_workers(Path(directory))
        prometheus_multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_ThisProcess())
    registry.register(outbox or OutboxCollector())
    return generate_latest(registry)
