"""Complaint screens (issue 15): a complaint about another customer's contract, another customer's
complaint and file, and the desk's answer (asked, confirmed, refused to a customer)."""

from __future__ import annotations

from sqlmodel import select

from portal.db import session_scope
from portal.models import Complaint, ComplaintAttachment, Contract, DownloadTicket, Notification, UserAccount
from portal.pages.complaints.customer import ComplaintDetailState, NewComplaintState
from portal.pages.complaints.desk import DeskComplaintDetailState, DeskComplaintsState
from tests.state.conftest import id_mark, redirect_target, rows_after, toast_of


def _demo_complaint(customer_code: str, answered: bool) -> Complaint:
    with session_scope() as db:
        query = (
            select(Complaint)
            .join(UserAccount, UserAccount.id == Complaint.created_by_id)
            .where(UserAccount.username == customer_code)
            .order_by(Complaint.id)  # pyright: ignore[reportArgumentType]
        )
        return next(c for c in db.exec(query).all() if (c.answered_on is not None) == answered)


def test_a_complaint_about_another_customers_contract_is_refused(signed_in):
    browser = signed_in("10093")
    browser.visit("/reclami/nuovo")
    browser.run(NewComplaintState, "load")
    with session_scope() as db:
        theirs = db.exec(
            select(Contract.number)
            .join(UserAccount, UserAccount.customer_id == Contract.customer_id)
            .where(UserAccount.username == "20417")
        ).first()
    mark = id_mark(Complaint)
    result = browser.run(NewComplaintState, "submit", {"subject": "x", "contract": theirs, "body": "testo"})
    assert redirect_target(result) is None
    assert browser.state(NewComplaintState).form_error == "Il contratto scelto non è tra i tuoi."
    assert rows_after(Complaint, mark) == []


def test_another_customers_complaint_and_file_stay_hidden(signed_in):
    complaint = _demo_complaint("10093", answered=False)
    with session_scope() as db:
        attachment = ComplaintAttachment(
            complaint_id=complaint.id,
            storage_key="d" * 32,
            display_name="riservato.pdf",
            content_type="application/pdf",
            size_bytes=1,
            sha256="0" * 64,
            uploaded_by_id=complaint.created_by_id,
        )
        db.add(attachment)
        db.commit()
        attachment_id = attachment.id
    try:
        browser = signed_in("20417")
        browser.visit(f"/reclami/dettaglio?codice={complaint.code}")
        browser.run(ComplaintDetailState, "load")
        page = browser.state(ComplaintDetailState)
        assert page.found is False and page.info.code == ""
        tickets = id_mark(DownloadTicket)
        result = browser.run(ComplaintDetailState, "download", attachment_id)
        assert toast_of(result) == ("error", "Attachment not available.")  # 20417 reads English
        assert rows_after(DownloadTicket, tickets) == []
    finally:
        with session_scope() as db:
            row = db.get(ComplaintAttachment, attachment_id)
            if row is not None:
                db.delete(row)
                db.commit()


def test_the_desk_answers_after_confirming_and_a_customer_cannot(signed_in):
    complaint = _demo_complaint("10093", answered=False)
    path = f"/operatore/reclami/dettaglio?codice={complaint.code}"
    customer = signed_in("20417")
    customer.visit(path)
    refused = customer.run(DeskComplaintDetailState, "confirm_answer")
    assert redirect_target(refused) is not None
    desk = signed_in("servicedesk")
    desk.visit(path)
    desk.run(DeskComplaintDetailState, "load")
    desk.run(DeskComplaintDetailState, "ask_answer", {"answer": "", "outcome": "accepted"})
    page = desk.state(DeskComplaintDetailState)
    assert page.answer_error == "Scrivi il testo della risposta." and page.confirm_open is False
    desk.run(DeskComplaintDetailState, "ask_answer", {"answer": "Rimborsato.", "outcome": "bogus"})
    assert page.answer_error == "Scegli l'esito del reclamo." and page.confirm_open is False
    desk.run(DeskComplaintDetailState, "ask_answer", {"answer": "Rimborsato.", "outcome": "partial"})
    assert page.confirm_open is True and "Parzialmente accolto" in page.confirm_text
    with session_scope() as db:
        assert db.get(Complaint, complaint.id).answered_on is None  # asked, not yet stored
    notices = id_mark(Notification)
    try:
        result = desk.run(DeskComplaintDetailState, "confirm_answer")
        assert toast_of(result) == ("success", "Risposta inviata al cliente.")
        with session_scope() as db:
            stored = db.get(Complaint, complaint.id)
            assert (stored.answer, stored.outcome.value if stored.outcome else None) == ("Rimborsato.", "partial")
        assert [n.user_id for n in rows_after(Notification, notices)] == [complaint.created_by_id]
        assert page.info.answered is True and page.info.outcome_label == "Parzialmente accolto"
    finally:
        with session_scope() as db:  # the demo's complaint open again for the other tests
            row = db.get(Complaint, complaint.id)
            row.answer, row.outcome, row.answered_on, row.answered_by_id = None, None, None, None
            db.add(row)
            db.commit()


def test_a_customer_on_the_desks_queue_is_sent_away_with_nothing(signed_in):
    customer = signed_in("20417")
    customer.visit("/operatore/reclami")
    result = customer.run(DeskComplaintsState, "load")
    assert redirect_target(result) == "/reclami"
    page = customer.state(DeskComplaintsState)
    assert (page.rows, page.figures, page.years, page.loaded) == ([], [], [], False)
    desk = signed_in("servicedesk")
    desk.visit("/operatore/reclami")
    desk.run(DeskComplaintsState, "load")
    assert _demo_complaint("10093", answered=False).code in [row.code for row in desk.state(DeskComplaintsState).rows]
