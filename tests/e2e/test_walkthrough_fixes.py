"""What a walk through the portal as a new user found (issue 9), each clicked as the user did."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from lxml import etree
from playwright.sync_api import expect

from portal.seed.demo import DEMO_PASSWORD
from portal.services.billing.fatturapa import validation_errors
from tests.e2e.conftest import (
    address_of,
    db_rows,
    download,
    italian_today,
    login,
    normalise,
    open_in_new_tab,
    signed_in_page,
    submit_password,
    text_of,
    visit,
    wait_ready,
)

ITALIAN_MONTHS = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
]


def _lock(page, app, username: str) -> None:
    """Three wrong passwords, then the right one, which the portal now refuses as locked."""
    for attempt in range(3):
        submit_password(page, app, username, f"sbagliata {attempt}")
        expect(page.locator("#login-error")).to_contain_text("Username o password non corretti.")
    submit_password(page, app, username, DEMO_PASSWORD)
    expect(page.locator("#login-error")).to_contain_text("bloccato")


def _show_document(page, number: str, due_date: str) -> None:
    """Narrow Fatture e pagamenti to the day a document falls due, as a user looking for it does."""
    page.locator("#billing-from").fill(due_date)
    page.locator("#billing-to").fill(due_date)
    page.locator("#billing-apply").click()
    expect(page.locator(f".document-row[data-number='{number}']")).to_be_visible()


def test_fatturapa_xml_and_pdf_are_clicked_and_received(new_page, app, mailbox):
    """1. The XML link answered the portal's own 404; it now downloads, for invoices and credit notes."""
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/fatture-e-pagamenti")
    documents = db_rows(
        app,
        "select i.number, i.kind, i.total, i.due_date from invoice i join customer c on c.id = i.customer_id "
        "where c.code = '10093' and i.kind in ('invoice', 'credit_note') "
        "and i.id in (select max(id) from invoice where customer_id = c.id group by kind)",
    )
    assert sorted(kind for _, kind, _, _ in documents) == ["credit_note", "invoice"]
    for number, kind, total, due_date in documents:
        _show_document(page, number, str(due_date)[:10])
        row = page.locator(f".document-row[data-number='{number}']")
        filename, xml = download(page, row.locator(".xml-link").click)
        assert filename.endswith(".xml")
        assert validation_errors(xml) == []
        tree = etree.fromstring(xml)
        assert tree.findtext(".//TipoDocumento") == ("TD04" if kind == "credit_note" else "TD01")
        assert Decimal(tree.findtext(".//ImportoTotaleDocumento")) == abs(Decimal(str(total)))
        expect(page.locator("main[data-hydrated='true']")).to_be_attached()  # still on the page, no 404
        assert "/fatture-e-pagamenti" in page.url
        opened = open_in_new_tab(page, row.locator(".pdf-link"))
        assert (opened.status, opened.content_type) == (200, "application/pdf")
        assert opened.body.startswith(b"%PDF") and f"{number.replace('/', '-')}" in opened.disposition


def test_a_locked_sub_user_is_unlocked_as_himself(new_page, app, mailbox, tidy):
    """2. The unlock page reached the main account; now the locked one, and the parent sees and unlocks."""
    tidy.keep_account("10093.1")
    tidy.drop_new("password_reset_token")
    owner_before = db_rows(app, "select locked_at, failed_login_count from user_account where username = '10093'")
    page = new_page()
    _lock(page, app, "10093.1")
    assert db_rows(app, "select locked_at is not null from user_account where username = '10093.1'") == [(1,)]
    page.locator("#link-unlock").click()
    page.wait_for_url("**/login-bloccata?utente=10093.1")
    wait_ready(page)
    expect(page.get_by_label("Username")).to_have_value("10093.1")
    page.get_by_label("Numero di contratto").fill("90317")
    page.get_by_label("Numero modulo").fill("3")
    page.get_by_label("Codice fiscale o partita IVA").fill("09158730961")
    since = mailbox.mark()
    page.locator("#unlock-submit").click()
    expect(page.locator("#unlock-done")).to_be_visible()
    # issue 11: the form mails a link; the link unlocks
    message = mailbox.wait_for(address_of(app, "10093.1"), "Sblocco dell'accesso", since)
    assert message["To"] == address_of(app, "10093.1")
    link = re.search(r"(http://\S+/reimposta-password\?token=\S+)", mailbox.text(message)).group(1)
    page.goto(link)
    wait_ready(page)
    page.locator("#reset-unlock-only").click()
    expect(page.locator("#reset-done")).to_be_visible()
    assert db_rows(app, "select locked_at, failed_login_count from user_account where username = '10093.1'") == [
        (None, 0)
    ]
    assert db_rows(app, "select locked_at, failed_login_count from user_account where username = '10093'") == (
        owner_before
    )

    # locked again: the main account sees it in Sotto utenti and unlocks it
    _lock(page, app, "10093.1")
    owner = signed_in_page(new_page, app, mailbox)
    visit(owner, app, "/profilo")
    row = owner.locator(".subuser-row", has_text="10093.1")
    expect(row).to_contain_text("Bloccato")
    since = mailbox.mark()
    row.get_by_role("button", name="Sblocca 10093.1").click()
    expect(owner.get_by_text("Accesso di 10093.1 sbloccato")).to_be_visible()
    expect(row).to_contain_text("Attivo")
    mailbox.wait_for(address_of(app, "10093.1"), "Accesso sbloccato", since)
    assert db_rows(app, "select locked_at from user_account where username = '10093.1'") == [(None,)]


def test_overdue_total_reads_as_one_sentence(new_page, app, mailbox):
    """3. "Totale saldo scaduto962,32 €": a space between the words and the amount, on both widths."""
    today = italian_today().isoformat()
    (overdue,) = db_rows(
        app,
        "select coalesce(sum(i.total - i.paid_amount), 0) from invoice i join customer c on c.id = i.customer_id "
        "where c.code = '10093' and i.kind = 'invoice' and i.paid_amount < i.total and i.due_date < :today",
        today=today,
    )[0]
    amount = f"{Decimal(str(overdue)):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    for width in (1280, 390):
        page = new_page(width=width)
        login(page, app, "10093", DEMO_PASSWORD, mailbox)
        page.wait_for_url(app.url("/"))
        visit(page, app, "/fatture-e-pagamenti")
        # the words as they are read aloud or copied: the label, a space, the amount
        line = page.get_by_text("Totale saldo scaduto", exact=False).last.locator("xpath=..")
        assert normalise(line.text_content() or "") == f"Totale saldo scaduto {amount} €"


def test_counted_nouns_and_product_names_follow_the_language(new_page, app, mailbox):
    """4 and 11. "1 Contratto (1 Beni)" and Italian product names in the English UI."""
    page = signed_in_page(new_page, app, mailbox, "20417")  # Alessandro Bianchi reads English
    assert text_of(page, "#home-contracts-summary") == "1 Contract (1 Asset)"
    card = page.locator(".home-contract")
    expect(card).to_contain_text("Vehicle lease")
    expect(card).to_contain_text("1 asset")
    expect(card).not_to_contain_text("Leasing targato")
    page.get_by_role("button", name="IT – Italiano").click()
    expect(page.locator("#home-contracts-summary")).to_have_text("1 Contratto (1 Bene)")
    expect(card).to_contain_text("Leasing targato")
    expect(card).to_contain_text("1 bene")
    page.get_by_role("button", name="EN – English").click()
    expect(page.locator("#home-contracts-summary")).to_have_text("1 Contract (1 Asset)")


def test_request_pages_name_the_fields_and_date_them_in_the_users_language(new_page, app, mailbox):
    """5 and 6. "A partire dal 2026-12-23", the form's prompts as names, the message twice."""
    code, message, start = db_rows(
        app,
        "select r.code, m.body, r.created_at from service_request r join request_message m on m.request_id = r.id "
        "where r.form_key = 'iban_change' order by r.id desc limit 1",
    )[0]
    (start_iso,) = db_rows(
        app,
        "select json_extract(f.value, '$.value') from service_request r, json_each(r.payload, '$.fields') f "
        "where r.code = :code and json_extract(f.value, '$.key') = 'start_date'",
        code=code,
    )[0]
    day = dt.date.fromisoformat(start_iso)
    italian_day = f"{day.day} {ITALIAN_MONTHS[day.month - 1]} {day.year}"
    customer = signed_in_page(new_page, app, mailbox)
    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    for page, path in ((customer, "/richieste/dettaglio"), (operator, "/operatore/richieste/dettaglio")):
        visit(page, app, f"{path}?codice={code}")
        answers = page.locator(".request-answers")
        expect(answers).to_be_visible()
        names = [normalise(name) for name in answers.locator("dt").all_inner_texts()]
        values = [normalise(value) for value in answers.locator("dd").all_inner_texts()]
        assert names == ["Contratto", "Codice IBAN attuale", "Nuovo IBAN", "IBAN estero", "A partire dal"]
        assert dict(zip(names, values, strict=True))["A partire dal"] == italian_day
        assert start_iso not in normalise(page.locator("main").inner_text())
        assert normalise(page.locator("main").inner_text()).count(normalise(message)) == 1


def test_amounts_and_dates_never_break_on_a_phone(new_page, app, mailbox):
    """7. "36.000,00" / "€" on the next line on Home."""
    page = new_page(width=390)
    login(page, app, "10093", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    expect(page.locator(".home-contract").first).to_be_visible()
    lines = page.eval_on_selector_all(
        ".home-contract, .portal-figures dd",
        """nodes => nodes.flatMap(node => {
            // every amount (€) and date (dd/mm/yy) as laid out: how many lines its text takes
            const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
            const found = [];
            for (let text = walker.nextNode(); text; text = walker.nextNode()) {
                if (!/€|\\d\\d\\/\\d\\d\\/\\d\\d/.test(text.data)) continue;
                const range = document.createRange();
                range.selectNodeContents(text);
                const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
                found.push([text.data, tops.size]);
            }
            return found;
        })""",
    )
    assert len(lines) >= 13  # 3 contracts × 3 figures, and the 4 of "La tua situazione"
    assert [text for text, count in lines if count != 1] == []


def test_the_whole_plan_fits_at_1280(new_page, app, mailbox):
    """8. "Fine competenza" half hidden and "Data di incasso" behind a sideways scroll."""
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/contratti/piano?numero=84963")
    expect(page.locator("#plan-table th")).to_have_count(11)
    region = page.locator(".portal-table-region").first
    widths = region.evaluate("node => [node.scrollWidth, node.clientWidth]")
    assert widths[0] <= widths[1]
    expect(page.get_by_role("columnheader", name="Data di incasso")).to_be_in_viewport()


def test_deleting_a_sub_user_names_him_and_cancel_keeps_him(new_page, app, mailbox):
    """9. "Sicuro di voler eliminare gli elementi selezionati?" without naming who."""
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/profilo")
    page.locator(".subuser-row", has_text="10093.1").get_by_role("button", name="Elimina 10093.1").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Eliminare il sotto utente 10093.1 (Marco Ferri)?")
    confirm.get_by_role("button", name="Annulla").click()
    expect(confirm).to_be_hidden()
    assert db_rows(app, "select is_active from user_account where username = '10093.1'") == [(1,)]


def test_a_ticket_offers_only_assets_still_leased(new_page, app, mailbox):
    """10. The chair of 71204, ended in 2021, among the machines of "Segnalazione su un bene"."""
    page = signed_in_page(new_page, app, mailbox)
    page.get_by_role("link", name="Fai richiesta: Segnalazione su un bene").click()
    page.wait_for_url("**/richieste/nuova?modulo=machine_ticket")
    wait_ready(page)
    active_assets = db_rows(
        app,
        "select a.code from leased_asset a join contract c on c.id = a.contract_id join customer k on "
        "k.id = c.customer_id where k.code = '10093' and c.status = 'active' order by c.number, a.code",
    )
    expect(page.locator("#field-machine option")).to_have_count(len(active_assets) + 1)  # and "Scegli il bene…"
    options = [normalise(text) for text in page.locator("#field-machine option").all_text_contents()][1:]
    assert [option.split("(")[-1].split(",")[0] for option in options] == [code for (code,) in active_assets]
    assert all("71204" not in option for option in options)


def test_the_download_notice_fades_and_leaves_with_the_page(new_page, app, mailbox):
    """12. "File pronto: il download è partito." stayed on screen across navigation."""
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/beni-in-locazione")
    notice = page.get_by_text("File pronto: il download è partito.")
    with page.expect_download():
        page.locator("#assets-export").click()
    expect(notice).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Home").click()
    page.wait_for_url(app.url("/"))
    # gone with the page it was about, not a few seconds later by itself
    expect(notice).to_have_count(0, timeout=1500)
    visit(page, app, "/beni-in-locazione")
    with page.expect_download():
        page.locator("#assets-export").click()
    expect(notice).to_be_visible()
    expect(notice).to_have_count(0, timeout=10_000)  # it goes by itself after a few seconds


def test_the_demo_mailbox_pages_and_searches_subjects(new_page, app):
    """13. Only the newest 40 messages, no paging, no search by subject."""
    token = f"Prova paginazione {dt.datetime.now().timestamp():.0f}"
    rows = [(f"mailbox{i % 2}@paging.example", f"{token} n. {i}") for i in range(25)]
    with app.engine.begin() as connection:
        for to, subject in rows:
            connection.exec_driver_sql(
                "insert into mail_message (kind, to_address, subject, body_text, backend, created_at) "
                "values ('test', ?, ?, 'corpo', 'outbox', CURRENT_TIMESTAMP)",
                (to, subject),
            )
    try:
        page = new_page()
        visit(page, app, "/dev/mailbox")
        page.get_by_placeholder("Cerca nell'oggetto").fill(token.lower())
        page.locator("#mailbox-refresh").click()
        expect(page.locator("#mailbox-page-info")).to_have_text("1 - 20 di 25")
        newest = [f"{token} n. {i}" for i in range(24, -1, -1)]  # newest first
        summaries = [normalise(text) for text in page.locator(".mailbox-message summary").all_inner_texts()]
        assert [next(s for s in newest if summary.endswith(s)) for summary in summaries] == newest[:20]
        page.locator("#mailbox-next").click()
        expect(page.locator("#mailbox-page-info")).to_have_text("21 - 25 di 25")
        summaries = [normalise(text) for text in page.locator(".mailbox-message summary").all_inner_texts()]
        assert [next(s for s in newest if summary.endswith(s)) for summary in summaries] == newest[20:]
        # the recipient filter works with the subject search
        page.get_by_placeholder("Filtra per destinatario").fill("mailbox1@paging.example")
        page.locator("#mailbox-refresh").click()
        expect(page.locator("#mailbox-page-info")).to_have_text("1 - 12 di 12")
        expect(page.locator(".mailbox-message")).to_have_count(12)
    finally:
        with app.engine.begin() as connection:
            connection.exec_driver_sql("delete from mail_message where subject like ?", (f"{token}%",))
