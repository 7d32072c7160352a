"""Requests in Chromium: every self-service form (wrong input first), attachments, the service
desk answering from a second browser, the customer's bell and e-mail, broadcasts, the form
preview, a form added by definition only, and what another customer cannot read."""

from __future__ import annotations

import datetime as dt
import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import db_rows, signed_in_page, visit, wait_ready

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 3000
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 3000
BIG_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * (11 * 1024 * 1024)


def _count(app, sql: str, **params) -> int:
    return db_rows(app, sql, **params)[0][0]


def _open_form(page, app, key: str):
    visit(page, app, f"/richieste/nuova?modulo={key}")
    expect(page.locator("#form-submit")).to_be_visible()


def _submit_expecting_errors(page, app, required: list[str]):
    before = _count(app, "select count(*) from service_request")
    page.locator("#form-submit").click()
    expect(page.locator("#form-error")).to_have_text("Controlla i campi evidenziati.")
    for key in required:
        expect(page.locator(f"#field-{key}-error")).to_be_visible()
    assert _count(app, "select count(*) from service_request") == before


def _submit_and_get_code(page) -> str:
    page.locator("#form-submit").click()
    page.wait_for_url(re.compile(r"/richieste/dettaglio/?\?codice=RIC-"))
    return re.search(r"codice=(RIC-\d{4}-\d{6})", page.url).group(1)


def _future(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def test_iban_and_address_forms(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    page.locator("#self-service").get_by_role("link", name="Fai richiesta: Modifica banca appoggio / IBAN").click()
    page.wait_for_url("**/richieste/nuova**")
    wait_ready(page)
    _submit_expecting_errors(page, app, ["contract", "new_iban", "start_date"])
    page.locator("#field-contract").select_option("90317")
    expect(page.locator("#field-current_iban")).to_have_text("IT60 X054 2811 1010 0000 0123 456")
    page.locator("#field-new_iban").fill("DE89370400440532013000")
    page.locator("#field-start_date").fill(_future(20))
    page.locator("#form-submit").click()
    expect(page.locator("#field-new_iban-error")).to_contain_text("IBAN estero")
    page.get_by_label("IBAN estero").click()
    code = _submit_and_get_code(page)
    payload = db_rows(app, "select form_key, status from service_request where code = :c", c=code)[0]
    assert payload == ("iban_change", "submitted")
    expect(page.locator(".request-answers")).to_contain_text("DE89 3704 0044 0532 0130 00")

    _open_form(page, app, "address_change")
    expect(page.locator("#field-current_address")).to_contain_text("Via Lorenzo il Magnifico 18")
    page.locator("#field-start_date").fill("2001-01-01")
    _submit_expecting_errors(page, app, ["new_address", "start_date"])
    expect(page.locator("#field-start_date-error")).to_have_text("La data non può essere nel passato.")
    page.locator("#field-start_date").fill(_future(30))
    page.locator("#field-new_address").fill("Viale dei Mille 5, Firenze, FI, Italia")
    code = _submit_and_get_code(page)
    assert db_rows(app, "select form_key from service_request where code = :c", c=code)[0][0] == "address_change"


def test_other_request_with_attachments(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    _open_form(page, app, "other")
    _submit_expecting_errors(page, app, ["request_type", "message"])
    page.locator("#field-request_type").select_option("invoice_copy")
    page.locator("#field-message").fill("x" * 501)
    assert len(page.locator("#field-message").input_value()) == 500  # the field stops at 500 (the server checks too)
    page.locator("#field-message").fill("Mi serve il duplicato della fattura di ottobre.")
    upload = page.locator("input[type=file]")
    upload.set_input_files(files=[{"name": "virus.jpg", "mimeType": "image/jpeg", "buffer": EXE}])
    expect(page.locator("#attachment-error")).to_contain_text("non è un tipo di file ammesso")
    upload.set_input_files(files=[{"name": "enorme.jpg", "mimeType": "image/jpeg", "buffer": BIG_JPEG}])
    expect(page.locator("#attachment-error")).to_contain_text("supera il limite di 10 MB")
    upload.set_input_files(files=[{"name": "../scansione.png", "mimeType": "image/png", "buffer": PNG}])
    expect(page.locator(".staged-attachment")).to_contain_text("scansione.png")
    code = _submit_and_get_code(page)
    stored = db_rows(app, "select a.display_name, a.content_type, a.size_bytes, a.storage_key from request_attachment a "
                        "join service_request r on r.id = a.request_id where r.code = :c", c=code)
    assert [(name, kind, size) for name, kind, size, _ in stored] == [("scansione.png", "image/png", len(PNG))]
    assert (app.private_dir / "attachments" / "stored" / stored[0][3]).read_bytes() == PNG
    assert not list((app.private_dir / "attachments" / "staging").glob("*")) or all(
        p.stat().st_size != len(BIG_JPEG) for p in (app.private_dir / "attachments" / "staging").iterdir())
    link = page.locator(".attachment-link", has_text="scansione.png")
    response = page.request.get(app.url(link.get_attribute("href")))
    assert response.status == 200 and response.body() == PNG


def test_early_termination_with_estimate_pdf(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    _open_form(page, app, "early_termination")
    _submit_expecting_errors(page, app, ["contract", "last_instalment"])
    page.locator("#field-contract").select_option("84963")
    expect(page.locator("#field-residual_capital")).to_contain_text("€")
    page.locator("#field-last_instalment").select_option(index=2)
    expect(page.locator("#field-estimate")).to_contain_text("Importo stimato")
    href = page.locator("#form-download").get_attribute("href")
    pdf = page.request.get(app.url(href))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert pdf.status == 200 and "Stima di estinzione anticipata" in text and "84963/1" in text
    code = _submit_and_get_code(page)
    assert db_rows(app, "select form_key from service_request where code = :c", c=code)[0][0] == "early_termination"
    assert page.request.get(app.url("/api/documenti/stima-estinzione/88120/10.pdf")).status == 404


def test_machine_ticket_and_the_service_desk_answer(new_page, app, mailbox):
    customer = signed_in_page(new_page, app, mailbox)
    _open_form(customer, app, "machine_ticket")
    _submit_expecting_errors(customer, app, ["ticket_type", "machine", "subject", "machine_status", "description"])
    customer.locator("#field-ticket_type").select_option("fault")
    customer.locator("#field-machine").select_option("166030")
    customer.locator("#field-subject").fill("Panoramico non si avvia")
    customer.locator("#field-machine_status").select_option("stopped")
    customer.locator("#field-description").fill("Errore E42 all'accensione da stamattina.")
    customer.locator("#field-contacts").fill("tecnico@studio-demo.it, non-valido")
    customer.locator("#form-submit").click()
    expect(customer.locator("#field-contacts-error")).to_contain_text("non-valido")
    customer.locator("#field-contacts").fill("tecnico@studio-demo.it")
    customer.locator("input[type=file]").set_input_files(
        files=[{"name": "display.png", "mimeType": "image/png", "buffer": PNG}])
    expect(customer.locator(".staged-attachment")).to_have_count(1)
    code = _submit_and_get_code(customer)
    assert db_rows(app, "select count(*) from request_contact c join service_request r on r.id = c.request_id where r.code = :c",
                 c=code)[0][0] == 1
    visit(customer, app, "/")
    expect(customer.locator("#bell-button")).to_be_visible()
    unread_before = int(customer.locator("#bell-count").inner_text()) if customer.locator("#bell-count").count() else 0

    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    operator.get_by_role("navigation").get_by_role("link", name="Richieste").click()
    operator.wait_for_url("**/operatore/richieste**")
    wait_ready(operator)
    operator.get_by_label("Cliente o codice").fill(code)
    operator.locator("#desk-apply").click()
    expect(operator.locator(".desk-row")).to_have_count(1)
    operator.locator(".desk-row").get_by_role("link", name=code).click()
    operator.wait_for_url("**/operatore/richieste/dettaglio**")
    wait_ready(operator)
    expect(operator.locator(".request-answers")).to_contain_text("Panoramico non si avvia")
    expect(operator.locator(".attachment-link", has_text="display.png")).to_be_visible()
    owner_secondary = db_rows(app, "select coalesce(secondary_email, primary_email) from user_account where username = '10093'")[0][0]
    since = mailbox.mark()
    operator.get_by_label("Risposta al cliente").fill("Un tecnico passerà domani alle 9.")
    operator.get_by_label("Stato della richiesta").select_option("in_progress")
    operator.locator("#desk-submit").click()
    expect(operator.locator("#request-status")).to_have_text("In lavorazione")
    mail = mailbox.wait_for(owner_secondary, code, since)
    assert "Un tecnico passerà domani" in mailbox.text(mail)
    mailbox.wait_for("tecnico@studio-demo.it", code, since)

    customer.reload()
    wait_ready(customer)
    expect(customer.locator("#bell-count")).to_have_text(str(unread_before + 1))
    customer.locator("#bell-button").click()
    first = customer.locator("#bell-list .notice-item").first
    expect(first).to_contain_text(f"{code} – ")
    expect(first).to_have_attribute("data-read", "")
    first.locator("button").click()
    customer.wait_for_url(re.compile(f"codice={code}"))
    wait_ready(customer)
    expect(customer.locator("#request-thread")).to_contain_text("Un tecnico passerà domani alle 9.")
    customer.get_by_label("Il tuo messaggio").fill("Perfetto, grazie.")
    customer.locator("#reply-submit").click()
    expect(customer.locator("#request-thread")).to_contain_text("Perfetto, grazie.")


def test_another_customers_request_and_attachment_are_refused(new_page, app, mailbox):
    code, attachment_id = db_rows(app, "select r.code, a.id from request_attachment a join service_request r on r.id = a.request_id "
                                     "join customer c on c.id = r.customer_id where c.code = '10093' limit 1")[0]
    stranger = signed_in_page(new_page, app, mailbox, "20417")
    visit(stranger, app, f"/richieste/dettaglio?codice={code}")
    expect(stranger.locator("#request-not-found")).to_be_visible()
    expect(stranger.locator("#request-thread")).to_have_count(0)
    assert stranger.request.get(app.url(f"/api/allegati/{attachment_id}")).status == 404
    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    assert operator.request.get(app.url(f"/api/allegati/{attachment_id}")).status == 200
    anonymous = stranger.context.browser.new_context()
    assert anonymous.request.get(app.url(f"/api/allegati/{attachment_id}")).status == 404
    anonymous.close()


def test_broadcast_and_the_notifications_page(new_page, app, mailbox):
    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    visit(operator, app, "/operatore/comunicazioni")
    operator.locator("#broadcast-send").click()
    expect(operator.locator("#broadcast-title-error")).to_be_visible()
    operator.get_by_label("Titolo").fill("Manutenzione del portale domenica notte")
    operator.locator("#broadcast-body").fill("Il portale non sarà disponibile dalle 2 alle 4.")
    operator.locator("#broadcast-send").click()
    expect(operator.get_by_text("Comunicazione inviata.")).to_be_visible()

    customer = signed_in_page(new_page, app, mailbox, "20417")
    customer.locator("#bell-button").click()
    expect(customer.locator("#bell-list .notice-item").first).to_contain_text("Aurora Leasing – Manutenzione del portale")
    customer.locator("#bell-all").click()
    customer.wait_for_url("**/notifiche**")
    wait_ready(customer)
    expect(customer.locator(".notification-row[data-read='']").first).to_be_visible()
    customer.locator("#notifications-read-all").click()
    expect(customer.locator(".notification-row[data-read='']")).to_have_count(0)
    expect(customer.locator("#bell-count")).to_have_count(0)


def test_form_preview_validates_live(new_page, app, mailbox):
    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    visit(operator, app, "/operatore/anteprima-moduli?modulo=iban_change")
    operator.get_by_label("Modulo").select_option("iban_change")
    operator.locator("#field-new_iban").fill("IT00BROKEN")
    expect(operator.locator("#field-new_iban-error")).to_have_text("L'IBAN non è valido: controlla i caratteri.")
    before = _count(app, "select count(*) from service_request")
    operator.locator("#preview-check").click()
    expect(operator.locator("#form-error")).to_be_visible()
    assert _count(app, "select count(*) from service_request") == before


def test_a_new_form_needs_only_its_definition(new_page, app, mailbox):
    """tests/e2e/extra_form.py is the whole of this form: no page, no state, no component."""
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/richieste")
    page.locator(".form-card", has_text="Denuncia di sinistro").click()
    page.wait_for_url("**/richieste/nuova?modulo=vehicle_damage")
    wait_ready(page)
    _submit_expecting_errors(page, app, ["contract", "event_date", "place", "other_party", "account"])
    page.locator("#field-contract").select_option("97702")
    page.locator("#field-event_date").fill(_future(3))
    page.locator("#field-place").fill("Firenze, viale Europa")
    page.locator("#field-other_party").select_option("one")
    page.locator("#field-account").fill("Tamponamento a bassa velocità al semaforo.")
    page.locator("#form-submit").click()
    expect(page.locator("#field-event_date-error")).to_have_text("La data non può essere nel futuro.")
    page.locator("#field-event_date").fill((dt.date.today() - dt.timedelta(days=1)).isoformat())
    code = _submit_and_get_code(page)
    form_key, title = db_rows(app, "select form_key, title from service_request where code = :c", c=code)[0]
    assert form_key == "vehicle_damage" and title == "Denuncia di sinistro – Firenze, viale Europa"
    expect(page.locator(".request-answers")).to_contain_text("Altri veicoli coinvolti")
    expect(page.locator(".request-answers")).to_contain_text("Uno")
