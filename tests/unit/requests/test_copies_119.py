"""Art. 119 c.4 TUB copies: the form's period (the last ten years only), the 90-day deadline a
submitted request carries, how near the deadline is, and the service desk's filter and order."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from portal.forms import registry
from portal.forms.copies_119 import earliest_day
from portal.integration.outbound.document import request_data
from portal.models import ServiceRequest, UserAccount
from portal.services.access.accounts import principal_for
from portal.services.requests import queries, tickets
from portal.services.requests.deadlines import DeadlineState, deadline_state
from portal.services.requests.form_engine import context_for, validate
from tests.conftest import AS_OF, NOW


def _user(db, username: str = "10093") -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _answers(**more: str) -> dict[str, str]:
    return {"contract": "", "period_from": "2020-01-01", "period_to": "2020-12-31", "documents": "invoices",
            "delivery": "pec", "message": ""} | more  # fmt: skip


def _check(db, raw: dict[str, str], today: dt.date = AS_OF):
    user = _user(db)
    scope = principal_for(session=db, user=user).scope
    assert scope is not None
    ctx = context_for(session=db, user=user, scope=scope, lang="it", today=today)
    return validate(registry()["copies_119"], raw, ctx)


def test_the_ten_years_start_on_the_same_day_ten_years_before():
    assert earliest_day(dt.date(2026, 12, 8)) == dt.date(2016, 12, 8)
    assert earliest_day(dt.date(2028, 2, 29)) == dt.date(2018, 2, 28)


def test_the_period_is_limited_to_the_last_ten_years(db, demo):
    today = dt.date(2026, 12, 8)
    _, errors = _check(db, _answers(period_from="2016-12-08", period_to="2026-12-08"), today)
    assert errors == {}
    _, errors = _check(db, _answers(period_from="2016-12-07"), today)
    assert errors == {"period_from": ("copies.too_old", {"years": "10"})}
    _, errors = _check(db, _answers(period_to="2026-12-09"), today)
    assert errors == {"period_to": ("copies.future", {})}
    _, errors = _check(db, _answers(period_from="2021-05-01", period_to="2021-04-30"), today)
    assert errors == {"period_to": ("copies.before_start", {})}
    _, errors = _check(db, _answers(documents="everything", delivery=""), today)
    assert errors == {"documents": ("forms.choice_invalid", {}), "delivery": ("forms.required", {})}


def test_a_submitted_request_is_due_90_days_later(db, demo):
    author = _user(db)
    scope = principal_for(session=db, user=author).scope
    assert scope is not None
    request = tickets.open_from_form(
        session=db,
        author_id=author.id,
        scope=scope,
        definition=registry()["copies_119"],
        values=_answers(
            contract="84963", period_from=AS_OF.replace(year=AS_OF.year - 2).isoformat(), period_to=AS_OF.isoformat()
        ),  # fmt: skip
        lang="it",
        today=AS_OF,
        now=NOW,
        public_url="http://portal.test",
    )
    assert request.due_on == AS_OF + dt.timedelta(days=90)
    assert request_data(db, request)["due_on"] == (AS_OF + dt.timedelta(days=90)).isoformat()  # the core's feed
    # a form without a legal deadline leaves it empty
    other = tickets.open_from_form(
        session=db,
        author_id=author.id,
        scope=scope,
        definition=registry()["address_change"],
        values={"start_date": "2030-01-01", "new_address": "Via Nuova 1, 50100 Firenze (FI)", "message": ""},
        lang="it",
        today=AS_OF,
        now=NOW,
        public_url="http://portal.test",
    )
    assert other.due_on is None


def test_how_near_a_deadline_is():
    day = dt.date(2027, 3, 31)
    assert deadline_state(due_on=None, today=day, is_open=True) is DeadlineState.NONE
    assert deadline_state(due_on=day, today=day - dt.timedelta(days=16), is_open=True) is DeadlineState.ON_TIME
    assert deadline_state(due_on=day, today=day - dt.timedelta(days=15), is_open=True) is DeadlineState.DUE_SOON
    assert deadline_state(due_on=day, today=day, is_open=True) is DeadlineState.DUE_SOON
    assert deadline_state(due_on=day, today=day + dt.timedelta(days=1), is_open=True) is DeadlineState.OVERDUE
    assert deadline_state(due_on=day, today=day + dt.timedelta(days=1), is_open=False) is DeadlineState.NONE


def test_the_demo_request_and_the_desks_filter_and_order(db, demo):
    due = db.exec(select(ServiceRequest).where(ServiceRequest.due_on.is_not(None))).all()  # type: ignore[union-attr]
    # the demo's request for copies, asked 80 days before AS_OF: due 10 days after it
    assert [(r.form_key, r.due_on) for r in due] == [("copies_119", AS_OF + dt.timedelta(days=10))]
    every = db.exec(select(ServiceRequest.id).where(ServiceRequest.tenant_id == demo.id)).all()
    with_deadline, total = queries.desk_requests(
        session=db, tenant_id=demo.id, flt=queries.RequestFilter(deadline="with"), now=NOW, offset=0
    )
    assert total == 1 and [row.due_on for row in with_deadline] == [AS_OF + dt.timedelta(days=10)]
    soon, total = queries.desk_requests(
        session=db, tenant_id=demo.id, flt=queries.RequestFilter(deadline="due_soon"), now=NOW, offset=0
    )
    assert total == 1
    first, total = queries.desk_requests(
        session=db, tenant_id=demo.id, flt=queries.RequestFilter(by_deadline=True), now=NOW, offset=0, limit=1
    )
    assert total == len(every) and first[0].due_on == AS_OF + dt.timedelta(days=10)
