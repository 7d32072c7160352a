"""Documents both ways (issue 15), walked in the browser: the service desk publishes a PDF to a
customer's contract; the customer hears of it (bell and e-mail), finds it on Documenti and on the
contract's page, and downloads it: its bytes have the SHA-256 the page shows. The desk asks for an
insurance certificate; the customer sends one with its expiry date; the desk rejects it with a
reason, the customer sends it again, the desk accepts it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets

from playwright.sync_api import expect
from reportlab.pdfgen import canvas

from tests.e2e.conftest import db_rows, max_id, open_in_new_tab, signed_in_page, visit, wait_ready
from tests.e2e.test_accessibility import assert_accessible

CUSTOMER, DESK = "10093", "servicedesk"
CONTRACT, VEHICLE = "84963", "90317"
LAURA = "laura.conti@valverde-demo.it"  # the customer's secondary address: the publication reaches it too
# Children before parents: what the walk adds, removed again after it.
TABLES = (
    "notification_read",
    "notification",
    "expiry_reminder",
    "document_upload",
    "document_ask",
    "published_document",
)


def a_pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def _drop_new_files(app, tidy) -> None:
    """The walk's stored files go with its rows (registered before the rows' own removal runs)."""
    documents, uploads = max_id(app, "published_document"), max_id(app, "document_upload")

    def drop() -> None:
        keys = db_rows(app, "select storage_key from published_document where id > :m", m=documents)
        keys += db_rows(app, "select storage_key from document_upload where id > :m", m=uploads)
        for (key,) in keys:
            (app.private_dir / "attachments" / "stored" / key).unlink(missing_ok=True)

    tidy.drop_new(*TABLES)
    tidy._undo.callback(drop)  # noqa: SLF001  (runs first: the rows still name the files)


def _upload(page, form_selector: str, name: str, body: bytes) -> None:
    page.locator(f"{form_selector} input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": body}]
    )
    expect(page.locator(f"{form_selector} .staged-attachment")).to_contain_text(name)


def test_documents_both_ways(app, mailbox, new_page, tidy):
    _drop_new_files(app, tidy)
    title = f"Allegato tecnico {secrets.token_hex(3)}"
    body = a_pdf(f"{title}: condizioni particolari")

    # --- the desk publishes a PDF to the customer's contract, from the customer's row
    desk = signed_in_page(new_page, app, mailbox, DESK)
    visit(desk, app, "/operatore/clienti")
    desk.locator(f".customer-row[data-code='{CUSTOMER}'] .customer-documents-link").click()
    desk.wait_for_url("**/operatore/documenti?cliente=10093")
    wait_ready(desk)
    expect(desk.locator("#desk-doc-customer-name")).to_contain_text("Odontoiatrica Valverde")
    assert_accessible(desk, "the desk's documents")
    desk.locator("#desk-doc-contract").select_option(label=CONTRACT)
    desk.locator("#desk-doc-title").fill(title)
    desk.locator("#desk-doc-category").select_option("annex")
    since = mailbox.mark()
    _upload(desk, "#desk-doc-publish-form", "allegato.pdf", body)
    desk.locator("#desk-doc-publish").click()
    expect(desk.locator(".published-document", has_text=title)).to_be_visible()
    [(document_id, sha256, size, contract)] = db_rows(
        app,
        "select d.id, d.sha256, d.size_bytes, c.number from published_document d "
        "join contract c on c.id = d.contract_id where d.title = :t",
        t=title,
    )
    assert (sha256, size, contract) == (hashlib.sha256(body).hexdigest(), len(body), CONTRACT)
    # the customer's readers of the contract: the main account only (the fleet manager sees the vehicles)
    assert db_rows(
        app,
        "select u.username, n.title from notification n join user_account u on u.id = n.user_id "
        "where n.kind = 'document_area' and n.title like :t order by u.username",
        t=f"%{title}",
    ) == [(CUSTOMER, f"Nuovo documento: {title}")]
    mail = mailbox.wait_for(LAURA, "Nuovo documento", since)
    assert title in mailbox.text(mail)

    # --- the customer sees the bell, finds the document, downloads it: the bytes match the SHA-256 shown
    customer = signed_in_page(new_page, app, mailbox, CUSTOMER)
    expect(customer.locator("#bell-count")).to_be_visible()
    customer.locator("#bell-button").click()
    customer.locator("#bell-list .notice-item", has_text=f"Nuovo documento: {title}").locator("button").click()
    customer.wait_for_url("**/documenti")
    wait_ready(customer)
    row = customer.locator(f".published-document[data-id='{document_id}']")
    expect(row).to_contain_text(title)
    expect(row).to_contain_text("Allegato")
    shown = row.locator(".document-sha256").inner_text().strip()
    assert shown == sha256
    received = open_in_new_tab(customer, row.locator(".published-document-link"))
    assert received.status == 200 and received.content_type == "application/pdf"
    assert hashlib.sha256(received.body).hexdigest() == shown
    assert_accessible(customer, "Documenti")
    visit(customer, app, f"/contratti?numero={CONTRACT}")
    expect(customer.locator("#contract-published-documents")).to_contain_text(title)
    expect(customer.locator("#contract-published-documents .document-sha256")).to_contain_text(sha256)

    # --- the desk asks for the insurance certificate of a vehicle
    due = app.today + dt.timedelta(days=14)
    desk.locator("#desk-ask-kind").select_option("insurance")
    desk.locator("#desk-ask-contract").select_option(label=VEHICLE)
    desk.locator("#desk-ask-note").fill("Attestato RCA in corso di validità")
    desk.locator("#desk-ask-due").fill(due.isoformat())
    since = mailbox.mark()
    desk.locator("#desk-ask-send").click()
    expect(desk.get_by_text("Richiesta inviata al cliente.")).to_be_visible()
    [(ask_id, status, due_on)] = db_rows(
        app,
        "select a.id, a.status, a.due_on from document_ask a join contract c on c.id = a.contract_id "
        "where c.number = :n and a.note = 'Attestato RCA in corso di validità'",
        n=VEHICLE,
    )
    assert (status, str(due_on)[:10]) == ("requested", due.isoformat())
    expect(desk.locator(f".desk-ask[data-id='{ask_id}']")).to_contain_text("Da inviare")
    mailbox.wait_for(LAURA, "Documento richiesto", since)

    # --- the customer sends it, with the expiry date (in the future)
    visit(customer, app, "/documenti")
    ask = customer.locator(f".document-ask[data-id='{ask_id}']")
    expect(ask).to_contain_text("Da inviare")
    ask.locator(".ask-upload-button").click()
    expect(customer.locator("#docs-upload-card")).to_be_visible()
    _upload(customer, "#docs-upload-card", "attestato.pdf", a_pdf("Attestato RCA 1"))
    assert_accessible(customer, "Documenti, sending a file")
    customer.locator("#docs-expiry").fill(app.today.isoformat())
    customer.locator("#docs-send").click()
    expect(customer.locator("#docs-expiry-error")).to_have_text("La data di scadenza deve essere futura.")
    assert db_rows(app, "select count(*) from document_upload where ask_id = :a", a=ask_id) == [(0,)]
    expires = app.today + dt.timedelta(days=200)
    customer.locator("#docs-expiry").fill(expires.isoformat())
    customer.locator("#docs-send").click()
    expect(ask).to_contain_text("Inviato, in verifica")
    assert [
        (s, str(e)[:10])
        for s, e in db_rows(
            app,
            "select a.status, u.expires_on from document_ask a join document_upload u on u.ask_id = a.id"
            " where a.id = :a",
            a=ask_id,
        )
    ] == [("uploaded", expires.isoformat())]

    # --- the desk rejects it with a reason
    visit(desk, app, "/operatore/documenti?cliente=10093")
    line = desk.locator(f".desk-ask[data-id='{ask_id}']")
    expect(line).to_contain_text("Inviato, in verifica")
    expect(line.locator(".ask-file")).to_have_text("attestato.pdf")
    line.locator(".ask-reject").click()  # no reason: refused
    expect(desk.get_by_text("Indica il motivo del rifiuto.")).to_be_visible()
    assert db_rows(app, "select status from document_ask where id = :a", a=ask_id) == [("uploaded",)]
    since = mailbox.mark()
    line.locator("input[name=reason]").fill("La targa non è leggibile")
    line.locator(".ask-reject").click()
    expect(line).to_contain_text("Rifiutato")
    assert db_rows(app, "select status, rejection_reason from document_ask where id = :a", a=ask_id) == [
        ("rejected", "La targa non è leggibile")
    ]
    mailbox.wait_for(LAURA, "Documento rifiutato", since)

    # --- the customer is told, and sends it again
    visit(customer, app, "/documenti")
    expect(customer.locator("#bell-count")).to_be_visible()
    expect(ask).to_contain_text("La targa non è leggibile")
    ask.locator(".ask-upload-button").click()
    _upload(customer, "#docs-upload-card", "attestato-nuovo.pdf", a_pdf("Attestato RCA 2"))
    customer.locator("#docs-expiry").fill(expires.isoformat())
    customer.locator("#docs-send").click()
    expect(ask).to_contain_text("Inviato, in verifica")
    assert db_rows(app, "select display_name from document_upload where ask_id = :a order by id", a=ask_id) == [
        ("attestato.pdf",),
        ("attestato-nuovo.pdf",),
    ]

    # --- the desk accepts it; the customer hears of it
    visit(desk, app, "/operatore/documenti?cliente=10093")
    expect(line.locator(".ask-file")).to_have_text("attestato-nuovo.pdf")
    since = mailbox.mark()
    line.locator(".ask-accept").click()
    expect(line).to_contain_text("Accettato")
    assert db_rows(app, "select status from document_ask where id = :a", a=ask_id) == [("accepted",)]
    mailbox.wait_for(LAURA, "Documento accettato", since)
    visit(customer, app, "/documenti")
    expect(ask).to_contain_text("Accettato")
    expect(ask.locator(".ask-upload-button")).to_have_count(0)
    customer.locator("#bell-button").click()
    expect(customer.locator("#bell-list .notice-item").first).to_contain_text("Documento accettato")
