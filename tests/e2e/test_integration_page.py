"""The Integrazione page: an operator opens it from the menu, reads a run's counts, opens the run and
downloads its whole report."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from tests.e2e.conftest import db_rows, download, normalise, signed_in_page, wait_ready
from tests.e2e.import_runs import MISSING, WARNING, add_nightly_run, add_rejected_run, nightly_report


def _cells(page: Page, selector: str) -> list[list[str]]:
    rows = page.locator(selector)
    return [[normalise(text) for text in rows.nth(i).locator("td, th").all_inner_texts()] for i in range(rows.count())]


def test_an_operator_reads_the_runs_and_downloads_a_report(new_page, app, mailbox, tidy, tmp_path):
    tidy.drop_new("import_run")
    nightly = add_nightly_run(app)
    rejected = add_rejected_run(app, tmp_path / "set")
    operator = signed_in_page(new_page, app, mailbox, "servicedesk")

    operator.get_by_role("navigation", name="Menu").get_by_role("link", name="Integrazione").click()
    operator.wait_for_url("**/operatore/integrazione")
    wait_ready(operator)
    expect(operator.locator(f'.run-row[data-run="{nightly}"]')).to_be_visible()

    shown = operator.locator(".run-row").evaluate_all("rows => rows.map(row => Number(row.dataset.run))")
    assert [run for run in shown if run in (nightly, rejected)] == [rejected, nightly]  # the latest first
    # 01:15:04 UTC is 02:15 in Rome; 2.5 seconds; totals over the record types
    assert _cells(operator, f'.run-row[data-run="{nightly}"]') == [
        [str(nightly), "20/11/26 02:15", "2,5 s", "nightly-2026-11-20.zip", "Importazione", "Importata"]
        + ["3", "3", "6", "0", "1", "1"]
    ]
    assert _cells(operator, f'.run-row[data-run="{rejected}"]')[0][3:] == ["set", "Importazione", "Respinta"] + [
        "0",
        "0",
        "0",
        "2",
        "0",
        "0",
    ]

    operator.locator(f'.run-row[data-run="{nightly}"] a').click()
    operator.wait_for_url(f"**/operatore/integrazione/importazione?numero={nightly}")
    wait_ready(operator)
    expect(operator.get_by_role("heading", level=1)).to_have_text(f"Importazione n. {nightly}")
    assert _cells(operator, ".count-row") == [
        ["Clienti (customer)", "2", "0", "5", "0", "1"],
        ["Contratti (contract)", "1", "3", "1", "0", "0"],
    ]
    assert _cells(operator, "#count-total") == [["Totale", "3", "3", "6", "0", "1"]]
    assert _cells(operator, ".warning-row") == [["Contratti", "K2", WARNING["message"]]]
    assert _cells(operator, ".missing-row") == [["Clienti", "C300", MISSING["message"]]]
    expect(operator.locator("#rejections-none")).to_have_text("Nessun record scartato.")

    filename, body = download(operator, lambda: operator.locator("#report-download").click())

    assert filename == f"import-{nightly}-20261120-021504.json"
    assert json.loads(body) == nightly_report()

    operator.locator("a", has_text="Torna alle importazioni").click()
    operator.wait_for_url("**/operatore/integrazione")
    operator.locator(f'.run-row[data-run="{rejected}"] a').click()
    operator.wait_for_url(f"**/operatore/integrazione/importazione?numero={rejected}")
    wait_ready(operator)
    expect(operator.locator("#run-outcome")).to_have_text("Respinta")
    assert _cells(operator, ".rejection-row") == [
        [
            "contract.jsonl:1",
            "amount",
            "'12.000,00' is not a non-negative amount in euro as a decimal string, at most 2 decimals (\"1234.50\")",
        ],
        ["leased_asset.jsonl:1", "contract_number", "unknown contract K9: not in this file set nor in the portal"],
    ]
    expect(operator.locator("#warnings-none")).to_be_visible()

    _, body = download(operator, lambda: operator.locator("#report-download").click())

    report = json.loads(body)
    (stored,) = db_rows(app, "select report from import_run where id = :id", id=rejected)[0]
    assert report == (json.loads(stored) if isinstance(stored, str) else stored)
    assert report["outcome"] == "rejected" and report["source"] == str(tmp_path / "set")
    assert [(item["file"], item["line"], item["field"]) for item in report["rejections"]] == [
        ("contract.jsonl", 1, "amount"),
        ("leased_asset.jsonl", 1, "contract_number"),
    ]
    assert report["counts"]["contract"]["rejected"] == 1 and report["counts"]["leased_asset"]["rejected"] == 1
