"""WCAG 2.1 A/AA checks with axe-core on the main screens (labels, contrast, names, roles).

axe-core comes from the npm registry (make deps) and runs inside Chromium on the real pages.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from portal.config import PROJECT_ROOT
from portal.seed.demo import DEMO_PASSWORD
from tests.e2e.conftest import login, visit
from tests.e2e.import_runs import add_nightly_run

AXE = PROJECT_ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page: Page, where: str = "") -> None:
    found = violations(page)
    assert not found, f"{where or page.url}:\n" + "\n".join(found)


def violations(page: Page) -> list[str]:
    # Measure the page at rest: no hovered button, no colour transition half-way (CSS transitions
    # are animations of the document: wait until every one has finished).
    page.mouse.move(0, 0)
    page.evaluate("() => Promise.allSettled(document.getAnimations().map(animation => animation.finished))")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (tags) => {
            const outcome = await axe.run(
                document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return outcome.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }""",
        TAGS,
    )
    return [json.dumps(item, ensure_ascii=False) for item in result]


@pytest.mark.parametrize(
    "path", ["/login", "/registrazione", "/password-dimenticata", "/login-bloccata", "/dev/mailbox"]
)
def test_public_pages(new_page, app, path):
    page = new_page()
    visit(page, app, path)
    assert_accessible(page)


def test_signed_in_pages(new_page, app, mailbox):
    page = new_page()
    login(page, app, "10093", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    expect(page.locator("#home-overdue")).to_be_visible()
    assert_accessible(page, "home")
    visit(page, app, "/profilo")
    expect(page.locator("#profile-username")).to_be_visible()
    assert_accessible(page, "profile")
    page.locator("#subuser-add").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert_accessible(page, "sub-user dialog")
    page.keyboard.press("Escape")
    visit(page, app, "/contratti?numero=90317")
    expect(page.locator("#contract-title")).to_be_visible()
    assert_accessible(page, "contracts")
    visit(page, app, "/contratti/piano?numero=90317")
    expect(page.locator(".plan-row").first).to_be_visible()
    assert_accessible(page, "plan")
    visit(page, app, "/beni-in-locazione")
    expect(page.locator(".asset-card").first).to_be_visible()
    assert_accessible(page, "assets")
    visit(page, app, "/fatture-e-pagamenti")
    expect(page.locator(".document-row").first).to_be_visible()
    assert_accessible(page, "billing")
    visit(page, app, "/richieste")
    expect(page.locator(".request-row").first).to_be_visible()
    assert_accessible(page, "requests")
    page.locator(".request-row a").first.click()
    page.wait_for_url("**/richieste/dettaglio**")
    expect(page.locator("#request-thread")).to_be_visible()
    assert_accessible(page, "request detail")
    visit(page, app, "/richieste/nuova?modulo=machine_ticket")
    expect(page.locator("#form-attachments-button")).to_be_visible()
    page.locator("#form-submit").click()
    expect(page.locator("#form-error")).to_be_visible()
    assert_accessible(page, "new request with errors")
    visit(page, app, "/notifiche")
    expect(page.locator(".notification-row").first).to_be_visible()
    assert_accessible(page, "notifications")


def test_operator_pages(new_page, app, mailbox, tidy):
    tidy.drop_new("import_run")
    run = add_nightly_run(app)
    page = new_page()
    login(page, app, "servicedesk", DEMO_PASSWORD, mailbox)
    page.wait_for_url(app.url("/"))
    visit(page, app, "/operatore/clienti")
    expect(page.locator(".customer-row").first).to_be_visible()
    assert_accessible(page, "customers")
    visit(page, app, "/operatore/richieste")
    expect(page.locator(".desk-row").first).to_be_visible()
    assert_accessible(page, "desk")
    page.locator(".desk-row a").first.click()
    page.wait_for_url("**/operatore/richieste/dettaglio**")
    expect(page.locator("#desk-submit")).to_be_visible()
    assert_accessible(page, "desk detail")
    visit(page, app, "/operatore/comunicazioni")
    expect(page.locator("#broadcast-send")).to_be_visible()
    assert_accessible(page, "broadcast")
    visit(page, app, "/operatore/anteprima-moduli?modulo=early_termination")
    expect(page.locator("#preview-check")).to_be_visible()
    assert_accessible(page, "form preview")
    visit(page, app, "/operatore/integrazione")
    expect(page.locator(f'.run-row[data-run="{run}"]')).to_be_visible()
    assert_accessible(page, "integration")
    visit(page, app, f"/operatore/integrazione/importazione?numero={run}")
    expect(page.locator("#counts-table")).to_be_visible()
    assert_accessible(page, "import run")
