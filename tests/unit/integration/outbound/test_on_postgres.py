"""On PostgreSQL: a delivery gets its sending job in the transaction that writes it, and the event
numbers of a company are taken one transaction at a time (the SQLite run skips these)."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from portal.integration.outbound import events, webhooks
from portal.jobs import tasks
from tests.unit.integration.outbound.conftest import open_ticket

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only (TEST_DATABASE_URL)")


def _jobs(db, mark: int) -> list[tuple[str, dict, str]]:
    rows = db.execute(
        sa.text("select task_name, args, status from procrastinate_jobs where id > :mark order by id"), {"mark": mark}
    )
    return [(row.task_name, row.args, row.status) for row in rows]


def test_a_delivery_gets_its_sending_job_in_the_same_transaction(db, demo, customer, monkeypatch):
    monkeypatch.setattr(webhooks, "enqueue_hooks", [tasks._remember_delivery])
    jobs = db.execute(sa.text("select coalesce(max(id), 0) from procrastinate_jobs")).scalar_one()
    webhooks.add_endpoint(db, tenant_id=demo.id, url="https://erp.example.it/hooks")
    open_ticket(db, customer)
    delivery_id = db.execute(sa.text("select max(id) from webhook_delivery")).scalar_one()
    assert [job for job in _jobs(db, jobs) if job[0] == "deliver_webhook"] == []  # not before the commit
    db.commit()
    assert [job for job in _jobs(db, jobs) if job[0] == "deliver_webhook"] == [
        ("deliver_webhook", {"delivery_id": delivery_id}, "todo")
    ]


def test_a_second_writer_waits_for_the_first_to_commit_its_event_number(db, engine, demo, customer):
    """Else a reader could see number n + 1 committed, move past it, and never see n."""
    open_ticket(db, customer)  # holds the company's event number until this transaction ends
    with engine.connect() as connection, Session(bind=connection) as second:
        second.execute(sa.text("set lock_timeout = '200ms'"))
        with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
            events.take_number(second, demo.id)
        second.rollback()
        # and a reader meanwhile sees none of the first writer's events
        last = second.execute(sa.text("select max(seq) from request_event where tenant_id = :t"), {"t": demo.id})
        assert last.scalar_one() < events.last_number(db, demo.id)
