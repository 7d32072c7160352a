"""The requests feed: every change of a request is one numbered event, read after a cursor, taken
again until acknowledged; each leasing company reads only its own."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from portal.integration.outbound import feed as outbound
from portal.integration.outbound.errors import InvalidInput, NotFound
from portal.models.enums import RequestStatus
from portal.services.requests import attachments as files
from portal.services.requests import tickets
from tests.conftest import NOW
from tests.unit.integration.outbound.conftest import PDF, count, open_ticket


def _last(db, tenant_id: int) -> int:
    return count(db, "select coalesce(max(seq), 0) from request_event where tenant_id = :t", t=tenant_id)


def test_a_new_request_is_in_the_feed_with_its_payload_thread_and_files(db, demo, customer, base):
    start = _last(db, demo.id)
    staged = files.stage(chunks=[PDF], display_name="foto guasto.pdf", kinds=("pdf",))
    request = open_ticket(db, customer, staged=[staged])
    page = outbound.feed(db, tenant_id=demo.id, since=str(start), limit=10)

    [event] = page["events"]
    attachment_id = count(db, "select id from request_attachment where request_id = :r", r=request.id)
    message_id = count(db, "select id from request_message where request_id = :r", r=request.id)
    assert event == {
        "id": start + 1,
        "type": "request.opened",
        "occurred_at": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),  # the frozen clock's moment, UTC
        "request_code": request.code,
        "actor": "customer",
        "reference": None,
        "detail": {"message_id": message_id, "attachment_ids": [attachment_id]},
    }
    [document] = page["requests"]
    assert document["code"] == request.code and document["form_key"] == "other"
    assert document["title"] == "Guasto al riunito" and document["status"] == "submitted"
    assert document["customer_code"] == "10093" and document["payload"] == {"what": "Guasto al riunito"}
    assert document["contract_number"] is None and document["asset_code"] is None
    assert [(m["author"], m["body"], m["attachment_ids"]) for m in document["messages"]] == [
        ("customer", "Non si accende", [attachment_id])
    ]
    assert document["attachments"] == [
        {
            "id": attachment_id,
            "name": "foto guasto.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "sha256": hashlib.sha256(PDF).hexdigest(),
            "message_id": message_id,
            "created_at": event["occurred_at"],
        }
    ]
    assert document["status_history"] == [
        {"from": None, "to": "submitted", "at": event["occurred_at"], "by": "customer"}
    ]
    assert page["next_cursor"] == str(start + 1) and page["has_more"] is False

    # the core system downloads the file by the id the feed gave
    file = outbound.attachment(db, tenant_id=demo.id, code=request.code, attachment_id=attachment_id)
    assert file.path.read_bytes() == PDF and hashlib.sha256(file.path.read_bytes()).hexdigest() == file.sha256


def test_every_change_is_one_event_numbered_without_gaps(db, demo, customer, desk):
    start = _last(db, demo.id)
    request = open_ticket(db, customer)
    tickets.service_desk_update(
        session=db,
        request=request,
        operator=desk,
        body="Serve la matricola",
        status=RequestStatus.WAITING_CUSTOMER,
        now=NOW,
        public_url="http://portal.test",
    )
    tickets.customer_reply(session=db, request=request, author=customer, body="SN-123", now=NOW)
    rows = db.execute(
        sa.text("select seq, kind, actor from request_event where tenant_id = :t and seq > :s order by seq"),
        {"t": demo.id, "s": start},
    ).all()
    assert [tuple(row) for row in rows] == [
        (start + 1, "request.opened", "customer"),
        (start + 2, "request.message_added", "service_desk"),
        (start + 3, "request.status_changed", "service_desk"),
        (start + 4, "request.message_added", "customer"),
        (start + 5, "request.status_changed", "customer"),  # waiting for the customer -> back to work
    ]
    page = outbound.feed(db, tenant_id=demo.id, since=str(start), limit=100)
    assert [e["id"] for e in page["events"]] == [start + 1, start + 2, start + 3, start + 4, start + 5]
    assert page["events"][2]["detail"] == {"from_status": "submitted", "to_status": "waiting_customer"}
    # the request once, as it stands now
    [document] = page["requests"]
    assert document["status"] == "in_progress"
    assert [m["author"] for m in document["messages"]] == ["customer", "service_desk", "customer"]


def test_pages_follow_the_cursor_and_skip_nothing(db, demo, customer):
    start = _last(db, demo.id)
    codes = [open_ticket(db, customer, title=f"Richiesta {n}").code for n in range(5)]
    seen, cursor, pages = [], str(start), 0
    while True:
        page = outbound.feed(db, tenant_id=demo.id, since=cursor, limit=2)
        pages += 1
        seen += [event["request_code"] for event in page["events"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == codes and pages == 3 and cursor == str(start + 5)
    empty = outbound.feed(db, tenant_id=demo.id, since=cursor, limit=2)
    assert empty["events"] == [] and empty["requests"] == [] and empty["next_cursor"] == cursor


def test_a_consumer_that_does_not_acknowledge_gets_the_events_again(db, demo, customer):
    outbound.acknowledge(db, tenant_id=demo.id, cursor=str(_last(db, demo.id)), consumer="erp")
    first = open_ticket(db, customer, title="Prima")
    read = outbound.feed(db, tenant_id=demo.id, consumer="erp")
    assert [e["request_code"] for e in read["events"]] == [first.code]
    # it crashed before acknowledging: the next read (no cursor) gives the same event again
    again = outbound.feed(db, tenant_id=demo.id, consumer="erp")
    assert again["events"] == read["events"]

    answer = outbound.acknowledge(db, tenant_id=demo.id, cursor=read["next_cursor"], consumer="erp")
    assert answer["acknowledged"] == read["next_cursor"]
    assert count(db, "select acked_seq from outbound_consumer where tenant_id = :t and name = 'erp'", t=demo.id) == int(
        read["next_cursor"]
    )
    assert outbound.feed(db, tenant_id=demo.id, consumer="erp")["events"] == []
    second = open_ticket(db, customer, title="Seconda")
    assert [e["request_code"] for e in outbound.feed(db, tenant_id=demo.id, consumer="erp")["events"]] == [second.code]
    # an older cursor reads nothing already acknowledged, unless asked to replay
    assert [e["request_code"] for e in outbound.feed(db, tenant_id=demo.id, since="0", consumer="erp")["events"]] == [
        second.code
    ]
    replayed = outbound.feed(db, tenant_id=demo.id, since=read["cursor"], consumer="erp", replay=True)
    assert [e["request_code"] for e in replayed["events"]] == [first.code, second.code]
    # another consumer has its own acknowledgement
    assert outbound.acknowledged(db, tenant_id=demo.id, consumer="datawarehouse") == 0


def test_acknowledgement_never_goes_back_nor_past_the_last_event(db, demo, customer):
    open_ticket(db, customer)
    last = _last(db, demo.id)
    outbound.acknowledge(db, tenant_id=demo.id, cursor=str(last), consumer="erp")
    answer = outbound.acknowledge(db, tenant_id=demo.id, cursor="1", consumer="erp")
    assert answer["acknowledged"] == str(last)
    with pytest.raises(InvalidInput):
        outbound.acknowledge(db, tenant_id=demo.id, cursor=str(last + 1), consumer="erp")
    assert count(db, "select acked_seq from outbound_consumer where name = 'erp' and tenant_id = :t", t=demo.id) == last


@pytest.mark.parametrize("cursor", ["", "-1", "abc", "1.5", "01", "99999999999999999999"])
def test_a_malformed_cursor_is_refused(db, demo, cursor):
    with pytest.raises(InvalidInput):
        outbound.feed(db, tenant_id=demo.id, since=cursor)
    with pytest.raises(InvalidInput):
        outbound.acknowledge(db, tenant_id=demo.id, cursor=cursor)


@pytest.mark.parametrize("limit", [0, 501, -3])
def test_a_limit_out_of_range_is_refused(db, demo, limit):
    with pytest.raises(InvalidInput):
        outbound.feed(db, tenant_id=demo.id, limit=limit)


def test_each_leasing_company_reads_only_its_own_requests(db, demo, customer, other, base):
    staged = files.stage(chunks=[PDF], display_name="a.pdf", kinds=("pdf",))
    mine = open_ticket(db, customer, staged=[staged])
    attachment_id = count(db, "select id from request_attachment where request_id = :r", r=mine.id)

    theirs = outbound.feed(db, tenant_id=other.tenant.id, since="0", limit=500)
    assert [e["request_code"] for e in theirs["events"]] == [other.request.code]
    assert theirs["events"][0]["id"] == 1  # numbered per leasing company
    ours = outbound.feed(db, tenant_id=demo.id, since=str(_last(db, demo.id) - 1), limit=500)
    assert [e["request_code"] for e in ours["events"]] == [mine.code]
    with pytest.raises(NotFound):
        outbound.attachment(db, tenant_id=other.tenant.id, code=mine.code, attachment_id=attachment_id)
    with pytest.raises(NotFound):  # a file of another request, under a request of one's own
        outbound.attachment(db, tenant_id=other.tenant.id, code=other.request.code, attachment_id=attachment_id)
    # acknowledging in one company leaves the other's consumer where it was
    outbound.acknowledge(db, tenant_id=other.tenant.id, cursor="1")
    assert outbound.acknowledged(db, tenant_id=demo.id) == 0


def test_the_demo_requests_are_in_the_feed_from_the_first_event(db, demo):
    """The seed opens its requests through the same services: each has its opening event."""
    requests = count(db, "select count(*) from service_request where tenant_id = :t", t=demo.id)
    opened = count(db, "select count(*) from request_event where tenant_id = :t and kind = 'request.opened'", t=demo.id)
    assert opened == requests > 0
    assert count(db, "select last_seq from outbound_sequence where tenant_id = :t", t=demo.id) == count(
        db, "select count(*) from request_event where tenant_id = :t", t=demo.id
    )


def test_a_form_request_carries_its_answers_by_field_key(db, demo):
    code = db.execute(sa.text("select code from service_request where form_key = 'iban_change'")).scalar_one()
    seq = count(db, "select e.seq from request_event e join service_request r on r.id = e.request_id"
                " where r.code = :c and e.kind = 'request.opened'", c=code)  # fmt: skip
    [document] = outbound.feed(db, tenant_id=demo.id, since=str(seq - 1), limit=1)["requests"]
    answers = document["answers"]
    assert sorted(answers) == ["contract", "foreign_iban", "message", "new_iban", "start_date"]  # no display field
    assert (answers["contract"], answers["new_iban"], answers["foreign_iban"]) == (
        "90317",
        "IT40S0542811101000000123456",
        "",
    )
    assert document["contract_number"] == "90317" and document["form_key"] == "iban_change"
