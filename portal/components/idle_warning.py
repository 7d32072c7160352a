"""The idle-timeout warning (WCAG 2.2.1) and the draft of an unsent form kept across the sign-in.

The timer runs in the page: the user's keys and clicks tell the server at most every minute (a
quarter of the timeout when it is shorter) that someone is there (`IdleState.keep_alive`); the
warning shows `warning_seconds` before the end with a "Resta collegato" button; when time runs out,
the form being written is kept in this tab (sessionStorage, by user and page, never passwords or
files) and the session ends; after signing in again the same page opens with the draft back in it.
"""

from __future__ import annotations

import reflex as rx

from portal.components.hooks import use_effect
from portal.state.i18n import tr
from portal.state.idle import IdleState
from portal.state.session import SessionState

_TIMER = """
useEffect(() => {
  const idleMs = Number(%(idle)s) * 1000, warnMs = Number(%(warn)s) * 1000;
  const pingEveryMs = Math.min(60000, idleMs / 4);
  // Shared by the tabs of this browser: one busy tab keeps the others from ending the session.
  const SHARED = 'portal_idle_last_ping';
  const w = (window.__portalIdle = window.__portalIdle || {lastPing: 0, pinged: false, shown: false, opener: null});
  const byId = (id) => document.getElementById(id);
  const lastPing = () => Math.max(w.lastPing, Number(localStorage.getItem(SHARED) || 0));
  const draftKey = () => { const box = byId('idle-warning');
    return box ? 'portal_draft:' + box.dataset.user + ':' + location.pathname + location.search : null; };
  const ping = () => { const button = byId('idle-ping'); if (!button) return;
    button.click(); w.lastPing = Date.now(); localStorage.setItem(SHARED, String(w.lastPing)); };
  const hide = () => { const box = byId('idle-warning'); w.shown = false; if (!box || box.hidden) return;
    box.hidden = true; if (w.opener && w.opener.isConnected) { w.opener.focus(); } w.opener = null; };
  const fields = (form) => Array.from(form.querySelectorAll('input[id], textarea[id], select[id]')).filter(
    (el) => !['password', 'file', 'hidden', 'submit', 'button'].includes((el.type || '').toLowerCase()));
  const saveDraft = () => { const form = document.querySelector('main form'); const key = draftKey();
    if (!form || !key) return; const values = {};
    for (const el of fields(form)) { values[el.id] = el.type === 'checkbox' ? (el.checked ? 'on' : '') : el.value; }
    if (Object.values(values).some((v) => v !== '')) {
      sessionStorage.setItem(key, JSON.stringify({at: Date.now(), values: values})); } };
  const restoreDraft = () => { const key = draftKey(); const saved = key && sessionStorage.getItem(key);
    const form = document.querySelector('main form');
    if (!saved || !form) return false;
    sessionStorage.removeItem(key); const draft = JSON.parse(saved);
    if (Date.now() - draft.at > 12 * 3600 * 1000) return true;
    // Choices first: a later list (the asset) may depend on an earlier one (the contract).
    const ordered = fields(form).sort((a, b) => (b.tagName === 'SELECT') - (a.tagName === 'SELECT'));
    for (const el of ordered) { if (!(el.id in draft.values) || el.type === 'checkbox') continue;
      const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value').set;
      setter.call(el, draft.values[el.id]);
      el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', {bubbles: true})); }
    const notice = byId('draft-restored'); if (notice) { notice.hidden = false; }
    return true; };
  const onActivity = (event) => { if (!byId('idle-warning')) return;
    const inWarning = !!(event.target && event.target.closest && event.target.closest('#idle-warning'));
    if (w.shown && !inWarning) return;  // while warned, only the warning's button keeps the session
    if (w.shown || Date.now() - lastPing() >= pingEveryMs) { ping(); hide(); } };
  let restored = false, readyTicks = 0;
  const tick = () => { const box = byId('idle-warning'); if (!box) return;
    if (!w.pinged) { w.pinged = true; ping(); }
    if (!restored && document.querySelector('main[data-hydrated="true"] form')) {
      readyTicks += 1; if (readyTicks >= 2) { restored = restoreDraft() || readyTicks > 5; } }
    const left = lastPing() + idleMs - Date.now();
    if (left <= 0) { clearInterval(timer); saveDraft();
      const end = byId('idle-expire'); if (end) { end.click(); } return; }
    if (left > warnMs) { hide(); return; }
    byId('idle-countdown').textContent = String(Math.ceil(left / 1000));
    if (!w.shown) { w.shown = true; w.opener = document.activeElement; box.hidden = false; byId('idle-stay').focus(); }
  };
  const timer = setInterval(tick, 1000);
  for (const kind of ['keydown', 'pointerdown']) { document.addEventListener(kind, onActivity, true); }
  return () => { clearInterval(timer);
    for (const kind of ['keydown', 'pointerdown']) { document.removeEventListener(kind, onActivity, true); } };
}, []);
"""


class IdleTimer(rx.Fragment):
    def add_hooks(self) -> list[str | rx.Var]:
        idle, warn = rx.Var.create(IdleState.idle_seconds), rx.Var.create(IdleState.warning_seconds)
        code = _TIMER % {"idle": str(idle), "warn": str(warn)}
        return [use_effect(code, idle, warn)]


def idle_warning() -> rx.Component:
    """Rendered for a signed-in user only; the timer finds its elements by id."""
    return rx.fragment(
        IdleTimer.create(),
        rx.cond(
            SessionState.signed_in,
            rx.fragment(
                rx.el.div(
                    rx.el.h2(tr("idle.title"), id="idle-title", class_name="portal-idle-title"),
                    rx.el.p(tr("idle.before"), " ", rx.el.span("", id="idle-countdown"), " ", tr("idle.after")),
                    rx.button(tr("idle.stay"), id="idle-stay", type="button", on_click=IdleState.keep_alive),
                    id="idle-warning",
                    role="alertdialog",
                    aria_labelledby="idle-title",
                    hidden=True,
                    class_name="portal-idle-warning",
                    data_user=SessionState.username,
                ),
                rx.el.button(
                    id="idle-ping", on_click=IdleState.keep_alive, hidden=True, tab_index=-1, aria_hidden="true"
                ),
                rx.el.button(
                    id="idle-expire", on_click=IdleState.expire, hidden=True, tab_index=-1, aria_hidden="true"
                ),
            ),
        ),
    )


def draft_notice() -> rx.Component:
    """Shown by the timer above the content when a draft came back into the form."""
    return rx.el.p(
        tr("idle.draft_restored"), id="draft-restored", role="status", hidden=True, class_name="portal-draft"
    )
