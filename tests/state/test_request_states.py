"""Request screens: the generic form state, the thread, the service desk, the bell, the preview."""

from __future__ import annotations

import dataclasses
import secrets
import urllib.parse

from sqlmodel import col, select

from portal.db import session_scope
from portal.models import (
    Contract,
    Notification,
    RequestAttachment,
    RequestMessage,
    RequestStatusChange,
    ServiceRequest,
    UserAccount,
)
from portal.models.enums import RequestStatus
from portal.pages.desk_detail import DeskDetailState
from portal.pages.form_preview import FormPreviewState
from portal.pages.new_request import NewRequestState
from portal.pages.request_detail import RequestDetailState
from portal.state.bell import NotificationState
from portal.state.request_view import PayloadRow, RequestInfo
from tests.state.conftest import id_mark, reauthenticate, redirect_target, rows_after, toast_of
from tests.support.pickled import orm_objects

NOT_ALLOWED = ("error", "Operazione non consentita.")


def _user_id(username: str) -> int:
    with session_scope() as db:
        return db.exec(select(UserAccount.id).where(UserAccount.username == username)).one()


def _seeded_request(*where) -> ServiceRequest:
    """The demo's own request (the lowest id that matches): requests other tests open come after it."""
    with session_scope() as db:
        return db.exec(select(ServiceRequest).where(*where).order_by(col(ServiceRequest.id))).first()


def _request(request_id: int) -> ServiceRequest:
    with session_scope() as db:
        return db.get(ServiceRequest, request_id)


def _login_for(path: str) -> str:
    return "/login?next=" + urllib.parse.quote(path, safe="")


def _untouched(request: ServiceRequest, marks: dict) -> None:
    """Nothing was written about `request` since `marks` (ids taken before the refused action)."""
    assert rows_after(RequestMessage, marks[RequestMessage], RequestMessage.request_id == request.id) == []
    assert (
        rows_after(RequestStatusChange, marks[RequestStatusChange], RequestStatusChange.request_id == request.id) == []
    )
    assert rows_after(Notification, marks[Notification]) == []
    now = _request(request.id)
    assert (now.status, now.updated_at) == (request.status, request.updated_at)


def _marks() -> dict:
    return {model: id_mark(model) for model in (RequestMessage, RequestStatusChange, Notification, ServiceRequest)}


def test_wrong_input_gets_messages_and_stores_nothing(signed_in):
    browser = signed_in()
    browser.visit("/richieste/nuova?modulo=address_change")
    browser.run(NewRequestState, "load")
    page = browser.state(NewRequestState)
    assert page.form_found is True
    assert page.computed["current_address"].startswith("Via Lorenzo il Magnifico 18")
    mark = id_mark(ServiceRequest)
    browser.run(NewRequestState, "set_field", "start_date", "2001-01-01")
    browser.run(NewRequestState, "submit", {})
    assert page.errors == {"start_date": "La data non può essere nel passato.", "new_address": "Campo obbligatorio."}
    assert page.form_error == "Controlla i campi evidenziati."
    assert rows_after(ServiceRequest, mark) == []
    browser.run(NewRequestState, "set_field", "new_address", "x" * 201)
    assert "new_address" not in page.errors  # changing a field clears its message
    browser.run(NewRequestState, "submit", {})
    assert page.errors["new_address"] == "Massimo 200 caratteri."
    assert rows_after(ServiceRequest, mark) == []


def test_a_valid_form_opens_a_request(signed_in):
    browser = signed_in()
    browser.visit("/richieste/nuova?modulo=iban_change")
    browser.run(NewRequestState, "load")
    browser.run(NewRequestState, "set_field", "contract", "90317")
    page = browser.state(NewRequestState)
    assert page.computed["current_iban"] == "IT60 X054 2811 1010 0000 0123 456"
    browser.run(NewRequestState, "set_field", "new_iban", "IT40S0542811101000000123456")
    browser.run(NewRequestState, "set_field", "start_date", "2030-01-01")
    browser.run(NewRequestState, "set_field", "message", "Nuovo conto aziendale")
    reauthenticate(browser)  # issue 11: the IBAN changes only after password + code again
    mark = id_mark(ServiceRequest)
    result = browser.run(NewRequestState, "submit", {})
    [request] = rows_after(ServiceRequest, mark)
    assert redirect_target(result) == f"/richieste/dettaglio?codice={request.code}"
    with session_scope() as db:
        van = db.exec(select(Contract.id).where(Contract.number == "90317")).one()
        assert (request.form_key, request.contract_id, request.created_by_id) == ("iban_change", van, _user_id("10093"))
        assert request.title == "Modifica banca appoggio / IBAN – contratto 90317"
        assert [e["value"] for e in request.payload["fields"] if e["key"] == "new_iban"] == [
            "IT40S0542811101000000123456"
        ]
        assert db.exec(select(RequestMessage.body).where(RequestMessage.request_id == request.id)).all() == [
            "Nuovo conto aziendale"
        ]


def test_a_foreign_contract_sent_by_the_browser_is_refused(signed_in):
    browser = signed_in()
    browser.visit("/richieste/nuova?modulo=iban_change")
    browser.run(NewRequestState, "load")
    page = browser.state(NewRequestState)
    page.values = {
        **page.values,
        "contract": "88120",
        "new_iban": "IT40S0542811101000000123456",
        "start_date": "2030-01-01",
    }
    mark = id_mark(ServiceRequest)
    browser.run(NewRequestState, "submit", {})
    assert page.errors == {"contract": "Scegli una delle voci proposte."}
    assert rows_after(ServiceRequest, mark) == []


def test_sub_user_without_the_right_cannot_submit(signed_in, restore_users):
    restore_users("10093.1")
    with session_scope() as db:
        user = db.exec(select(UserAccount).where(UserAccount.username == "10093.1")).one()
        user.may_submit_requests = False
        db.add(user)
    browser = signed_in("10093.1")
    browser.visit("/richieste/nuova?modulo=other")
    browser.run(NewRequestState, "load")
    page = browser.state(NewRequestState)
    assert page.form_found is False
    # the browser sends a complete, valid form anyway
    page.form_key, page.values = "other", {"request_type": "other", "message": "ciao"}
    mark = id_mark(ServiceRequest)
    result = browser.run(NewRequestState, "submit", {})
    assert rows_after(ServiceRequest, mark) == []
    assert toast_of(result) == NOT_ALLOWED
    # nor write in the thread of a request the sub-user can read (the van's IBAN change)
    request = _seeded_request(ServiceRequest.form_key == "iban_change")
    browser.visit(f"/richieste/dettaglio?codice={request.code}")
    browser.run(RequestDetailState, "load")
    thread = browser.state(RequestDetailState)
    assert thread.found is True and thread.may_reply is False
    marks = _marks()
    result = browser.run(RequestDetailState, "reply", {"body": "scrivo lo stesso"})
    _untouched(request, marks)
    assert toast_of(result) == NOT_ALLOWED


def test_thread_reply_and_other_customers_request(signed_in):
    request = _seeded_request(col(ServiceRequest.title).like("Copia%"))
    browser = signed_in()
    browser.visit(f"/richieste/dettaglio?codice={request.code}")
    browser.run(RequestDetailState, "load")
    page = browser.state(RequestDetailState)
    assert page.found is True and page.info.code == request.code and page.thread[0].desk is False
    assert (
        PayloadRow(
            label="Tipo di richiesta",  # the field's name, not the form's prompt
            value="Copia del contratto",
        )
        in page.payload_rows
    )  # seeded through the engine
    mark = id_mark(RequestMessage)
    browser.run(RequestDetailState, "reply", {"body": ""})
    assert page.reply_error == "Scrivi un messaggio o allega un file."
    assert rows_after(RequestMessage, mark, RequestMessage.request_id == request.id) == []
    browser.run(RequestDetailState, "reply", {"body": "Grazie, attendiamo."})
    assert page.thread[-1].body == "Grazie, attendiamo."
    [stored] = rows_after(RequestMessage, mark, RequestMessage.request_id == request.id)
    assert (stored.body, stored.author_id, stored.from_service_desk) == (
        "Grazie, attendiamo.",
        _user_id("10093"),
        False,
    )

    stranger = signed_in("20417")
    stranger.visit(f"/richieste/dettaglio?codice={request.code}")
    stranger.run(RequestDetailState, "load")
    other = stranger.state(RequestDetailState)
    assert other.found is False and other.thread == [] and other.info == RequestInfo()
    # writing in it anyway, as a browser could: refused, and nothing is written
    marks = _marks()
    before = _request(request.id)
    refused = stranger.run(RequestDetailState, "reply", {"body": "intruso"})
    _untouched(before, marks)
    assert toast_of(refused) == ("error", "Operation not allowed.")  # 20417 reads the portal in English


def test_service_desk_update_reaches_the_customers_bell(signed_in):
    request = _seeded_request(ServiceRequest.form_key == "iban_change")
    customer = signed_in()
    customer.run(NotificationState, "refresh")
    unread_before = customer.state(NotificationState).unread
    operator = signed_in("servicedesk")
    operator.visit(f"/operatore/richieste/dettaglio?codice={request.code}")
    operator.run(DeskDetailState, "load")
    marks = _marks()
    before = _request(request.id)
    operator.run(DeskDetailState, "update", {"body": "", "status": operator.state(DeskDetailState).info.status})
    assert operator.state(DeskDetailState).reply_error == "Scrivi una risposta, allega un file o cambia lo stato."
    _untouched(before, marks)
    operator.run(DeskDetailState, "update", {"body": "Abbiamo registrato il nuovo IBAN.", "status": "resolved"})
    assert operator.state(DeskDetailState).info.status == "resolved"
    told = rows_after(Notification, marks[Notification], Notification.request_id == request.id)
    assert sorted(notice.user_id for notice in told) == sorted([_user_id("10093"), _user_id("10093.1")])
    customer.run(NotificationState, "refresh")
    bell = customer.state(NotificationState)
    assert bell.unread == unread_before + 1 and bell.latest[0].subject.startswith(f"{request.code} – ")
    result = customer.run(NotificationState, "open_notice", str(bell.latest[0].notification_id))
    assert redirect_target(result) == f"/richieste/dettaglio?codice={request.code}"
    assert customer.state(NotificationState).unread == unread_before

    # a customer cannot use the desk: opening it leads to their own page of the request...
    desk_page = f"/operatore/richieste/dettaglio?codice={request.code}"
    customer.visit(desk_page)
    assert redirect_target(customer.run(DeskDetailState, "load")) == f"/richieste/dettaglio?codice={request.code}"
    # ...and answering through it, as a browser could, is refused and changes nothing
    marks = _marks()
    before = _request(request.id)
    assert before.status is RequestStatus.RESOLVED
    result = customer.run(DeskDetailState, "update", {"body": "intrusion", "status": "in_progress"})
    _untouched(before, marks)
    assert redirect_target(result) == _login_for(desk_page)


def test_form_preview_validates_live_and_stores_nothing(signed_in):
    operator = signed_in("servicedesk")
    operator.visit("/operatore/anteprima-moduli?modulo=machine_ticket")
    operator.run(FormPreviewState, "load")
    page = operator.state(FormPreviewState)
    assert page.form_found is True and page.form_key == "machine_ticket"
    marks = _marks()
    operator.run(FormPreviewState, "set_field", "contacts", "non valido")
    assert page.errors["contacts"] == "L'indirizzo «non» non è valido."
    operator.run(FormPreviewState, "choose_customer", "10093")
    for key, value in {
        "ticket_type": "fault",
        "machine": "166030",
        "subject": "Prova",
        "machine_status": "stopped",
        "description": "Prova",
        "contacts": "a@b.it",
    }.items():
        operator.run(FormPreviewState, "set_field", key, value)
    operator.run(FormPreviewState, "try_submit", {})
    assert page.preview_ok.startswith("Tutti i campi sono validi")
    assert rows_after(ServiceRequest, marks[ServiceRequest]) == []
    assert rows_after(RequestMessage, marks[RequestMessage]) == []
    customer = signed_in()
    customer.visit("/operatore/anteprima-moduli")
    assert redirect_target(customer.run(FormPreviewState, "load")) == "/"


def test_each_page_stages_files_by_its_own_rule(signed_in, tmp_path, monkeypatch):
    """The staging code is shared, but each page's state holds its own rule and its own files."""
    import asyncio
    import io
    from pathlib import Path

    import reflex as rx

    from portal.services.requests import attachments as files

    monkeypatch.setattr(
        "portal.services.requests.attachments.settings", dataclasses.replace(files.settings, private_dir=tmp_path)
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 3000
    browser = signed_in()
    browser.visit("/richieste/nuova?modulo=address_change")
    browser.run(NewRequestState, "load")
    form = browser.state(NewRequestState)
    assert form.allows_attachments is False and form.accept == {}
    assert list(files.staging(tmp_path).iterdir()) == []
    asyncio.run(browser.run(NewRequestState, "upload", [rx.UploadFile(file=io.BytesIO(png), path=Path("a.png"))]))
    # a form without attachments takes none, whatever the browser sends: not in the state, not on disk
    assert form.attachment_names == [] and list(files.staging(tmp_path).iterdir()) == []

    browser.visit("/richieste/nuova?modulo=other")
    browser.run(NewRequestState, "load")
    assert form.allows_attachments is True and set(form.accept) == {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/heic",
    }
    assert form.attachment_rule_text == "Ammessi: PDF fino a 10 MB, immagini fino a 10 MB; al massimo 5 file."
    asyncio.run(browser.run(NewRequestState, "upload", [rx.UploadFile(file=io.BytesIO(png), path=Path("../scan.png"))]))
    assert [item.name for item in form.attachment_names] == ["scan.png"]
    assert [path.read_bytes() for path in files.staging(tmp_path).iterdir()] == [png]

    request = _seeded_request(ServiceRequest.created_by_id == _user_id("10093"))
    browser.visit(f"/richieste/dettaglio?codice={request.code}")
    browser.run(RequestDetailState, "load")
    thread = browser.state(RequestDetailState)
    assert thread.allows_attachments is True and "video/mp4" in thread.accept
    assert thread.attachment_names == [] and [item.name for item in form.attachment_names] == ["scan.png"]


def test_each_page_keeps_its_answer_to_the_wrong_kind_of_user(signed_in):
    """Operators are sent from the customer's pages to the desk's, customers the other way; the
    desk's actions send a customer to the login page and change nothing."""
    from portal.pages.desk import DeskState
    from portal.pages.desk_broadcast import BroadcastState
    from portal.pages.requests import RequestsState

    request = _seeded_request(ServiceRequest.form_key == "iban_change")
    code = request.code
    operator = signed_in("servicedesk")
    operator.visit("/richieste")
    assert redirect_target(operator.run(RequestsState, "load")) == "/operatore/richieste"
    operator.visit(f"/richieste/dettaglio?codice={code}")
    assert redirect_target(operator.run(RequestDetailState, "load")) == f"/operatore/richieste/dettaglio?codice={code}"
    operator.visit("/richieste/nuova?modulo=other")
    assert redirect_target(operator.run(NewRequestState, "load")) == "/"

    customer = signed_in()
    customer.visit("/operatore/richieste")
    assert redirect_target(customer.run(DeskState, "load")) == "/richieste"
    customer.visit("/operatore/comunicazioni")
    assert redirect_target(customer.run(BroadcastState, "load")) == "/"
    marks = _marks()
    result = customer.run(BroadcastState, "send", {"title": "intrusion", "body": "intrusion"})
    assert rows_after(Notification, marks[Notification]) == []
    assert redirect_target(result) == _login_for("/operatore/comunicazioni")
    desk_page = f"/operatore/richieste/dettaglio?codice={code}"
    customer.visit(desk_page)
    before = _request(request.id)
    assert before.status is not RequestStatus.REJECTED  # so the status asked for would be a change
    result = customer.run(DeskDetailState, "update", {"body": "intrusion", "status": "rejected"})
    _untouched(before, marks)
    assert redirect_target(result) == _login_for(desk_page)
    customer.visit("/operatore/anteprima-moduli")
    preview = customer.state(FormPreviewState)
    values_before = dict(preview.values)
    result = customer.run(FormPreviewState, "set_field", "subject", "x")
    assert preview.values == values_before
    assert redirect_target(result) == _login_for("/operatore/anteprima-moduli")


def test_request_pages_keep_no_orm_rows_in_their_backend_vars(signed_in):
    """The backend vars are pickled (to Redis) at every event: the request pages keep plain
    snapshots there, never the SQLModel rows they were read from (nor rows tied to a session)."""
    from portal.pages.desk import DeskState
    from portal.pages.requests import RequestsState

    request = _seeded_request(col(ServiceRequest.title).like("Copia%"))
    with session_scope() as db:  # files in the thread and beside it, so both kinds are shown
        message_id = db.exec(select(RequestMessage.id).where(RequestMessage.request_id == request.id)).first()
        files = [
            RequestAttachment(
                request_id=request.id,
                message_id=in_message,
                storage_key=secrets.token_hex(16),
                display_name=f"{name}.pdf",
                content_type="application/pdf",
                size_bytes=10,
                sha256="0" * 64,
                uploaded_by_id=_user_id("10093"),
            )
            for name, in_message in (("in-thread", message_id), ("loose", None))
        ]
        db.add_all(files)
        db.flush()
        file_ids = [attachment.id for attachment in files]
    try:
        customer = signed_in()
        operator = signed_in("servicedesk")
        pages = []
        for browser, path, state, backend_var in (
            (customer, "/richieste", RequestsState, "_rows"),
            (customer, f"/richieste/dettaglio?codice={request.code}", RequestDetailState, "_detail"),
            (operator, "/operatore/richieste", DeskState, "_found"),
            (operator, f"/operatore/richieste/dettaglio?codice={request.code}", DeskDetailState, "_detail"),
        ):
            browser.visit(path)
            browser.run(state, "load")
            page = browser.state(state)
            assert getattr(page, backend_var), f"{path}: nothing read into {backend_var}"
            pages.append((path, page))
        for path, page in pages[1::2]:  # the request's page, as the customer and as the desk see it
            assert [item.name for message in page.thread for item in message.files] == ["in-thread.pdf"], path
            assert [item.name for item in page.loose_files] == ["loose.pdf"], path
            assert page.history, path
        kept = []
        for path, page in pages:  # what pickling the state stores: its own fields, the backend vars among them
            backend = {name: value for name, value in page.__getstate__().items() if name.startswith("_")}
            assert {"_rows", "_found", "_detail"} & backend.keys(), f"{path}: its list or request is not pickled"
            kept.extend(orm_objects(backend, path))
        assert kept == []
    finally:
        with session_scope() as db:
            for attachment_id in file_ids:
                db.delete(db.get(RequestAttachment, attachment_id))
