"""Complaints (reclami, issue 15) in Chromium: the customer files one with a file and reads the
acknowledgement with the deadline (row, bell and e-mail); the desk finds it in its queue by
deadline (the demo's complaint near its deadline is flagged in words), answers it after a
confirmation; the customer reads the answer, its outcome and the ABF box, and the ABF page; the
desk downloads the year's figures as CSV. The new pages pass the axe checks."""

from __future__ import annotations

import csv
import datetime as dt
import io

from playwright.sync_api import expect

from tests.e2e.conftest import (
    db_rows,
    download,
    italian_today,
    max_id,
    normalise,
    signed_in_page,
    text_of,
    visit,
)
from tests.e2e.test_accessibility import assert_accessible

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 2000
SUBJECT = "Canone addebitato due volte (test e2e)"
TEXT = "Il canone di ottobre del contratto 84963 risulta addebitato due volte sul nostro conto."
ANSWER = "Abbiamo verificato il doppio addebito e disposto il rimborso del secondo canone."


def _tidy_complaints(app, tidy) -> None:
    attachment_mark = max_id(app, "complaint_attachment")

    def drop_files() -> None:
        stored = app.private_dir / "attachments" / "stored"
        for (key,) in db_rows(app, "select storage_key from complaint_attachment where id > :m", m=attachment_mark):
            (stored / key).unlink(missing_ok=True)

    tidy.drop_new("notification_read", "notification", "complaint_attachment", "complaint", "download_ticket")
    tidy._undo.callback(drop_files)  # runs first: the rows still name the files


def _expected_figures(app, year: int) -> list[str]:
    """The year's figures by plain SQL, in the CSV's order."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    ((received, answered, in_time, late, still_open, accepted, partial, rejected),) = db_rows(
        app,
        "select count(*),"
        " sum(case when answered_on is not null then 1 else 0 end),"
        " sum(case when answered_on is not null and answered_on <= due_on then 1 else 0 end),"
        " sum(case when answered_on > due_on then 1 else 0 end),"
        " sum(case when answered_on is null then 1 else 0 end),"
        " sum(case when outcome = 'accepted' then 1 else 0 end),"
        " sum(case when outcome = 'partial' then 1 else 0 end),"
        " sum(case when outcome = 'rejected' then 1 else 0 end)"
        " from complaint where received_on between :s and :e",
        s=start,
        e=end,
    )
    return [str(v or 0) for v in (year, received, answered, in_time, late, still_open, accepted, partial, rejected)]


def test_a_complaint_from_filing_to_answer_and_the_yearly_figures(app, mailbox, new_page, tidy):
    _tidy_complaints(app, tidy)
    today = italian_today()
    due = today + dt.timedelta(days=60)
    customer = signed_in_page(new_page, app, mailbox, "10093")

    # The menu leads to the list; the form files a complaint with a file.
    customer.get_by_role("link", name="Reclami").first.click()
    expect(customer.locator("h1")).to_have_text("Reclami")
    assert_accessible(customer, "complaints list")
    customer.get_by_role("link", name="Presenta un reclamo").click()
    expect(customer.locator("#complaint-submit")).to_be_visible()
    customer.locator("#complaint-subject").fill(SUBJECT)
    customer.locator("#complaint-contract").select_option("84963")
    customer.locator("#complaint-text").fill(TEXT)
    customer.locator("input[type=file]").set_input_files(
        files=[{"name": "estratto-conto.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(customer.locator(".staged-attachment")).to_contain_text("estratto-conto.png")
    assert_accessible(customer, "new complaint")
    since = mailbox.mark()
    customer.locator("#complaint-submit").click()
    expect(customer.locator("#complaint-code")).to_contain_text("REC-")

    # The row, by plain SQL: received today, due in 60 days, about the chosen contract, with its file.
    ((complaint_id, code, received_on, due_on, contract, answered_on),) = db_rows(
        app,
        "select c.id, c.code, c.received_on, c.due_on, k.number, c.answered_on from complaint c"
        " join contract k on k.id = c.contract_id where c.subject = :s",
        s=SUBJECT,
    )
    assert (str(received_on), str(due_on), contract, answered_on) == (today.isoformat(), due.isoformat(), "84963", None)
    assert code == f"REC-{today.year}-{complaint_id:06d}"
    files = db_rows(
        app, "select display_name, size_bytes from complaint_attachment where complaint_id = :c", c=complaint_id
    )
    assert files == [("estratto-conto.png", len(PNG))]
    # The acknowledgement names the deadline: on the page, in the bell and in the e-mail.
    due_words = normalise(text_of(customer, "#complaint-due"))
    assert str(due.year) in due_words and str(due.day) in due_words
    ((address,),) = db_rows(
        app,
        "select coalesce(nullif(secondary_email, ''), primary_email) from user_account where username = '10093'",
    )
    mail = mailbox.wait_for(address, code, since)
    assert due_words in normalise(mailbox.text(mail))
    bell = db_rows(
        app,
        "select n.title, n.body from notification n join user_account u on u.id = n.user_id"
        " where u.username = '10093' and n.kind = 'complaint' and n.title like :c",
        c=f"{code}%",
    )
    assert len(bell) == 1 and due_words in normalise(bell[0][1])
    # Its file comes back to its owner, byte for byte.
    name, body = download(customer, lambda: customer.locator(".complaint-file").click())
    assert (name, body) == ("estratto-conto.png", PNG)
    expect(customer.locator("#complaint-waiting")).to_be_visible()
    # the success toast of the filing (the portal's shared toast) fades first: the page is measured at rest
    expect(customer.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)
    assert_accessible(customer, "complaint detail (open)")
    visit(customer, app, "/reclami")
    expect(customer.locator(".complaint-row", has_text=code)).to_contain_text("In lavorazione")

    # The desk: the queue by deadline, the demo's complaint near its deadline flagged in words first.
    operator = signed_in_page(new_page, app, mailbox, "servicedesk")
    operator.get_by_role("link", name="Reclami").first.click()
    expect(operator.locator("h1")).to_have_text("Reclami")
    rows = operator.locator(".desk-complaint-row")
    expect(rows.filter(has_text=code)).to_contain_text("Aperto — 60 giorni rimasti")
    dues = db_rows(app, "select code, due_on from complaint where answered_on is null order by due_on, id")
    expect(rows).to_have_count(len(dues))
    expect(rows.first).to_contain_text(dues[0][0])
    near = db_rows(
        app,
        "select code, due_on from complaint where answered_on is null and due_on <= :d",
        d=today + dt.timedelta(days=10),
    )
    for near_code, near_due in near:
        left = (dt.date.fromisoformat(str(near_due)) - today).days
        expect(rows.filter(has_text=near_code)).to_contain_text("In scadenza" if left >= 0 else "Scaduto")
    assert near, "the demo has an open complaint near its deadline"
    assert_accessible(operator, "desk complaints")

    rows.filter(has_text=code).get_by_role("link", name=code).click()
    expect(operator.locator("#complaint-answer-submit")).to_be_visible()
    expect(operator.locator("#complaint-body")).to_have_text(TEXT)
    assert_accessible(operator, "desk complaint detail")
    operator.locator("#complaint-answer-text").fill(ANSWER)
    operator.locator("#complaint-outcome-choice").select_option("accepted")
    operator.locator("#complaint-answer-submit").click()
    dialog = operator.get_by_role("alertdialog")
    expect(dialog).to_contain_text(code)
    expect(dialog).to_contain_text("Accolto")
    assert db_rows(app, "select answered_on from complaint where id = :c", c=complaint_id) == [(None,)]  # not yet
    since = mailbox.mark()
    dialog.get_by_role("button", name="Invia").click()
    expect(operator.locator("#complaint-answer")).to_have_text(ANSWER)
    ((answer, outcome, answered),) = db_rows(
        app, "select answer, outcome, answered_on from complaint where id = :c", c=complaint_id
    )
    assert (answer, outcome, str(answered)) == (ANSWER, "accepted", today.isoformat())
    mail = mailbox.wait_for(address, code, since)
    assert "Accolto" in mailbox.text(mail)

    # The customer reads the answer, its outcome and date, and the ABF route.
    visit(customer, app, f"/reclami/dettaglio?codice={code}")
    expect(customer.locator("#complaint-answer")).to_have_text(ANSWER)
    expect(customer.locator("#complaint-outcome")).to_have_text("Accolto")
    expect(customer.locator("#abf-box")).to_contain_text("Arbitro Bancario Finanziario")
    expect(customer.locator("#abf-box")).to_contain_text("www.arbitrobancariofinanziario.it")
    assert_accessible(customer, "complaint detail (answered)")
    customer.locator("#abf-page-link").click()
    expect(customer.locator("h1")).to_have_text("Arbitro Bancario Finanziario (ABF)")
    expect(customer.locator("main")).to_contain_text("12 mesi")
    expect(customer.locator("main")).to_contain_text("60 giorni")
    assert_accessible(customer, "ABF page")

    # The year's figures as CSV, checked against plain SQL (today's complaint counted as answered in time).
    visit(operator, app, "/operatore/reclami")
    expect(operator.locator("#complaints-year")).to_have_value(str(today.year))
    name, body = download(operator, lambda: operator.locator("#complaints-export").click())
    assert name == f"reclami-{today.year}.csv"
    header, values = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert header[:3] == ["Anno", "Ricevuti", "Risposti"] and len(header) == 9
    assert values == _expected_figures(app, today.year)
    assert int(values[1]) >= 1 and int(values[3]) >= 1  # at least the complaint this test filed and answered


def test_another_customer_cannot_open_a_complaint(app, mailbox, new_page):
    code = db_rows(app, "select c.code from complaint c join customer k on k.id = c.customer_id where k.code = '10093'")
    assert code, "the demo has a complaint of 10093"
    page = signed_in_page(new_page, app, mailbox, "20417")
    visit(page, app, f"/reclami/dettaglio?codice={code[0][0]}")
    expect(page.locator("#complaint-not-found")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(code[0][0])
