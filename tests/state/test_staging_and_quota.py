"""Issue 11, findings 7 and 8 through the states: uploads are copied and hashed in a worker thread
(never on the event loop), the customer's quota answers next to the field, and a request's files
leave the form only once the request is committed."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import threading
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import col, select

from portal.db import session_scope
from portal.models import Customer, RequestAttachment, ServiceRequest
from portal.pages.new_request import NewRequestState
from portal.services.requests import attachments as files
from portal.services.requests import tickets

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 3000


@pytest.fixture
def folders(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "portal.services.requests.attachments.settings", dataclasses.replace(files.settings, private_dir=tmp_path)
    )
    return tmp_path


def _upload(browser, name: str = "scan.png"):
    """The upload handler as the framework runs it: awaited on an event loop."""
    return asyncio.run(browser.run(NewRequestState, "upload", [rx.UploadFile(file=io.BytesIO(PNG), path=Path(name))]))


def _other_form(signed_in):
    browser = signed_in()
    browser.visit("/richieste/nuova?modulo=other")
    browser.run(NewRequestState, "load")
    return browser, browser.state(NewRequestState)


def test_uploads_are_copied_and_hashed_off_the_event_loop(signed_in, folders, monkeypatch):
    browser, form = _other_form(signed_in)
    seen: list[tuple[int, bool]] = []
    real_stage = files.stage

    def watched(**arguments):
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        seen.append((threading.get_ident(), on_loop))
        return real_stage(**arguments)

    monkeypatch.setattr(files, "stage", watched)
    _upload(browser)
    assert [item.name for item in form.attachment_names] == ["scan.png"]
    assert seen and all(not on_loop and ident != threading.get_ident() for ident, on_loop in seen)


def test_the_customer_quota_answers_next_to_the_field(signed_in, folders, monkeypatch):
    browser, form = _other_form(signed_in)
    monkeypatch.setattr(files, "QUOTA", files.Quota(bytes_per_customer=1))  # already used up by the demo's files
    _upload(browser, "big.png")
    assert form.attachment_error == (
        "«big.png» non può essere caricato: lo spazio per gli allegati del cliente (0 MB in tutto) è esaurito. "
        "Per inviare altri file contatta il servizio clienti."
    )
    assert form.attachment_names == [] and list(files.staging(folders).iterdir()) == []


def test_a_failed_submission_keeps_the_files_in_the_form_and_stores_nothing(signed_in, folders, monkeypatch):
    browser, form = _other_form(signed_in)
    _upload(browser)
    staged_keys = [path.name for path in files.staging(folders).iterdir()]
    form.values = {**form.values, "request_type": form.specs[0].options[1].value, "message": "Una domanda"}
    real_open = tickets.open_from_form

    def fails_before_the_commit(**arguments):
        real_open(**arguments)  # every row written and the files' rows too...
        raise RuntimeError("the database went away")  # ...then the transaction fails

    monkeypatch.setattr("portal.pages.new_request.tickets.open_from_form", fails_before_the_commit)
    with session_scope() as db:
        before = db.exec(select(col(ServiceRequest.id)).order_by(col(ServiceRequest.id).desc())).first()
    with pytest.raises(RuntimeError):
        browser.run(NewRequestState, "submit", {})
    with session_scope() as db:
        assert db.exec(select(ServiceRequest).where(col(ServiceRequest.id) > (before or 0))).all() == []
        assert db.exec(select(RequestAttachment).where(col(RequestAttachment.storage_key).in_(staged_keys))).all() == []
    assert list(files.stored(folders).iterdir()) == []
    assert [item.name for item in form.attachment_names] == ["scan.png"]  # still there, to send again
    assert [path.name for path in files.staging(folders).iterdir()] == staged_keys

    monkeypatch.setattr("portal.pages.new_request.tickets.open_from_form", real_open)
    browser.run(NewRequestState, "submit", {})
    assert form.attachment_names == [] and list(files.staging(folders).iterdir()) == []
    with session_scope() as db:
        row = db.exec(select(RequestAttachment).where(col(RequestAttachment.storage_key).in_(staged_keys))).one()
    assert (files.stored(folders) / row.storage_key).read_bytes() == PNG


def test_a_reply_page_with_no_request_open_stages_nothing(signed_in, folders):
    """Another customer's request in the address: the page opens nothing, and an upload sent to it
    anyway has no thread to join, so nothing is staged (issue 11, the upload attack set)."""
    from portal.pages.request_detail import RequestDetailState

    with session_scope() as db:
        others = db.exec(
            select(ServiceRequest.code)
            .join(Customer, col(Customer.id) == col(ServiceRequest.customer_id))
            .where(Customer.code != "10093")
        ).first()
    assert others is not None
    browser = signed_in()
    browser.visit(f"/richieste/dettaglio?codice={others}")
    browser.run(RequestDetailState, "load")
    asyncio.run(browser.run(RequestDetailState, "upload", [rx.UploadFile(file=io.BytesIO(PNG), path=Path("foto.png"))]))
    page = browser.state(RequestDetailState)
    assert page.attachment_names == [] and list(files.staging(folders).iterdir()) == []
