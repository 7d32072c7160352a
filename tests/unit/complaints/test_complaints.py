"""Complaints (issue 15): the 60-day deadline, the acknowledgement and the answer (bell and
e-mail), who may read a complaint, the desk's warnings, and the yearly figures with their CSV."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import select

from portal import i18n
from portal.models import Complaint, ComplaintAttachment, Contract, MailMessage, Notification, UserAccount
from portal.models.enums import ComplaintOutcome, NotificationKind
from portal.services.access.scope import scope_of
from portal.services.complaints import filing, queries
from portal.services.requests import attachments as files
from tests.conftest import AS_OF, NOW
from tests.unit.conftest import id_mark, mail_mark, mails_after, rows_after

URL = "http://portal.test"


def _user(db, username: str) -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _file(db, username="10093", contract="", subject="Spese non dovute", body="Testo del reclamo."):
    author = _user(db, username)
    scope = scope_of(session=db, user=author)
    assert scope is not None
    complaint = filing.file_complaint(
        session=db,
        author=author,
        scope=scope,
        subject=subject,
        body=body,
        contract_number=contract,
        now=NOW,
        today=AS_OF,
        public_url=URL,
    )
    db.flush()
    return complaint


def test_the_deadline_is_sixty_days_after_receipt():
    # by hand: 22 Nov + 8 days = 30 Nov, + 31 = 31 Dec, + 21 = 21 Jan (8 + 31 + 21 = 60)
    assert queries.due_date(dt.date(2026, 11, 22)) == dt.date(2027, 1, 21)
    assert queries.due_date(dt.date(2028, 1, 1)) == dt.date(2028, 3, 1)  # 2028 is a leap year: 31 + 29 = 60


def test_filing_stores_the_deadline_and_acknowledges_it(db, demo):
    mark, notices, mails = id_mark(db, Complaint), id_mark(db, Notification), mail_mark(db)
    complaint = _file(db, contract="84963")
    row = (
        db.connection()
        .execute(
            sa.text(
                "select code, received_on, due_on, contract_id, customer_id, answered_on from complaint where id > :m"
            ),
            {"m": mark},
        )
        .one()
    )
    expected_due = AS_OF + dt.timedelta(days=60)
    assert str(row.received_on) == AS_OF.isoformat() and str(row.due_on) == expected_due.isoformat()
    assert row.code == f"REC-{AS_OF.year}-{complaint.id:06d}"
    assert row.contract_id == db.exec(select(Contract.id).where(Contract.number == "84963")).one()
    assert row.answered_on is None
    author = _user(db, "10093")
    bell = rows_after(db, Notification, notices)
    assert [(n.user_id, n.kind) for n in bell] == [(author.id, NotificationKind.COMPLAINT)]
    assert row.code in bell[0].title
    sent = mails_after(db, mails)
    assert [m.to_address for m in sent] == [author.secondary_email or author.primary_email]
    assert row.code in sent[0].subject
    assert i18n.long_date(expected_due, author.language.value) in (sent[0].body_text or "")


def test_a_contract_of_another_customer_is_refused_and_nothing_is_stored(db, demo):
    others = db.exec(select(Contract.number).where(Contract.customer_id != _user(db, "10093").customer_id)).first()
    assert others is not None
    mark, notices = id_mark(db, Complaint), id_mark(db, Notification)
    with pytest.raises(filing.ComplaintRefused) as refused:
        _file(db, contract=others)
    assert refused.value.key == "complaints.contract_unknown"
    assert rows_after(db, Complaint, mark) == [] and rows_after(db, Notification, notices) == []


def test_empty_subject_or_text_is_refused(db, demo):
    mark = id_mark(db, Complaint)
    for subject, body, key in (
        ("  ", "testo", "complaints.subject_required"),
        ("Oggetto", "", "complaints.text_required"),
    ):
        with pytest.raises(filing.ComplaintRefused) as refused:
            _file(db, subject=subject, body=body)
        assert refused.value.key == key
    assert rows_after(db, Complaint, mark) == []


def test_only_the_owner_and_the_company_read_a_complaint(db, demo):
    complaint = _file(db)
    assert queries.access_complaint(session=db, user=_user(db, "10093"), code=complaint.code) is not None
    assert queries.access_complaint(session=db, user=_user(db, "servicedesk"), code=complaint.code) is not None
    assert queries.access_complaint(session=db, user=_user(db, "20417"), code=complaint.code) is None
    # the fleet manager (restricted to some contracts) reads only the complaints it filed
    assert queries.access_complaint(session=db, user=_user(db, "10093.1"), code=complaint.code) is None
    attachment = ComplaintAttachment(
        complaint_id=complaint.id,
        storage_key="a" * 32,
        display_name="foto.png",
        content_type="image/png",
        size_bytes=10,
        sha256="0" * 64,
        uploaded_by_id=complaint.created_by_id,
    )
    db.add(attachment)
    db.flush()
    other = _user(db, "20417")
    assert queries.access_complaint_attachment(session=db, user=other, attachment_id=attachment.id) is None
    owner = _user(db, "10093")
    assert queries.access_complaint_attachment(session=db, user=owner, attachment_id=attachment.id) == attachment


def test_a_complaints_file_counts_as_claimed_for_the_staging_sweep(db, demo):
    complaint = _file(db)
    db.add(
        ComplaintAttachment(
            complaint_id=complaint.id,
            storage_key="b" * 32,
            display_name="x.pdf",
            content_type="application/pdf",
            size_bytes=1,
            sha256="0" * 64,
            uploaded_by_id=complaint.created_by_id,
        )
    )
    db.flush()
    assert files.claimed_keys(db, ["b" * 32, "c" * 32]) == {"b" * 32}


def test_the_answer_tells_the_author_once(db, demo):
    complaint = _file(db)
    operator = _user(db, "servicedesk")
    notices, mails = id_mark(db, Notification), mail_mark(db)
    filing.answer_complaint(
        session=db,
        complaint=complaint,
        operator=operator,
        answer="Abbiamo stornato le spese.",
        outcome=ComplaintOutcome.ACCEPTED,
        now=NOW,
        today=AS_OF,
        public_url=URL,
    )
    db.flush()
    row = (
        db.connection()
        .execute(
            sa.text("select answer, outcome, answered_on, answered_by_id from complaint where id = :i"),
            {"i": complaint.id},
        )
        .one()
    )
    assert (row.answer, row.outcome, str(row.answered_on), row.answered_by_id) == (
        "Abbiamo stornato le spese.",
        "accepted",
        AS_OF.isoformat(),
        operator.id,
    )
    author = _user(db, "10093")
    assert [n.user_id for n in rows_after(db, Notification, notices)] == [author.id]
    sent = mails_after(db, mails)
    assert len(sent) == 1 and "Accolto" in (sent[0].body_text or "")
    # a second answer is refused and changes nothing
    with pytest.raises(filing.ComplaintRefused):
        filing.answer_complaint(
            session=db,
            complaint=complaint,
            operator=operator,
            answer="Altro",
            outcome=ComplaintOutcome.REJECTED,
            now=NOW,
            today=AS_OF,
            public_url=URL,
        )
    db.refresh(complaint)
    assert complaint.outcome is ComplaintOutcome.ACCEPTED and complaint.answer == "Abbiamo stornato le spese."


def test_a_customer_cannot_answer(db, demo):
    complaint = _file(db)
    with pytest.raises(PermissionError):
        filing.answer_complaint(
            session=db,
            complaint=complaint,
            operator=_user(db, "10093"),
            answer="Da solo",
            outcome=ComplaintOutcome.ACCEPTED,
            now=NOW,
            today=AS_OF,
            public_url=URL,
        )
    assert (
        db.connection()
        .execute(sa.text("select answered_on from complaint where id = :i"), {"i": complaint.id})
        .scalar_one()
        is None
    )


def _complaint(db, demo, received: dt.date, answered_after: int | None, outcome: ComplaintOutcome | None) -> Complaint:
    author = _user(db, "10093")
    row = Complaint(
        tenant_id=demo.id,
        customer_id=author.customer_id,
        created_by_id=author.id,
        code=f"T-{received.isoformat()}-{answered_after}-{outcome}"[:20],
        subject="s",
        body="b",
        received_on=received,
        due_on=queries.due_date(received),
        answered_on=None if answered_after is None else received + dt.timedelta(days=answered_after),
        outcome=outcome,
    )
    db.add(row)
    db.flush()
    return row


def test_the_desk_is_warned_as_the_deadline_nears(db, demo):
    today = dt.date(2031, 6, 1)
    due_in = {}
    for left in (11, 10, 0, -1):
        row = _complaint(db, demo, today - dt.timedelta(days=60 - left), None, None)
        due_in[left] = queries.urgency(row, today)
    assert due_in == {11: "on_time", 10: "due_soon", 0: "due_soon", -1: "overdue"}


def test_the_yearly_figures(db, demo, tmp_path):
    year = 2031  # no demo complaint that year
    _complaint(db, demo, dt.date(year, 1, 10), 20, ComplaintOutcome.ACCEPTED)  # in time
    _complaint(db, demo, dt.date(year, 3, 1), 60, ComplaintOutcome.PARTIAL)  # on the 60th day: in time
    _complaint(db, demo, dt.date(year, 5, 2), 63, ComplaintOutcome.REJECTED)  # three days late
    _complaint(db, demo, dt.date(year, 12, 31), None, None)  # still open
    _complaint(db, demo, dt.date(year - 1, 12, 31), 5, ComplaintOutcome.ACCEPTED)  # the year before: not counted
    figures = queries.year_figures(session=db, tenant_id=demo.id, year=year)
    assert figures == queries.YearFigures(
        year=year,
        received=4,
        answered=3,
        answered_in_time=2,
        answered_late=1,
        still_open=1,
        accepted=1,
        partially_accepted=1,
        rejected=1,
    )
    path = tmp_path / "figures.csv"
    assert filing.write_figures_csv(figures, lang="en", path=path) == f"reclami-{year}.csv"
    with open(path, newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    assert rows == [
        [
            "Year",
            "Received",
            "Answered",
            "Answered within 60 days",
            "Answered late",
            "Still open",
            "Upheld",
            "Partly upheld",
            "Rejected",
        ],
        [str(year), "4", "3", "2", "1", "1", "1", "1", "1"],
    ]


def test_the_queue_puts_the_nearest_deadline_first(db, demo):
    today = dt.date(2031, 6, 1)
    later = _complaint(db, demo, today - dt.timedelta(days=10), None, None)
    sooner = _complaint(db, demo, today - dt.timedelta(days=55), None, None)
    answered = _complaint(db, demo, today - dt.timedelta(days=58), 3, ComplaintOutcome.REJECTED)
    mine = {later.code, sooner.code, answered.code}
    queue = [
        r.code for r in queries.desk_complaints(session=db, tenant_id=demo.id, today=today, include_answered=False)
    ]
    assert [c for c in queue if c in mine] == [sooner.code, later.code]
    everything = queries.desk_complaints(session=db, tenant_id=demo.id, today=today, include_answered=True)
    codes = [r.code for r in everything if r.code in mine]
    assert codes == [sooner.code, later.code, answered.code]


def test_the_demo_shows_an_open_complaint_near_its_deadline_and_an_answered_one(db, demo):
    rows = (
        db.connection()
        .execute(
            sa.text(
                "select received_on, due_on, answered_on, outcome from complaint where code like 'REC-%' order by id"
            )
        )
        .all()
    )
    open_ones = [r for r in rows if r.answered_on is None]
    answered = [r for r in rows if r.answered_on is not None]
    assert any(str(r.received_on) == (AS_OF - dt.timedelta(days=52)).isoformat() for r in open_ones)
    assert any(r.outcome == "partial" for r in answered)
    assert db.exec(select(MailMessage).where(MailMessage.kind == "complaint")).first() is None  # history: no mail


def test_the_bell_links_the_acknowledgement_to_the_complaint(db, demo):
    from portal.services.requests import bell
    from portal.state.bell import KIND_ICONS, notice_link

    complaint = _file(db)
    latest, _ = bell.notices(session=db, user=_user(db, "10093"), limit=1, with_total=False)
    assert latest[0].kind is NotificationKind.COMPLAINT and NotificationKind.COMPLAINT in KIND_ICONS
    assert notice_link(latest[0], operator=False) == f"/reclami/dettaglio?codice={complaint.code}"
