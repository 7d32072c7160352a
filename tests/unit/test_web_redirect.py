"""Finding 3 (issue 11): after login the portal sends the user back only to one of its own pages.

`safe_next` receives the `next` query parameter already decoded once (parse_qs), so each hostile
value is tried both as it arrives decoded and as its raw, still-encoded form.
"""

from __future__ import annotations

import pytest

from portal import routes

HOSTILE = [
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "/%2f/evil.example",
    "/%2F%2Fevil.example",
    "/%5cevil.example",
    "/%5c%5cevil.example",
    "//evil",
    "//evil.example/",
    "///evil.example",
    "////evil.example",
    "/\\evil",
    "/\\\\evil",
    "\\\\evil",
    "\\/evil",
    "/\\/evil.example",
    "https:evil",
    "https:evil.example",
    "https://evil.example",
    "https:/evil.example",
    "http://127.0.0.1:3000/",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "evil.example",
    "@evil.example",
    "/@evil.example",
    "//user@evil.example",
    "/ /evil.example",
    " /contratti",
    "/contratti ",
    "/contratti\t",
    "/contratti\x00",
    "/contratti\x7f",
    "/contratti\u2028",
    "/contratti\u200b",
    "/\u2215\u2215evil.example",
    "/\uff0f\uff0fevil.example",
    "/contratti#//evil.example",
    "/contratti/..//evil.example",
    "/contratti/../../evil.example",
    "/./evil.example",
    "/..",
    "/login",
    "/login?next=//evil.example",
    "/reimposta-password?token=x",
    "/registrazione",
    "/dev/mailbox",
    "/api/sessione",
    "/api/download/abc",
    "/_upload",
    "/_event",
    "/non-esiste",
    '/contratti"onload="x',
    "/contratti'><script>",
    "/contratti<script>",
    "/" + "a" * 600,
    "/contratti?" + "a" * 600,
    "",
    None,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_next_lands_on_home(value):
    assert routes.safe_next(value) == routes.HOME


@pytest.mark.parametrize("value", [v for v in HOSTILE if v])
def test_hostile_next_is_not_remembered_by_the_login_link(value):
    assert routes.login_url(value) == routes.LOGIN


@pytest.mark.parametrize(
    ("value", "landing"),
    [
        ("/", "/"),
        ("/contratti", "/contratti"),
        ("/contratti/", "/contratti"),
        ("/contratti?numero=AL-2024-00017", "/contratti?numero=AL-2024-00017"),
        ("/richieste/dettaglio?codice=RQ-2026-000012", "/richieste/dettaglio?codice=RQ-2026-000012"),
        ("/fatture-e-pagamenti?numero=A%2FB", "/fatture-e-pagamenti?numero=A%2FB"),
        ("/operatore/richieste", "/operatore/richieste"),
        ("/profilo", "/profilo"),
    ],
)
def test_portal_pages_are_kept(value, landing):
    assert routes.safe_next(value) == landing


def test_login_link_keeps_a_portal_page_encoded():
    assert routes.login_url("/contratti?numero=AL-1") == "/login?next=%2Fcontratti%3Fnumero%3DAL-1"
