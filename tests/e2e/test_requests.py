"""Requests in Chromium: every self-service form (wrong input first), attachments and their limit,
the acknowledgement e-mail, the customer's list and its filters, the service desk's queue (filters,
order, pages) and answer from a second browser, files both ways, the status history, the bell and
e-mail, broadcasts, the form preview, a form added by definition only, and what another customer
cannot read."""

from __future__ import annotations

import datetime as dt
import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from tests.e2e.conftest import (
    confirm_identity,
    db_rows,
    italian_today,
    max_id,
    normalise,
    open_in_new_tab,
    signed_in_page,
    unread_notices,
    visit,
    wait_ready,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 3000
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 3000
BIG_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * (11 * 1024 * 1024)
# What the badges and the status filters say (it.py), typed here as the user reads them.
STATUS_LABELS = {
    "submitted": "Inviata",
    "in_progress": "In lavorazione",
    "waiting_customer": "In attesa di risposta",
    "resolved": "Evasa",
    "rejected": "Respinta",
}
CLOSED = ("resolved", "rejected")
PAGE_SIZE = 20
NEWEST_FIRST = " order by r.updated_at desc, r.id desc"


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _blank_pdf()


def _open_form(page, app, key: str):
    visit(page, app, f"/richieste/nuova?modulo={key}")
    expect(page.locator("#form-submit")).to_be_visible()


def _submit_expecting_errors(page, app, required: list[str]):
    mark = max_id(app, "service_request")
    page.locator("#form-submit").click()
    expect(page.locator("#form-error")).to_have_text("Controlla i campi evidenziati.")
    for key in required:
        expect(page.locator(f"#field-{key}-error")).to_be_visible()
    assert db_rows(app, "select count(*) from service_request where id > :m", m=mark) == [(0,)]


def _submit_and_get_code(page) -> str:
    page.locator("#form-submit").click()
    page.wait_for_url(re.compile(r"/richieste/dettaglio/?\?codice=RIC-"))
    code = re.search(r"codice=(RIC-\d{4}-\d{6})", page.url).group(1)
    # the page has loaded the request (a redirect inside the app keeps the page hydrated all along)
    expect(page.get_by_role("heading", name=f"Richiesta {code}")).to_be_visible()
    return code


def _future(days: int) -> str:
    return (italian_today() + dt.timedelta(days=days)).isoformat()


def _open_on_desk(operator, code: str) -> None:
    """The service desk finds a request by its code in the queue and opens it."""
    operator.get_by_role("navigation").get_by_role("link", name="Richieste").click()
    operator.wait_for_url("**/operatore/richieste**")
    wait_ready(operator)
    operator.get_by_label("Cliente o codice").fill(code)
    operator.locator("#desk-apply").click()
    expect(operator.locator(".desk-row")).to_have_count(1)
    operator.locator(".desk-row").get_by_role("link", name=code).click()
    operator.wait_for_url("**/operatore/richieste/dettaglio**")
    wait_ready(operator)


def _codes(page, row_class: str) -> list[str]:
    return page.locator(row_class).evaluate_all("rows => rows.map(r => r.dataset.code)")


def _badges(page, row_class: str) -> list[str]:
    return [normalise(text) for text in page.locator(f"{row_class} td:nth-last-child(2)").all_inner_texts()]


def test_iban_and_address_forms(new_page, app, mailbox, tidy):
    tidy.drop_new_requests()
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
    page.locator("#form-submit").click()  # issue 11: the IBAN changes after the password and a code again
    confirm_identity(page, app, mailbox)
    since = mailbox.mark()
    code = _submit_and_get_code(page)
    payload = db_rows(app, "select form_key, status, title from service_request where code = :c", c=code)[0]
    title = "Modifica banca appoggio / IBAN – contratto 90317"
    assert payload == ("iban_change", "submitted", title)
    expect(page.locator(".request-answers")).to_contain_text("DE89 3704 0044 0532 0130 00")

    # the acknowledgement: to the author's secondary address (the primary when there is none)
    (address,) = db_rows(
        app, "select coalesce(secondary_email, primary_email) from user_account where username = '10093'"
    )[0]
    ack = mailbox.wait_for(address, code, since)
    assert ack["Subject"] == f"{code} – {title}"
    text = normalise(mailbox.text(ack))
    assert f"richiesta {code} «{title}»: stato Inviata." in text
    assert f"abbiamo ricevuto la richiesta {code}: ti scriveremo qui a ogni aggiornamento." in text
    assert f"{app.base_url}/richieste/dettaglio?codice={code}" in text

    _open_form(page, app, "address_change")
    expect(page.locator("#field-current_address")).to_contain_text("Via Lorenzo il Magnifico 18")
    page.locator("#field-start_date").fill("2001-01-01")
    _submit_expecting_errors(page, app, ["new_address", "start_date"])
    expect(page.locator("#field-start_date-error")).to_have_text("La data non può essere nel passato.")
    page.locator("#field-start_date").fill(_future(30))
    page.locator("#field-new_address").fill("Viale dei Mille 5, Firenze, FI, Italia")
    code = _submit_and_get_code(page)
    assert db_rows(app, "select form_key from service_request where code = :c", c=code) == [("address_change",)]


def test_other_request_with_attachments(new_page, app, mailbox, tidy):
    tidy.drop_new_requests()
    page = signed_in_page(new_page, app, mailbox)
    _open_form(page, app, "other")
    _submit_expecting_errors(page, app, ["request_type", "message"])
    page.locator("#field-request_type").select_option("invoice_copy")
    page.locator("#field-message").fill("x" * 501)
    assert len(page.locator("#field-message").input_value()) == 500  # the field stops at 500 (the server checks too)
    page.locator("#field-message").fill("Mi serve il duplicato della fattura di ottobre.")
    staging = app.private_dir / "attachments" / "staging"
    upload = page.locator("input[type=file]")
    upload.set_input_files(files=[{"name": "virus.jpg", "mimeType": "image/jpeg", "buffer": EXE}])
    expect(page.locator("#attachment-error")).to_contain_text("non è un tipo di file ammesso")
    upload.set_input_files(files=[{"name": "enorme.jpg", "mimeType": "image/jpeg", "buffer": BIG_JPEG}])
    expect(page.locator("#attachment-error")).to_contain_text("supera il limite di 10 MB")
    assert [p for p in staging.glob("*") if p.stat().st_size >= 10 * 1024 * 1024] == []  # nothing of it stays
    upload.set_input_files(files=[{"name": "../scansione.png", "mimeType": "image/png", "buffer": PNG}])
    expect(page.locator(".staged-attachment")).to_contain_text("scansione.png")
    code = _submit_and_get_code(page)
    stored = db_rows(
        app,
        "select a.display_name, a.content_type, a.size_bytes, a.storage_key from request_attachment a "
        "join service_request r on r.id = a.request_id where r.code = :c",
        c=code,
    )
    assert [(name, kind, size) for name, kind, size, _ in stored] == [("scansione.png", "image/png", len(PNG))]
    assert (app.private_dir / "attachments" / "stored" / stored[0][3]).read_bytes() == PNG

    opened = open_in_new_tab(page, page.locator(".attachment-link", has_text="scansione.png"))
    assert (opened.status, opened.content_type, opened.body) == (200, "image/png", PNG)
    assert opened.disposition == 'inline; filename="scansione.png"'


def test_early_termination_with_estimate_pdf(new_page, app, mailbox, tidy):
    tidy.drop_new_requests()
    page = signed_in_page(new_page, app, mailbox)
    _open_form(page, app, "early_termination")
    _submit_expecting_errors(page, app, ["contract", "last_instalment"])
    page.locator("#field-contract").select_option("84963")
    expect(page.locator("#field-residual_capital")).to_contain_text("€")
    instalment = page.locator("#field-last_instalment option").nth(2).get_attribute("value")
    page.locator("#field-last_instalment").select_option(instalment)
    expect(page.locator("#field-estimate")).to_contain_text("Importo stimato")
    expect(page.locator("#form-download")).to_have_attribute(
        "href", f"/api/documenti/stima-estinzione/84963/{instalment}.pdf"
    )
    estimate = open_in_new_tab(page, page.locator("#form-download"))
    assert estimate.url == app.url(f"/api/documenti/stima-estinzione/84963/{instalment}.pdf")
    assert (estimate.status, estimate.content_type) == (200, "application/pdf")
    assert estimate.disposition == 'inline; filename="stima-estinzione-84963.pdf"'
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(estimate.body)).pages)
    assert "Stima di estinzione anticipata" in text and "84963/1" in text
    code = _submit_and_get_code(page)
    assert db_rows(app, "select form_key from service_request where code = :c", c=code) == [("early_termination",)]
    # another customer's contract, by address: refused as if it did not exist
    assert page.request.get(app.url("/api/documenti/stima-estinzione/88120/10.pdf")).status == 404


def test_machine_ticket_and_the_service_desk_answer(new_page, app, mailbox, tidy):
    tidy.drop_new_requests()
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
    # the message goes once the portal has the corrected address, as the user sees it go before sending
    expect(customer.locator("#field-contacts-error")).to_be_hidden()
    customer.locator("input[type=file]").set_input_files(
        files=[{"name": "display.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(customer.locator(".staged-attachment")).to_have_count(1)
    code = _submit_and_get_code(customer)
    assert db_rows(
        app,
        "select c.email from request_contact c join service_request r on r.id = c.request_id where r.code = :c",
        c=code,
    ) == [("tecnico@studio-demo.it",)]
    visit(customer, app, "/")
    unread_before = unread_notices(app, "10093")
    expect(customer.locator("#bell-count")).to_have_text(str(unread_before))

    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    _open_on_desk(operator, code)
    expect(operator.locator(".request-answers")).to_contain_text("Panoramico non si avvia")
    expect(operator.locator(".attachment-link", has_text="display.png")).to_be_visible()
    (owner_address,) = db_rows(
        app, "select coalesce(secondary_email, primary_email) from user_account where username = '10093'"
    )[0]
    since = mailbox.mark()
    operator.get_by_label("Risposta al cliente").fill("Un tecnico passerà domani alle 9.")
    operator.get_by_label("Stato della richiesta").select_option("in_progress")
    operator.locator("#desk-submit").click()
    expect(operator.locator("#request-status")).to_have_text("In lavorazione")
    mail = mailbox.wait_for(owner_address, code, since)
    assert "Un tecnico passerà domani" in mailbox.text(mail)
    mailbox.wait_for("tecnico@studio-demo.it", code, since)
    assert unread_notices(app, "10093") == unread_before + 1

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


def test_files_in_a_reply_and_in_the_desk_answer_and_the_status_history(new_page, app, mailbox, tidy):
    """Five files at most in a message: the sixth is refused; the desk answers with a PDF the
    customer opens; every change of status is in the history, with who made it."""
    tidy.drop_new_requests()
    customer = signed_in_page(new_page, app, mailbox)
    _open_form(customer, app, "other")
    customer.locator("#field-request_type").select_option("interest_certificate")
    customer.locator("#field-message").fill("Ci serve la certificazione degli interessi dell'anno scorso.")
    code = _submit_and_get_code(customer)

    photos = [{"name": f"foto-{n}.png", "mimeType": "image/png", "buffer": PNG + bytes([n])} for n in range(1, 7)]
    customer.locator("input[type=file]").set_input_files(files=photos)
    expect(customer.locator("#attachment-error")).to_have_text("Puoi allegare al massimo 5 file.")
    expect(customer.locator(".staged-attachment")).to_have_count(5)
    expect(customer.locator(".staged-attachment", has_text="foto-6.png")).to_have_count(0)
    customer.get_by_label("Il tuo messaggio").fill("Vi allego le foto dei documenti che abbiamo.")
    customer.locator("#reply-submit").click()
    reply = customer.locator(".thread-message", has_text="Vi allego le foto")
    expect(reply.locator(".attachment-link")).to_have_count(5)
    expect(customer.locator(".staged-attachment")).to_have_count(0)
    files = db_rows(
        app,
        "select a.display_name, a.content_type, a.size_bytes, u.username, m.from_service_desk "
        "from request_attachment a join service_request r on r.id = a.request_id "
        "join request_message m on m.id = a.message_id join user_account u on u.id = a.uploaded_by_id "
        "where r.code = :c order by a.id",
        c=code,
    )
    assert files == [(f"foto-{n}.png", "image/png", len(PNG) + 1, "10093", 0) for n in range(1, 6)]
    photo = open_in_new_tab(customer, reply.locator(".attachment-link", has_text="foto-3.png"))
    assert (photo.status, photo.content_type, photo.body) == (200, "image/png", PNG + bytes([3]))

    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    _open_on_desk(operator, code)
    expect(operator.locator(".thread-message", has_text="Vi allego le foto").locator(".attachment-link")).to_have_count(
        5
    )
    operator.get_by_label("Risposta al cliente").fill("Ecco la certificazione: ci confermate che è corretta?")
    operator.locator("input[type=file]").set_input_files(
        files=[{"name": "certificazione.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(operator.locator(".staged-attachment")).to_have_count(1)
    operator.get_by_label("Stato della richiesta").select_option("waiting_customer")
    operator.locator("#desk-submit").click()
    expect(operator.locator("#request-status")).to_have_text("In attesa di risposta")
    assert db_rows(
        app,
        "select a.display_name, a.content_type, a.size_bytes, u.username, m.from_service_desk "
        "from request_attachment a join service_request r on r.id = a.request_id "
        "join request_message m on m.id = a.message_id join user_account u on u.id = a.uploaded_by_id "
        "where r.code = :c and a.display_name = 'certificazione.pdf'",
        c=code,
    ) == [("certificazione.pdf", "application/pdf", len(PDF), "servicedesk", 1)]

    customer.reload()
    wait_ready(customer)
    expect(customer.locator("#request-status")).to_have_text("In attesa di risposta")
    answer = customer.locator(".thread-message", has_text="Ecco la certificazione")
    expect(answer).to_contain_text("Servizio clienti")
    certificate = open_in_new_tab(customer, answer.locator(".attachment-link", has_text="certificazione.pdf"))
    assert (certificate.status, certificate.content_type, certificate.body) == (200, "application/pdf", PDF)
    # answering a request that waits for the customer puts it back to work
    customer.get_by_label("Il tuo messaggio").fill("Confermiamo, grazie.")
    customer.locator("#reply-submit").click()
    expect(customer.locator("#request-status")).to_have_text("In lavorazione")

    history = db_rows(
        app,
        "select h.to_status, u.first_name || ' ' || u.last_name from request_status_change h "
        "join service_request r on r.id = h.request_id join user_account u on u.id = h.changed_by_id "
        "where r.code = :c order by h.created_at, h.id",
        c=code,
    )
    assert history == [
        ("submitted", "Laura Conti"),
        ("waiting_customer", "Chiara Lombardi"),
        ("in_progress", "Laura Conti"),
    ]
    lines = customer.locator("#request-history li")
    expect(lines).to_have_count(3)
    shown = [normalise(text).split(" · ")[1:] for text in lines.all_inner_texts()]
    assert shown == [[STATUS_LABELS[status], who] for status, who in history]


def test_the_customers_list_and_its_filters(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    page.get_by_role("navigation").get_by_role("link", name="Richieste").click()
    page.wait_for_url("**/richieste")
    wait_ready(page)
    mine = (
        "select r.code, r.status from service_request r join customer c on c.id = r.customer_id where c.code = '10093'"
    )

    def expect_list(sql_filter: str = "", **params) -> list:
        expected = db_rows(app, mine + sql_filter + NEWEST_FIRST, **params)[:PAGE_SIZE]
        if not expected:
            expect(page.locator(".request-row")).to_have_count(0)
            expect(page.get_by_text("Non ci sono richieste in corso")).to_be_visible()
            return expected
        expect(page.locator(".request-row")).to_have_count(len(expected))
        expect(page.locator(".request-row").first).to_have_attribute("data-code", expected[0].code)
        assert _codes(page, ".request-row") == [row.code for row in expected]
        assert _badges(page, ".request-row") == [STATUS_LABELS[row.status] for row in expected]
        return expected

    everything = expect_list()
    assert {row.status for row in everything} >= {"resolved", "in_progress", "submitted"}  # the seed's three
    status, kind = page.locator("#requests-status"), page.locator("#requests-type")
    expect(page.get_by_label("Tipo di richiesta")).to_have_value("")
    status.select_option("resolved")
    expect_list(" and r.status = 'resolved'")
    status.select_option("open")  # "In corso": everything not closed
    expect_list(" and r.status not in ('resolved', 'rejected')")
    status.select_option("all")
    kind.select_option("iban_change")
    expect_list(" and r.form_key = 'iban_change'")
    status.select_option("rejected")
    assert expect_list(" and r.form_key = 'iban_change' and r.status = 'rejected'") == []
    kind.select_option("")
    status.select_option("in_progress")
    row = expect_list(" and r.status = 'in_progress'")[0]
    page.locator(".request-row").first.get_by_role("link", name=row.code).click()
    page.wait_for_url(f"**/richieste/dettaglio?codice={row.code}")
    wait_ready(page)
    expect(page.get_by_role("heading", name=f"Richiesta {row.code}")).to_be_visible()
    expect(page.locator("#request-status")).to_have_text("In lavorazione")


def test_a_restricted_sub_user_lists_only_the_requests_of_his_contracts(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox, "10093.1")
    visit(page, app, "/richieste")
    expected = db_rows(
        app,
        "select r.code from service_request r join user_account u on u.username = '10093.1' "
        "where r.customer_id = u.customer_id and (r.created_by_id = u.id or r.contract_id in "
        "(select contract_id from sub_user_contract where user_id = u.id))" + NEWEST_FIRST,
    )
    assert len(expected) >= 1  # the seed's IBAN change on 90317
    expect(page.locator(".request-row")).to_have_count(len(expected))
    assert _codes(page, ".request-row") == [code for (code,) in expected]


def _queue_rows(app, count: int, now: dt.datetime) -> None:
    """`count` requests of Officine Meccaniche Ferraresi (12006, no requests of its own), each last
    updated half a day plus two days before the next: statuses and forms in turn."""
    statuses = ("submitted", "in_progress", "waiting_customer", "resolved", "rejected")
    forms = (("other", "Altre richieste"), ("address_change", "Variazione indirizzo"), ("iban_change", "IBAN"))
    token = f"Coda di prova {now.timestamp():.0f}"
    ids = []
    with app.engine.begin() as connection:
        customer_id, user_id, tenant_id = connection.exec_driver_sql(
            "select c.id, u.id, c.tenant_id from customer c join user_account u on u.customer_id = c.id "
            "where c.code = '12006' and u.username = '12006'"
        ).one()
        for n in range(count):
            updated = (now - dt.timedelta(days=2 * n, hours=12)).strftime("%Y-%m-%d %H:%M:%S.%f")
            form_key, title = forms[n % len(forms)]
            cursor = connection.exec_driver_sql(
                "insert into service_request (tenant_id, customer_id, created_by_id, code, form_key, title, status, "
                "payload, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, '{}', ?, ?)",
                (
                    tenant_id,
                    customer_id,
                    user_id,
                    f"TMP-{n}",
                    form_key,
                    f"{token} {title} {n:02d}",
                    statuses[n % len(statuses)],
                    updated,
                    updated,
                ),
            )
            ids.append(cursor.lastrowid)
        connection.exec_driver_sql(
            f"update service_request set code = 'RIC-' || strftime('%Y', created_at) || '-' || printf('%06d', id) "
            f"where id in ({', '.join(map(str, ids))})"
        )


def test_the_service_desk_queue_filters_orders_and_pages(new_page, app, mailbox, tidy):
    tidy.drop_new_requests()
    now = dt.datetime.now(dt.UTC)
    _queue_rows(app, 23, now)
    of_ferraresi = (
        "select r.code, r.status from service_request r join customer c on c.id = r.customer_id where c.code = '12006'"
    )
    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    operator.get_by_role("navigation").get_by_role("link", name="Richieste").click()
    operator.wait_for_url("**/operatore/richieste**")
    wait_ready(operator)
    # at first: every customer's open requests, the latest updated first
    (open_total,) = db_rows(app, "select count(*) from service_request where status not in ('resolved', 'rejected')")[0]
    expect(operator.locator("#desk-page-info")).to_have_text(f"1 - {min(PAGE_SIZE, open_total)} di {open_total}")
    assert set(_badges(operator, ".desk-row")) <= {STATUS_LABELS[s] for s in STATUS_LABELS if s not in CLOSED}

    def apply(status: str, form_key: str = "", customer: str = "12006", age: str = "0") -> None:
        operator.locator("#desk-status").select_option(status)
        operator.locator("#desk-type").select_option(form_key)
        operator.get_by_label("Cliente o codice").fill(customer)
        operator.locator("#desk-age").select_option(age)
        operator.locator("#desk-apply").click()

    def expect_page(expected: list, first: int, total: int) -> None:
        last = first + len(expected) - 1
        expect(operator.locator("#desk-page-info")).to_have_text(f"{first} - {last} di {total}")
        expect(operator.locator(".desk-row").first).to_have_attribute("data-code", expected[0].code)
        assert _codes(operator, ".desk-row") == [row.code for row in expected]
        assert _badges(operator, ".desk-row") == [STATUS_LABELS[row.status] for row in expected]

    apply("all")
    everything = db_rows(app, of_ferraresi + NEWEST_FIRST)
    assert len(everything) == 23
    expect_page(everything[:20], 1, 23)
    names = {normalise(t) for t in operator.locator(".desk-row td:nth-child(2)").all_inner_texts()}
    assert names == {"Officine Meccaniche Ferraresi S.r.l."}
    operator.locator("#desk-next").click()
    expect_page(everything[20:], 21, 23)
    expect(operator.locator("#desk-next")).to_be_disabled()
    operator.locator("#desk-previous").click()
    expect_page(everything[:20], 1, 23)

    apply("waiting_customer")
    waiting = db_rows(app, of_ferraresi + " and r.status = 'waiting_customer'" + NEWEST_FIRST)
    expect_page(waiting, 1, len(waiting))
    apply("all", "address_change")
    moved = db_rows(app, of_ferraresi + " and r.form_key = 'address_change'" + NEWEST_FIRST)
    expect_page(moved, 1, len(moved))

    # by name, open ones untouched for more than 7 days: the longest waiting first
    apply("open", customer="ferraresi", age="7")
    week_ago = (now - dt.timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S.%f")
    stale = db_rows(
        app,
        of_ferraresi + " and r.status not in ('resolved', 'rejected') and r.updated_at <= :limit "
        "order by r.updated_at asc, r.id desc",
        limit=week_ago,
    )
    assert len(stale) == 12  # of the 19 updated more than a week ago (n = 4…22), those not closed
    expect_page(stale, 1, len(stale))


def test_another_customers_request_and_attachment_are_refused(new_page, app, mailbox, tidy):
    tidy.drop_new_requests()
    owner = signed_in_page(new_page, app, mailbox)
    _open_form(owner, app, "other")
    owner.locator("#field-request_type").select_option("insurance")
    owner.locator("#field-message").fill("Allego la polizza del riunito.")
    owner.locator("input[type=file]").set_input_files(
        files=[{"name": "polizza.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(owner.locator(".staged-attachment")).to_have_count(1)
    code = _submit_and_get_code(owner)
    (attachment_id,) = db_rows(
        app,
        "select a.id from request_attachment a join service_request r on r.id = a.request_id where r.code = :c",
        c=code,
    )[0]

    stranger = signed_in_page(new_page, app, mailbox, "20417")
    visit(stranger, app, f"/richieste/dettaglio?codice={code}")
    expect(stranger.locator("#request-not-found")).to_be_visible()
    expect(stranger.locator("#request-thread")).to_have_count(0)
    assert stranger.request.get(app.url(f"/api/allegati/{attachment_id}")).status == 404
    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    assert operator.request.get(app.url(f"/api/allegati/{attachment_id}")).status == 200
    anonymous = stranger.context.browser.new_context()
    try:
        assert anonymous.request.get(app.url(f"/api/allegati/{attachment_id}")).status == 404
    finally:
        anonymous.close()


def test_broadcast_and_the_notifications_page(new_page, app, mailbox, tidy):
    tidy.drop_new("notification_read", "notification")
    mark = max_id(app, "notification")
    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    visit(operator, app, "/operatore/comunicazioni")
    operator.locator("#broadcast-send").click()
    expect(operator.locator("#broadcast-title-error")).to_be_visible()
    assert db_rows(app, "select count(*) from notification where id > :m", m=mark) == [(0,)]
    operator.get_by_label("Titolo").fill("Manutenzione del portale domenica notte")
    operator.locator("#broadcast-body").fill("Il portale non sarà disponibile dalle 2 alle 4.")
    operator.locator("#broadcast-send").click()
    expect(operator.get_by_text("Comunicazione inviata.")).to_be_visible()
    assert db_rows(app, "select kind, user_id, title from notification where id > :m", m=mark) == [
        ("broadcast", None, "Manutenzione del portale domenica notte")
    ]

    customer = signed_in_page(new_page, app, mailbox, "20417")
    customer.locator("#bell-button").click()
    expect(customer.locator("#bell-list .notice-item").first).to_contain_text(
        "Aurora Leasing – Manutenzione del portale"
    )
    customer.locator("#bell-all").click()
    customer.wait_for_url("**/notifiche**")
    wait_ready(customer)
    expect(customer.locator(".notification-row[data-read='']").first).to_be_visible()
    customer.locator("#notifications-read-all").click()
    expect(customer.locator(".notification-row[data-read='']")).to_have_count(0)
    expect(customer.locator("#bell-count")).to_have_count(0)
    assert unread_notices(app, "20417") == 0


def test_form_preview_validates_live(new_page, app, mailbox):
    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    visit(operator, app, "/operatore/anteprima-moduli?modulo=iban_change")
    operator.get_by_label("Modulo").select_option("iban_change")
    operator.locator("#field-new_iban").fill("IT00BROKEN")
    expect(operator.locator("#field-new_iban-error")).to_have_text("L'IBAN non è valido: controlla i caratteri.")
    mark = max_id(app, "service_request")
    operator.locator("#preview-check").click()
    expect(operator.locator("#form-error")).to_be_visible()
    assert db_rows(app, "select count(*) from service_request where id > :m", m=mark) == [(0,)]


def test_a_new_form_needs_only_its_definition(new_page, app, mailbox, tidy):
    """tests/e2e/extra_form.py is the whole of this form: no page, no state, no component."""
    tidy.drop_new_requests()
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
    page.locator("#field-event_date").fill((italian_today() - dt.timedelta(days=1)).isoformat())
    code = _submit_and_get_code(page)
    form_key, title = db_rows(app, "select form_key, title from service_request where code = :c", c=code)[0]
    assert form_key == "vehicle_damage" and title == "Denuncia di sinistro – Firenze, viale Europa"
    expect(page.locator(".request-answers")).to_contain_text("Altri veicoli coinvolti")
    expect(page.locator(".request-answers")).to_contain_text("Uno")
