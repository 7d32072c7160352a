"""What axe cannot see (issue 12): keyboard focus that shows and is never hidden under the header,
the skip link, the page's language and title in both languages, and contrast computed from the
colours the browser actually paints."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import db_rows, signed_in_page, visit

BRAND = "Aurora Leasing"
CUSTOMER_PAGES = [
    "/",
    "/fatture-e-pagamenti",
    "/contratti?numero=90317",
    "/profilo",
    "/beni-in-locazione",
    "/richieste",
    "/richieste/nuova?modulo=machine_ticket",
    "/notifiche",
]
MAX_STOPS = 120

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const r = el.getBoundingClientRect();
    const header = document.querySelector('header').getBoundingClientRect();
    // What the eye sees at the top edge of the focused element: the element, or the header over it.
    const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(r.top + 1, 0), innerHeight - 1);
    const seen = document.elementFromPoint(x, y);
    const covered = !!seen && !el.contains(seen) && !!seen.closest('header') && !el.closest('header');
    return {covered: covered, top: r.top,
            bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height,
            headerBottom: header.bottom, inMain: !!el.closest('main'), inHeader: !!el.closest('header'),
            label: (el.getAttribute('aria-label') || el.innerText || el.id || el.tagName).slice(0, 60),
            tag: el.tagName, id: el.id};
}"""


def _focus_box(page: Page, stop: dict) -> dict:
    # The element and its ring (2 px offset + 2 px outline), clipped to the viewport.
    viewport = page.viewport_size
    left, top = max(stop["left"] - 6, 0), max(stop["top"] - 6, 0)
    right, bottom = min(stop["right"] + 6, viewport["width"]), min(stop["bottom"] + 6, viewport["height"])
    return {"x": left, "y": top, "width": max(right - left, 1), "height": max(bottom - top, 1)}


def _tab_through(page: Page, *, backwards: bool) -> list[dict]:
    page.mouse.move(0, 0)
    page.evaluate("() => Promise.all(document.getAnimations().map(a => a.finished))")
    stops, seen = [], set()
    for _ in range(MAX_STOPS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None:
            break
        scrolled = page.evaluate("scrollY")
        key = (stop["tag"], stop["id"], stop["label"], round(stop["left"]), round(stop["top"] + scrolled))
        if key in seen:
            break
        seen.add(key)
        stops.append(stop)
    return stops


def _unseen_focus(page: Page) -> list[str]:
    """Tab forwards through the page: each control must look different while focused and once the
    focus has moved on (the same spot of the page, photographed both times; no focus set by script)."""
    problems: list[str] = []
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator("body").focus()
    current = None  # (element key, clip, scrollY, picture while focused, description)
    for _ in range(MAX_STOPS):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        element = None if stop is None else (stop["tag"], stop["id"], stop["label"])
        if current is not None and element != current[0]:
            # The focus has left `current` (a date field takes several Tabs: day, month, year, picker).
            here = page.evaluate("scrollY")
            page.evaluate(f"window.scrollTo(0, {current[2]})")
            if page.screenshot(clip=current[1], animations="disabled") == current[3]:
                problems.append(current[4])
            page.evaluate(f"window.scrollTo(0, {here})")
        if stop is None or stop["width"] == 0:
            break
        if current is None or element != current[0]:
            stop = page.evaluate(FOCUSED)  # after the scroll back, where it is now
            clip = _focus_box(page, stop)
            picture = page.screenshot(clip=clip, animations="disabled")
            current = (element, clip, page.evaluate("scrollY"), picture, f"{stop['tag']} {stop['label']!r}")
    return problems


@pytest.mark.parametrize("width", [1280, 390])
def test_focus_is_visible_and_never_under_the_header(new_page, app, mailbox, width):
    page = signed_in_page(lambda: new_page(width=width), app, mailbox)
    hidden, unseen, counted = [], [], 0
    for path in CUSTOMER_PAGES:
        visit(page, app, path)
        expect(page.locator("main h1").first).to_be_visible()
        # Backwards from the end of the page, as the audit found it: the header covers what scrolls under it.
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        page.locator("footer a").last.focus()
        stops = _tab_through(page, backwards=True)
        counted += len(stops)
        hidden += [
            f"{path}: {s['label']!r} top {s['top']:.0f} < header {s['headerBottom']:.0f}" for s in stops if s["covered"]
        ]
        unseen += [f"{path}: {problem}" for problem in _unseen_focus(page)]
    assert counted > 60, counted  # the walk really went through the pages
    assert hidden == [], "\n".join(hidden)
    assert unseen == [], "\n".join(unseen)


@pytest.mark.parametrize("width", [1280, 390])
def test_skip_link_moves_focus_into_the_content(new_page, app, mailbox, width):
    page = signed_in_page(lambda: new_page(width=width), app, mailbox)
    visit(page, app, "/fatture-e-pagamenti")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Vai al contenuto"
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')") is True


# (page, Italian title, English title): the catalogues' words, written out here by hand.
TITLES = [
    ("/", "Home", "Home"),
    ("/fatture-e-pagamenti", "Fatture e pagamenti", "Invoices and payments"),
    ("/contratti", "Contratti", "Contracts"),
    ("/beni-in-locazione", "Beni in locazione", "Leased assets"),
    ("/richieste", "Richieste", "Requests"),
    ("/profilo", "Profilo utente", "User profile"),
]


def test_language_and_title_of_every_page_in_both_languages(new_page, app, mailbox):
    italian = signed_in_page(new_page, app, mailbox, "10093")
    english = signed_in_page(new_page, app, mailbox, "20417")  # a customer who chose English
    for path, it_title, en_title in TITLES:
        for page, lang, title in ((italian, "it", it_title), (english, "en", en_title)):
            visit(page, app, path)
            expect(page).to_have_title(f"{title} | {BRAND}")
            assert page.evaluate("document.documentElement.lang") == lang, (path, lang)
    # A form and a request name themselves in the tab.
    visit(english, app, "/richieste/nuova?modulo=address_change")
    expect(english).to_have_title(f"Change of address | {BRAND}")
    visit(italian, app, "/richieste/nuova?modulo=address_change")
    expect(italian).to_have_title(f"Variazione indirizzo | {BRAND}")


def _contrast_report(page: Page, selector: str, minimum: float, what: str) -> list[str]:
    """WCAG 2.1 contrast of each matching element's colour (text, or `border`) against what lies
    behind it: the translucent backgrounds of its ancestors laid over white, as the browser paints."""
    return page.evaluate(
        """([selector, minimum, what]) => {
            const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number);
                return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
            const over = (top, under) => ({r: top.r * top.a + under.r * (1 - top.a),
                g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1});
            const lum = (c) => { const f = (v) => { v /= 255;
                return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
            const behind = (el, fromParent) => { const layers = [];
                for (let n = fromParent ? el.parentElement : el; n; n = n.parentElement) {
                    layers.push(parse(getComputedStyle(n).backgroundColor)); }
                return layers.reverse().reduce((acc, layer) => over(layer, acc), {r: 255, g: 255, b: 255, a: 1}); };
            const out = [];
            for (const el of document.querySelectorAll(selector)) {
                if (!el.getClientRects().length) continue;
                const style = getComputedStyle(el);
                let fg, bg;
                if (what === 'border') {
                    const shadow = style.boxShadow.match(/rgba?\\([^)]*\\)/);
                    const border = style.borderTopWidth !== '0px' ? style.borderTopColor : null;
                    const colour = shadow ? shadow[0] : border;
                    if (!colour) { out.push(`${selector}: no border`); continue; }
                    bg = behind(el, true); fg = over(parse(colour), bg);
                } else if (what === 'fill') {
                    bg = behind(el, false); fg = over(parse(style.fill), bg);
                } else {
                    bg = behind(el, false); fg = over(parse(style.color), bg);
                }
                const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
                const ratio = (a + 0.05) / (b + 0.05);
                const text = (el.textContent || '').trim().slice(0, 30);
                if (ratio < minimum) out.push(`${selector} "${text}": ${ratio.toFixed(2)}`);
            }
            return out;
        }""",
        [selector, minimum, what],
    )


def test_contrast_of_badges_callouts_fields_and_charts(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    checks = {
        "/fatture-e-pagamenti": [
            (".rt-Badge", 4.5, "text"),
            (".recharts-cartesian-axis-tick-value", 4.5, "fill"),
            (".portal-select", 3.0, "border"),
        ],
        "/richieste": [(".rt-Badge", 4.5, "text")],
        "/profilo": [(".rt-CalloutText", 4.5, "text"), (".rt-TextFieldRoot", 3.0, "border")],
        "/": [(".rt-Badge", 4.5, "text"), ("#bell-count", 4.5, "text")],
        "/richieste/nuova?modulo=machine_ticket": [
            (".rt-TextFieldRoot", 3.0, "border"),
            (".rt-TextAreaRoot", 3.0, "border"),
            (".portal-select", 3.0, "border"),
        ],
    }
    failures, measured = [], 0
    for path, rules in checks.items():
        visit(page, app, path)
        expect(page.locator("main h1").first).to_be_visible()
        page.mouse.move(0, 0)
        for selector, minimum, what in rules:
            expect(page.locator(selector).first).to_be_visible()
            measured += page.locator(selector).count()
            failures += [f"{path} {line}" for line in _contrast_report(page, selector, minimum, what)]
    assert measured > 20, measured
    assert failures == [], "\n".join(failures)


def _press_on(page: Page, locator) -> None:
    """Reach a control from the keyboard and press it (no mouse: focus follows the keyboard)."""
    locator.focus()
    page.keyboard.press("Enter")


def test_focus_returns_to_what_opened_each_dialog(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/profilo")
    add = page.locator("#subuser-add")
    expect(add).to_be_visible()
    for close in ("Escape", "button-close"):
        _press_on(page, add)
        expect(page.get_by_role("dialog")).to_be_visible()
        if close == "Escape":
            page.keyboard.press("Escape")
        else:
            _press_on(page, page.get_by_role("dialog").get_by_role("button", name="Chiudi"))
        expect(page.get_by_role("dialog")).to_be_hidden()
        expect(add).to_be_focused()
    edit = page.get_by_role("button", name="Modifica 10093.1")
    _press_on(page, edit)
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(edit).to_be_focused()
    delete = page.get_by_role("button", name="Elimina 10093.1")
    _press_on(page, delete)
    expect(page.get_by_role("alertdialog")).to_be_visible()
    _press_on(page, page.get_by_role("alertdialog").get_by_role("button", name="Annulla"))
    expect(page.get_by_role("alertdialog")).to_be_hidden()
    expect(delete).to_be_focused()
    logout = page.locator("#logout-button")
    _press_on(page, logout)
    expect(page.get_by_role("alertdialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(logout).to_be_focused()


CLIPPED = """() => {
    const out = [];
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1) {
        out.push(`page ${document.documentElement.scrollWidth} px wide`);
    }
    for (const el of document.querySelectorAll('main dd, main button, main h1, main h2, .notification-row *')) {
        if (el.closest("[role=region]") || el.closest(".sr-only")) continue;  // scrolls inside; hidden on purpose
        const style = getComputedStyle(el);
        if (!el.getClientRects().length || style.overflow === 'visible' && style.textOverflow !== 'ellipsis') {
            // visible overflow still shows its text: only a box that paints past the viewport counts
            const r = el.getBoundingClientRect();
            const words = (el.innerText || '').slice(0, 30);
            if (r.width && (r.right > innerWidth + 1 || r.left < -1)) out.push(`${el.tagName} "${words}" off screen`);
            continue;
        }
        if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName} "${el.innerText.slice(0, 30)}" clipped`);
    }
    return out;
}"""


# A value of a list of facts whose text runs past its card's edge (the card cuts it off).
OUT_OF_CARD = """() => [...document.querySelectorAll('dd')].flatMap(dd => {
    const card = dd.closest('.rt-Card');
    if (!card) return [];
    const range = document.createRange();
    range.selectNodeContents(dd);
    const text = range.getBoundingClientRect(), edge = card.getBoundingClientRect();
    return text.right > edge.right + 1 ? [`"${dd.innerText.slice(0, 30)}" runs out of its card`] : [];
})"""


def test_reflow_at_320_px(new_page, app, mailbox):
    page = signed_in_page(lambda: new_page(width=320, height=640), app, mailbox)
    ((iban_request,),) = db_rows(
        app,
        "select r.code from service_request r join customer c on c.id = r.customer_id "
        "where c.code = '10093' and r.form_key = 'iban_change' order by r.id limit 1",
    )
    problems = []
    for path, ready in (
        (f"/richieste/dettaglio?codice={iban_request}", "#request-history"),
        ("/beni-in-locazione", ".asset-card"),
        ("/notifiche", ".notification-row"),
        ("/fatture-e-pagamenti", "#billing-chart-summary"),
        ("/", "#home-overdue"),
        ("/contratti?numero=90317", "#contract-title"),
    ):
        visit(page, app, path)
        expect(page.locator(ready).first).to_be_visible()
        problems += [f"{path}: {line}" for line in page.evaluate(CLIPPED)]
    assert problems == [], "\n".join(problems)
    # From 381 px the facts of a request sit beside their labels again: they wrap inside their card.
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, app, f"/richieste/dettaglio?codice={iban_request}")
    expect(page.locator("#request-history")).to_be_visible()
    assert page.evaluate(OUT_OF_CARD) == []
    # The twelve months of the chart are given as text too, each with its amount.
    visit(page, app, "/fatture-e-pagamenti")
    page.get_by_text("Valori del grafico").click()
    expect(page.locator("#chart-values li")).to_have_count(13)
    expect(page.locator("#chart-values li").first).to_have_text("Scaduto: 962,32\u00a0€")


def test_the_users_own_data_says_what_it_is_for_autocomplete(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/profilo")
    expect(page.locator("#profile-primary-email")).to_have_attribute("autocomplete", "email")
    expect(page.locator("#profile-secondary-email")).to_have_attribute("autocomplete", "email")
    visit(page, app, "/richieste/nuova?modulo=address_change")
    expect(page.locator("#field-new_address")).to_have_attribute("autocomplete", "street-address")
    # a label belongs to a control; a computed value is named by its caption instead
    visit(page, app, "/richieste/nuova?modulo=iban_change")
    expect(page.locator("label[for='field-current_iban']")).to_have_count(0)
    expect(page.get_by_role("group", name="Codice IBAN attuale")).to_be_visible()


def test_a_refused_form_sends_focus_to_its_first_field_in_error(new_page, app, mailbox):
    page = signed_in_page(new_page, app, mailbox)
    visit(page, app, "/richieste/nuova?modulo=machine_ticket")
    expect(page.locator("#form-required-note")).to_have_text("I campi contrassegnati con * sono obbligatori.")
    _press_on(page, page.locator("#form-submit"))
    expect(page.locator("#form-error")).to_have_text("Controlla i campi evidenziati.")
    expect(page.locator("#field-ticket_type")).to_be_focused()
    expect(page.locator("#field-ticket_type")).to_have_attribute("aria-invalid", "true")
    # while the user corrects a field, focus stays where the user is
    page.locator("#field-subject").fill("Panoramico non si avvia")
    expect(page.locator("#field-subject")).to_be_focused()
