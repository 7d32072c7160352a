"""Issue 13: a backend process dies (SIGKILL) under a browser tab served through nginx; the tab goes
on through the other backend with its state (kept in Redis), no new sign-in, no error shown.

Two tabs: a signed-in customer, who keeps browsing; and a sign-in halfway (password given, code
awaited), whose pending step exists only in the server's state of that tab: after the failover the
code step is still there and the code signs the customer in. With each backend keeping its own
states (DEPLOY_STATE_MANAGER=memory) the second tab falls back to the password step: the test fails.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, WebSocket, expect

from portal.seed.demo import DEMO_PASSWORD
from tests.deploy.conftest import CUSTOMER, Backend, Topology
from tests.e2e.conftest import address_of, login, submit_password, wait_ready

TOKEN = re.compile(r"[?&]token=([0-9a-f-]+)")
SWITCH_TIMEOUT = 30  # s: the tab reconnects within a few seconds


class Tab:
    """A browser tab and what it tells: its websockets' tokens, new tokens handed to it, errors."""

    def __init__(self, page: Page):
        self.page = page
        self.tokens: list[str] = []
        self.new_tokens: list[str] = []
        self.errors: list[str] = []
        page.on("websocket", self._watch)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", lambda message: self._console(message.type, message.text))

    def _console(self, kind: str, text: str) -> None:
        # The browser reports the websocket it lost when its backend died: that is the test's doing.
        if kind == "error" and "WebSocket" not in text and "ERR_CONNECTION" not in text:
            self.errors.append(f"console: {text}")

    def _watch(self, socket: WebSocket) -> None:
        if found := TOKEN.search(socket.url):
            self.tokens.append(found.group(1))
        socket.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        text = payload if isinstance(payload, str) else ""
        if '"new_token"' in text:
            self.new_tokens.append(text)

    def error_toasts(self) -> list[str]:
        return self.page.locator("[data-sonner-toast][data-type='error']").all_inner_texts()


def _only_server(topology: Topology) -> Backend:
    """The backend holding the tab's websocket (each tab test opens one at a time)."""
    deadline = time.monotonic() + SWITCH_TIMEOUT
    while time.monotonic() < deadline:
        serving = topology.serving()
        if len(serving) == 1:
            return serving[0]
        time.sleep(0.2)
    raise AssertionError(f"no single backend serves the tab: {[b.name for b in topology.serving()]}")


def _fail_over(topology: Topology, tab: Tab) -> tuple[Backend, Backend, float]:
    """SIGKILL the tab's backend; wait until the other one holds the tab's websocket again."""
    dead = _only_server(topology)
    other = next(backend for backend in topology.backends if backend is not dead)
    before = other.open_websockets()
    sockets = len(tab.tokens)
    started = time.monotonic()
    dead.kill()
    deadline = started + SWITCH_TIMEOUT
    while time.monotonic() < deadline and not (other.open_websockets() > before and len(tab.tokens) > sockets):
        tab.page.wait_for_timeout(100)  # lets Playwright deliver the tab's events meanwhile
    assert other.open_websockets() > before, f"the tab did not reconnect to {other.name}"
    return dead, other, time.monotonic() - started


def test_a_tab_survives_the_death_of_its_backend(topology, browser, mailbox):
    app = topology.app
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    contexts = [context]
    try:
        # 1. A signed-in customer on Home, then on Contratti through the menu.
        tab = Tab(context.new_page())
        page = tab.page
        page.set_default_timeout(20_000)
        login(page, app, CUSTOMER, DEMO_PASSWORD, mailbox)
        page.wait_for_url(app.url("/"))
        wait_ready(page)
        name = page.locator("#header-user-name").inner_text()
        assert name.strip()
        signed_in_token, first_socket = tab.tokens[-1], len(tab.tokens) - 1  # the sign-in reloaded the page

        dead, other, switched = _fail_over(topology, tab)
        topology.timer.figures["signed_in_tab_switch"] = round(switched, 1)
        expect(page.locator("#header-user-name")).to_have_text(name)
        page.get_by_role("link", name="Contratti").first.click()
        page.wait_for_url(app.url("/contratti"))
        wait_ready(page)
        expect(page.locator("#header-user-name")).to_have_text(name)
        page.get_by_role("link", name="Home").first.click()
        page.wait_for_url(app.url("/"))
        wait_ready(page)
        expect(page.locator("#header-user-name")).to_have_text(name)
        assert page.url == app.url("/"), "the tab was sent to sign in again"
        assert tab.new_tokens == [], f"the tab was given a new token (its state left behind): {tab.new_tokens}"
        assert set(tab.tokens[first_socket:]) == {signed_in_token}, f"the tab changed tokens: {tab.tokens}"
        assert tab.error_toasts() == [] and tab.errors == []

        # The dead backend comes back; nginx serves both again.
        with topology.timer.step("backend_restart"):
            dead.start()
            dead.wait_ready()

        # 2. A sign-in halfway, in another browser: the code step lives only in the server's state of this tab.
        other_browser = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
        contexts.append(other_browser)
        halfway = Tab(other_browser.new_page())
        second = halfway.page
        second.set_default_timeout(20_000)
        since = mailbox.mark()
        submit_password(second, app, CUSTOMER, DEMO_PASSWORD)
        expect(second.locator("#login-code")).to_be_visible()
        code = mailbox.code(address_of(app, CUSTOMER), since)
        page.close()  # one tab open: the backend serving it is the one with a websocket
        _, _, switched = _fail_over(topology, halfway)
        topology.timer.figures["half_signed_in_tab_switch"] = round(switched, 1)
        wait_ready(second)
        expect(second.locator("#login-code")).to_be_visible()
        second.locator("#login-code").fill(code)
        before_sign_in = list(halfway.tokens)  # the sign-in itself reloads the page, with a new token
        second.locator("#code-submit").click()
        second.wait_for_url(app.url("/"))
        wait_ready(second)
        expect(second.locator("#header-user-name")).to_have_text(name)
        assert halfway.new_tokens == [] and len(set(before_sign_in)) == 1, (halfway.new_tokens, before_sign_in)
        assert halfway.error_toasts() == [] and halfway.errors == []
    finally:
        for opened in contexts:
            opened.close()
    logged = [line for backend in topology.backends for line in backend.log_lines() if line.get("level") == "error"]
    assert logged == [], f"the backends logged errors: {logged}"
    # The logs of the sign-ins, through the real stack: no password, no code, in any line (JSON or not).
    written = "".join(backend.log_path.read_text(encoding="utf-8", errors="replace") for backend in topology.backends)
    written += (topology.nginx_log.parent / "access.log").read_text(encoding="utf-8", errors="replace")
    assert DEMO_PASSWORD not in written and code not in written
    audited = [line["message"] for backend in topology.backends for line in backend.log_lines()]
    assert sum(message.startswith("audit login.success ") for message in audited) == 2
