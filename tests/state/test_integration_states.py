"""The Integrazione pages' states: an operator sees the import runs of the own leasing company and
downloads a run's report; a customer is refused; another company's run id brings nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from sqlmodel import col, select
from starlette.testclient import TestClient

from portal import routes
from portal.db import session_scope
from portal.models import DownloadTicket, ImportRun, RequestEvent, Tenant, WebhookDelivery, WebhookEndpoint
from portal.models.enums import ImportOutcome
from portal.pages.integration import IntegrationState
from portal.pages.integration_run import ImportRunState
from portal.services.common import downloads
from portal.services.integration.runs import PAGE_SIZE
from tests.state.conftest import id_mark, redirect_target, rows_after, toast_of
from tests.support.pickled import held_orm_objects

T0 = dt.datetime(2026, 11, 21, 1, 30, tzinfo=dt.UTC)


def _run(tenant_id: int, started: dt.datetime, outcome: ImportOutcome, created: int, source: str) -> ImportRun:
    counts = {"contract": {"created": created, "updated": 0, "unchanged": 0, "rejected": 0, "missing": 0}}
    report = {"outcome": outcome.value, "source": source, "counts": counts, "rejections": [], "warnings": []}
    return ImportRun(
        tenant_id=tenant_id,
        started_at=started,
        finished_at=started + dt.timedelta(seconds=3),
        source=source,
        outcome=outcome,
        created=created,
        counts=counts,
        report=report | {"missing": []},
    )


@pytest.fixture
def runs(app_db):
    """Two runs of the demo company and one of another company, removed afterwards with that company."""
    with session_scope() as db:
        demo = db.exec(select(Tenant).where(Tenant.slug == "aurora")).one()
        other = Tenant(slug="state-runs-other", **demo.model_dump(exclude={"id", "slug", "created_at"}))
        db.add(other)
        db.flush()
        made = [
            _run(demo.id, T0, ImportOutcome.IMPORTED, 4, "/feeds/older"),
            _run(demo.id, T0 + dt.timedelta(hours=1), ImportOutcome.VALID, 7, "/feeds/newer"),
            _run(other.id, T0 + dt.timedelta(hours=2), ImportOutcome.IMPORTED, 9, "/feeds/foreign"),
        ]
        for run in made:
            db.add(run)
        db.flush()
        ids = {"older": made[0].id, "newer": made[1].id, "foreign": made[2].id}
        other_id = other.id
    yield ids
    with session_scope() as db:
        db.execute(sa.delete(ImportRun).where(col(ImportRun.id).in_(list(ids.values()))))
        db.execute(sa.delete(Tenant).where(col(Tenant.id) == other_id))


def _download_url(result) -> str | None:
    for event in result if isinstance(result, list) else [result]:
        if event is not None and getattr(event.handler.fn, "__qualname__", "") == "_download":
            return {name._js_expr: value._var_value for name, value in event.args}["url"]
    return None


def test_an_operator_sees_the_own_companys_runs_latest_first(signed_in, runs):
    browser = signed_in("servicedesk")
    browser.visit(routes.INTEGRATION)
    browser.run(IntegrationState, "load")

    shown = {row.run_id: row for row in browser.state(IntegrationState).rows}
    assert runs["foreign"] not in shown
    ours = [run_id for run_id in shown if run_id in (runs["older"], runs["newer"])]
    assert ours == [runs["newer"], runs["older"]]
    newer = shown[runs["newer"]]
    assert (newer.source, newer.created, newer.outcome, newer.outcome_label) == ("newer", "7", "valid", "Valida")
    assert newer.url == f"/operatore/integrazione/importazione?numero={runs['newer']}"
    assert held_orm_objects(browser.root) == []


def test_an_operator_opens_a_run_and_downloads_its_report(signed_in, runs):
    browser = signed_in("servicedesk")
    browser.visit(f"{routes.IMPORT_RUN}?numero={runs['older']}")
    browser.run(ImportRunState, "load")
    state = browser.state(ImportRunState)
    assert state.found and state.info.run_id == runs["older"] and state.info.source_path == "/feeds/older"
    assert [(row.code, row.created) for row in state.counts] == [("contract", "4")]

    url = _download_url(browser.run(ImportRunState, "download_report", runs["older"]))

    assert url is not None
    from portal.api import api

    client = TestClient(api, base_url="http://127.0.0.1:3000", cookies=browser.cookies)
    response = client.get(url)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert json.loads(response.content) == {
        "outcome": "imported",
        "source": "/feeds/older",
        "counts": {"contract": {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0, "missing": 0}},
        "rejections": [],
        "warnings": [],
        "missing": [],
    }
    assert client.get(url).status_code == 404  # a ticket serves once


def test_another_companys_run_id_brings_nothing(signed_in, runs):
    browser = signed_in("servicedesk")
    browser.visit(f"{routes.IMPORT_RUN}?numero={runs['foreign']}")
    browser.run(ImportRunState, "load")
    state = browser.state(ImportRunState)
    assert state.loaded and not state.found
    assert state.info.run_id == 0 and state.counts == [] and state.info.source_path == ""
    files = set(downloads.exports_dir().iterdir())
    mark = id_mark(DownloadTicket)

    result = browser.run(ImportRunState, "download_report", runs["foreign"])

    assert toast_of(result) == ("error", "Importazione non trovata.")
    assert _download_url(result) is None
    assert rows_after(DownloadTicket, mark) == []
    assert set(downloads.exports_dir().iterdir()) == files
    assert toast_of(browser.run(ImportRunState, "download_report", "1 or 1=1")) == (
        "error",
        "Importazione non trovata.",
    )


def test_a_customer_is_refused(signed_in, runs):
    browser = signed_in("10093")
    browser.visit(routes.INTEGRATION)
    assert redirect_target(browser.run(IntegrationState, "load")) == routes.HOME
    assert browser.state(IntegrationState).rows == [] and not browser.state(IntegrationState).loaded
    browser.visit(f"{routes.IMPORT_RUN}?numero={runs['older']}")
    assert redirect_target(browser.run(ImportRunState, "load")) == routes.HOME
    assert not browser.state(ImportRunState).found and browser.state(ImportRunState).info.run_id == 0
    mark = id_mark(DownloadTicket)

    result = browser.run(ImportRunState, "download_report", runs["older"])

    assert _download_url(result) is None and redirect_target(result) is not None
    assert rows_after(DownloadTicket, mark) == []


@pytest.fixture
def many_runs(app_db):
    """A page and a half of the demo company's runs, removed afterwards."""
    with session_scope() as db:
        demo_id = db.exec(select(Tenant.id).where(Tenant.slug == "aurora")).one()
        made = [
            _run(demo_id, T0 - dt.timedelta(days=30, hours=hour), ImportOutcome.IMPORTED, hour, f"/feeds/{hour}")
            for hour in range(PAGE_SIZE + 10)
        ]
        for run in made:
            db.add(run)
        db.flush()
        ids = [run.id for run in made]  # the latest first
    yield ids
    with session_scope() as db:
        db.execute(sa.delete(ImportRun).where(col(ImportRun.id).in_(ids)))


def test_the_runs_come_a_page_at_a_time(signed_in, many_runs):
    browser = signed_in("servicedesk")
    browser.visit(routes.INTEGRATION)
    browser.run(IntegrationState, "load")
    state = browser.state(IntegrationState)
    first = [row.run_id for row in state.rows]
    assert len(first) == PAGE_SIZE and state.has_next and not state.has_previous

    browser.run(IntegrationState, "next_page")

    second = [row.run_id for row in state.rows]
    assert [run for run in first + second if run in many_runs] == many_runs
    browser.run(IntegrationState, "previous_page")
    assert [row.run_id for row in state.rows] == first


@pytest.fixture
def deliveries(app_db):
    """An endpoint of the demo company with a delivered and a given-up delivery, and one of another
    company; removed afterwards."""
    with session_scope() as db:
        demo = db.exec(select(Tenant).where(Tenant.slug == "aurora")).one()
        other = Tenant(slug="state-hooks-other", **demo.model_dump(exclude={"id", "slug", "created_at"}))
        db.add(other)
        db.flush()
        event = db.exec(select(RequestEvent).where(RequestEvent.tenant_id == demo.id)).first()
        assert event is not None  # the demo's requests were opened through the ticket service
        ours = WebhookEndpoint(tenant_id=demo.id, url="https://core.example/hooks/portal", secret="s" * 40)
        theirs = WebhookEndpoint(tenant_id=other.id, url="https://elsewhere.example/hook", secret="t" * 40)
        db.add_all([ours, theirs])
        db.flush()

        def delivery(endpoint: WebhookEndpoint, **state) -> WebhookDelivery:
            return WebhookDelivery(
                tenant_id=endpoint.tenant_id,
                endpoint_id=endpoint.id,
                event_id=event.id,
                event_seq=event.seq,
                event_kind=event.kind,
                request_code="RIC-TEST-1",
                payload={},
                next_attempt_at=T0,
                created_at=T0,
                **state,
            )

        made = [
            delivery(ours, attempts=1, last_attempt_at=T0, last_status_code=200, delivered_at=T0),
            delivery(ours, attempts=6, last_attempt_at=T0, last_error="connection refused", given_up_at=T0),
            delivery(theirs, attempts=1, last_attempt_at=T0, last_status_code=204, delivered_at=T0),
        ]
        db.add_all(made)
        db.flush()
        ids = [row.id for row in made]
        endpoints = [ours.id, theirs.id]
        other_id = other.id
    yield ids
    with session_scope() as db:
        db.execute(sa.delete(WebhookDelivery).where(col(WebhookDelivery.id).in_(ids)))
        db.execute(sa.delete(WebhookEndpoint).where(col(WebhookEndpoint.id).in_(endpoints)))
        db.execute(sa.delete(Tenant).where(col(Tenant.id) == other_id))


def test_an_operator_sees_the_own_companys_webhook_deliveries(signed_in, deliveries):
    browser = signed_in("servicedesk")
    browser.visit(routes.INTEGRATION)
    browser.run(IntegrationState, "load")

    shown = {row.delivery_id: row for row in browser.state(IntegrationState).delivery_rows}
    delivered, given_up, foreign = deliveries
    assert foreign not in shown
    assert [row for row in shown if row in (delivered, given_up)] == [given_up, delivered]  # the latest first
    assert (shown[delivered].state, shown[delivered].state_label, shown[delivered].last_answer) == (
        "delivered",
        "Consegnata",
        "HTTP 200",
    )
    assert (shown[given_up].state_label, shown[given_up].attempts, shown[given_up].last_answer) == (
        "Abbandonata",
        "6",
        "connection refused",
    )
    assert shown[given_up].endpoint == "https://core.example/hooks/portal"
    assert held_orm_objects(browser.root) == []
