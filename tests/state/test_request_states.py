"""Request screens: the generic form state, the thread, the service desk, the bell, the preview."""

from __future__ import annotations

from sqlmodel import select

from portal.db import session_scope
from portal.models import Notification, RequestMessage, ServiceRequest, UserAccount
from portal.pages.desk_detail import DeskDetailState
from portal.pages.form_preview import FormPreviewState
from portal.pages.new_request import NewRequestState
from portal.pages.request_detail import RequestDetailState
from portal.state.notifications import NotificationState
from tests.state.conftest import redirect_target


def _count(model) -> int:
    with session_scope() as db:
        return len(db.exec(select(model.id)).all())


def test_wrong_input_gets_messages_and_stores_nothing(signed_in):
    browser = signed_in()
    browser.visit("/richieste/nuova?modulo=address_change")
    browser.run(NewRequestState, "load")
    page = browser.state(NewRequestState)
    assert page.form_found and page.computed["current_address"].startswith("Via Lorenzo il Magnifico 18")
    before = _count(ServiceRequest)
    browser.run(NewRequestState, "set_field", "start_date", "2001-01-01")
    browser.run(NewRequestState, "submit", {})
    assert page.errors == {"start_date": "La data non può essere nel passato.", "new_address": "Campo obbligatorio."}
    assert page.form_error == "Controlla i campi evidenziati." and _count(ServiceRequest) == before
    browser.run(NewRequestState, "set_field", "new_address", "x" * 201)
    assert "new_address" not in page.errors  # changing a field clears its message
    browser.run(NewRequestState, "submit", {})
    assert page.errors["new_address"] == "Massimo 200 caratteri." and _count(ServiceRequest) == before


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
    result = browser.run(NewRequestState, "submit", {})
    code = redirect_target(result).split("codice=")[1]
    with session_scope() as db:
        request = db.exec(select(ServiceRequest).where(ServiceRequest.code == code)).one()
        assert request.form_key == "iban_change" and request.contract_id is not None
        assert request.title == "Modifica banca appoggio / IBAN – contratto 90317"
        assert [e["value"] for e in request.payload["fields"] if e["key"] == "new_iban"] == ["IT40S0542811101000000123456"]
        assert db.exec(select(RequestMessage.body).where(RequestMessage.request_id == request.id)).all() == ["Nuovo conto aziendale"]


def test_a_foreign_contract_sent_by_the_browser_is_refused(signed_in):
    browser = signed_in()
    browser.visit("/richieste/nuova?modulo=iban_change")
    browser.run(NewRequestState, "load")
    before = _count(ServiceRequest)
    page = browser.state(NewRequestState)
    page.values = {**page.values, "contract": "88120", "new_iban": "IT40S0542811101000000123456", "start_date": "2030-01-01"}
    browser.run(NewRequestState, "submit", {})
    assert page.errors["contract"] == "Scegli una delle voci proposte." and _count(ServiceRequest) == before


def test_sub_user_without_the_right_cannot_submit(signed_in):
    with session_scope() as db:
        user = db.exec(select(UserAccount).where(UserAccount.username == "10093.1")).one()
        user.may_submit_requests = False
        db.add(user)
    try:
        browser = signed_in("10093.1")
        browser.visit("/richieste/nuova?modulo=other")
        browser.run(NewRequestState, "load")
        page = browser.state(NewRequestState)
        assert page.form_found is False
        page.form_key, page.values = "other", {"request_type": "other", "message": "ciao"}
        before = _count(ServiceRequest)
        browser.run(NewRequestState, "submit", {})
        assert _count(ServiceRequest) == before
        # nor write in the thread of a request the sub-user can read (the van's IBAN change)
        with session_scope() as db:
            code = db.exec(select(ServiceRequest.code).where(ServiceRequest.form_key == "iban_change")).first()
        browser.visit(f"/richieste/dettaglio?codice={code}")
        browser.run(RequestDetailState, "load")
        thread = browser.state(RequestDetailState)
        assert thread.found and thread.may_reply is False
        messages = _count(RequestMessage)
        browser.run(RequestDetailState, "reply", {"body": "scrivo lo stesso"})
        assert _count(RequestMessage) == messages
    finally:
        with session_scope() as db:
            user = db.exec(select(UserAccount).where(UserAccount.username == "10093.1")).one()
            user.may_submit_requests = True
            db.add(user)


def test_thread_reply_and_other_customers_request(signed_in):
    with session_scope() as db:
        code = db.exec(select(ServiceRequest.code).where(ServiceRequest.title.like("Copia%"))).one()
    browser = signed_in()
    browser.visit(f"/richieste/dettaglio?codice={code}")
    browser.run(RequestDetailState, "load")
    page = browser.state(RequestDetailState)
    assert page.found and page.info["code"] == code and page.thread[0]["desk"] == ""
    assert {"label": "Richieste default", "value": "Copia del contratto"} in page.payload_rows  # seeded through the engine
    browser.run(RequestDetailState, "reply", {"body": ""})
    assert page.reply_error == "Scrivi un messaggio o allega un file."
    browser.run(RequestDetailState, "reply", {"body": "Grazie, attendiamo."})
    assert page.thread[-1]["body"] == "Grazie, attendiamo."
    stranger = signed_in("20417")
    stranger.visit(f"/richieste/dettaglio?codice={code}")
    stranger.run(RequestDetailState, "load")
    other = stranger.state(RequestDetailState)
    assert other.found is False and other.thread == [] and other.info == {}


def test_service_desk_update_reaches_the_customers_bell(signed_in):
    with session_scope() as db:
        code = db.exec(select(ServiceRequest.code).where(ServiceRequest.form_key == "iban_change")).first()
    customer = signed_in()
    customer.run(NotificationState, "refresh")
    unread_before = customer.state(NotificationState).unread
    operator = signed_in("servicedesk")
    operator.visit(f"/operatore/richieste/dettaglio?codice={code}")
    operator.run(DeskDetailState, "load")
    operator.run(DeskDetailState, "update", {"body": "", "status": operator.state(DeskDetailState).info["status"]})
    assert operator.state(DeskDetailState).reply_error == "Scrivi una risposta, allega un file o cambia lo stato."
    operator.run(DeskDetailState, "update", {"body": "Abbiamo registrato il nuovo IBAN.", "status": "resolved"})
    assert operator.state(DeskDetailState).info["status"] == "resolved"
    customer.run(NotificationState, "refresh")
    bell = customer.state(NotificationState)
    assert bell.unread == unread_before + 1 and bell.latest[0]["subject"].startswith(f"{code} – ")
    result = customer.run(NotificationState, "open_notice", bell.latest[0]["id"])
    assert redirect_target(result) == f"/richieste/dettaglio?codice={code}"
    assert customer.state(NotificationState).unread == unread_before
    # a customer cannot use the desk
    customer.visit(f"/operatore/richieste/dettaglio?codice={code}")
    assert redirect_target(customer.run(DeskDetailState, "load")) == f"/richieste/dettaglio?codice={code}"
    with session_scope() as db:
        assert db.exec(select(Notification).where(Notification.body == "intrusion")).first() is None


def test_form_preview_validates_live_and_stores_nothing(signed_in):
    operator = signed_in("servicedesk")
    operator.visit("/operatore/anteprima-moduli?modulo=machine_ticket")
    operator.run(FormPreviewState, "load")
    page = operator.state(FormPreviewState)
    assert page.form_found and page.form_key == "machine_ticket"
    before = _count(ServiceRequest)
    operator.run(FormPreviewState, "set_field", "contacts", "non valido")
    assert page.errors["contacts"] == "L'indirizzo «non» non è valido."
    operator.run(FormPreviewState, "choose_customer", "10093")
    for key, value in {"ticket_type": "fault", "machine": "166030", "subject": "Prova", "machine_status": "stopped",
                       "description": "Prova", "contacts": "a@b.it"}.items():
        operator.run(FormPreviewState, "set_field", key, value)
    operator.run(FormPreviewState, "try_submit", {})
    assert page.preview_ok.startswith("Tutti i campi sono validi") and _count(ServiceRequest) == before
    customer = signed_in()
    customer.visit("/operatore/anteprima-moduli")
    assert redirect_target(customer.run(FormPreviewState, "load")) == "/"


def test_each_page_stages_files_by_its_own_rule(signed_in, tmp_path, monkeypatch):
    """The staging code is shared, but each page's state holds its own rule and its own files."""
    import asyncio
    import dataclasses
    import io
    from pathlib import Path

    import reflex as rx

    from portal.services import attachments as files

    monkeypatch.setattr("portal.services.attachments.settings", dataclasses.replace(files.settings, private_dir=tmp_path))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 3000
    browser = signed_in()
    browser.visit("/richieste/nuova?modulo=address_change")
    browser.run(NewRequestState, "load")
    form = browser.state(NewRequestState)
    assert not form.allows_attachments and form.accept == {}
    asyncio.run(browser.run(NewRequestState, "upload", [rx.UploadFile(file=io.BytesIO(png), path=Path("a.png"))]))
    assert form.attachment_names == []  # a form without attachments takes none, whatever the browser sends

    browser.visit("/richieste/nuova?modulo=other")
    browser.run(NewRequestState, "load")
    assert form.allows_attachments and set(form.accept) == {"application/pdf", "image/jpeg", "image/png", "image/gif",
                                                             "image/webp", "image/heic"}
    assert form.attachment_rule_text == "Ammessi: PDF fino a 10 MB, immagini fino a 10 MB; al massimo 5 file."
    asyncio.run(browser.run(NewRequestState, "upload", [rx.UploadFile(file=io.BytesIO(png), path=Path("../scan.png"))]))
    assert [item["name"] for item in form.attachment_names] == ["scan.png"]

    with session_scope() as db:
        code = db.exec(select(ServiceRequest.code).join(UserAccount, UserAccount.id == ServiceRequest.created_by_id)
                       .where(UserAccount.username == "10093")).first()
    browser.visit(f"/richieste/dettaglio?codice={code}")
    browser.run(RequestDetailState, "load")
    thread = browser.state(RequestDetailState)
    assert thread.allows_attachments and "video/mp4" in thread.accept
    assert thread.attachment_names == [] and [item["name"] for item in form.attachment_names] == ["scan.png"]
