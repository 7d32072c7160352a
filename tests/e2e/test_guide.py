"""The guide and FAQ inside the portal, the header's "?" and the accessibility statement with its
feedback form, walked as a customer and as a visitor (issue 15)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import db_rows, max_id, signed_in_page, visit, wait_ready
from tests.e2e.test_accessibility import assert_accessible

CONTACT = "accessibilita@aurora-leasing.example"  # tenants/aurora.toml


def test_help_from_billing_search_and_english(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/fatture-e-pagamenti")
    page.get_by_role("link", name="Aiuto: Fatture e pagamenti").click()
    page.wait_for_url(app.url("/guida?sezione=billing"))
    wait_ready(page)
    section = page.locator("#guide-billing")
    expect(section).to_have_text("Fatture e pagamenti")
    expect(section).to_be_focused()
    expect(section).to_be_in_viewport()
    expect(page.locator("section", has=section)).to_contain_text("fattura elettronica XML")
    assert_accessible(page, "guide")

    page.get_by_label("Cerca nella guida").fill("password temporanea")
    page.locator("#guide-search-submit").click()
    results = page.locator("#guide-results > li")
    expect(results.first).to_contain_text("Non mi è arrivata la password temporanea: cosa faccio?")
    expect(results.first).to_contain_text("Domanda frequente")
    expect(page.locator("#guide-results-count")).to_contain_text("per «password temporanea»")
    assert_accessible(page, "guide search results")

    question = page.locator("#faq-temporary-password")
    expect(question).to_have_attribute("aria-expanded", "false")
    results.first.get_by_role("button").click()
    expect(question).to_have_attribute("aria-expanded", "true")
    expect(question).to_be_focused()
    answer = page.locator(".guide-question", has=question)
    expect(answer).to_contain_text("dopo 60 minuti ripeti la registrazione indicando l'indirizzo corretto")
    expect(answer).to_contain_text("servizioclienti@aurora-leasing.example")  # the tenant's support address
    assert_accessible(page, "guide with an open answer")

    page.get_by_role("button", name="EN – English").click()
    expect(page.locator("#guide-billing")).to_have_text("Invoices and payments")
    expect(question).to_have_text("My temporary password has not arrived: what do I do?")
    expect(answer).to_contain_text("after 60 minutes register again with the right address")
    expect(page.get_by_role("link", name="Help: guide and FAQ")).to_be_visible()
    expect(page.locator("#guide-results-count")).to_contain_text("for “password temporanea”")
    assert_accessible(page, "guide in English")

    # On a phone the "?" still fits in the header, beside the language, the bell and the avatar.
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, app, "/fatture-e-pagamenti")
    expect(page.get_by_role("link", name="Help: Invoices and payments")).to_be_in_viewport()
    assert page.evaluate("document.querySelector('header.portal-header').scrollWidth") <= 390


def test_visitor_sends_an_accessibility_report(new_page, app, mailbox):
    page = new_page()
    visit(page, app, "/login")
    expect(page.get_by_role("link", name="Aiuto: Accesso al portale")).to_be_visible()
    page.locator("#footer-accessibility").click()
    page.wait_for_url(app.url("/accessibilita"))
    wait_ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dichiarazione di accessibilità")
    statement = page.locator("#accessibility-statement")
    expect(statement).to_contain_text("parzialmente conforme")
    expect(statement).to_contain_text("Aurora Leasing S.p.A. si impegna")
    expect(statement).to_contain_text("Difensore civico per il digitale")
    expect(page.locator("#accessibility-updated")).to_have_text("Ultimo aggiornamento: martedì 8 dicembre 2026")
    assert_accessible(page, "accessibility statement")

    outbox = max_id(app, "mail_outbox")
    description = "Il grafico delle scadenze non si legge con lo screen reader."
    page.get_by_label("Indirizzo e-mail").fill("maria.rossi@")
    page.get_by_label("Descrizione del problema").fill(description)
    page.locator("#accessibility-submit").click()
    expect(page.locator("#accessibility-email-error")).to_have_text("L'indirizzo e-mail non è valido.")
    expect(page.get_by_label("Indirizzo e-mail")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#accessibility-done")).to_have_count(0)
    assert_accessible(page, "accessibility statement with an error")
    assert db_rows(app, "select count(*) from mail_outbox where id > :mark", mark=outbox)[0][0] == 0

    since = mailbox.mark()
    page.get_by_label("Nome (facoltativo)").fill("Maria Rossi")
    page.get_by_label("Indirizzo e-mail").fill("maria.rossi@example.org")
    page.get_by_label("Pagina o funzione (facoltativo)").fill("Fatture e pagamenti")
    page.locator("#accessibility-submit").click()
    expect(page.locator("#accessibility-done")).to_have_text(
        f"Grazie: abbiamo inviato la segnalazione a {CONTACT}. Ti risponderemo entro 30 giorni."
    )
    expect(page.locator("#accessibility-email-error")).to_have_count(0)
    message = mailbox.wait_for(CONTACT, "Segnalazione di accessibilità", since)
    text = mailbox.text(message)
    assert "Da: Maria Rossi <maria.rossi@example.org>" in text
    assert "Pagina o funzione: Fatture e pagamenti" in text
    assert "Lingua dell'utente: Italiano" in text
    assert description in text
    rows = db_rows(app, "select to_address, kind from mail_outbox where id > :mark", mark=outbox)
    assert rows == [(CONTACT, "accessibility_feedback")]
