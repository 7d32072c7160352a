"""What a typed text and an address may hold (issue 11): the rules every form's fields apply."""

from __future__ import annotations

import pytest

from portal.services.common.identity import contract_identity_problems, email_problem
from portal.services.common.text import BAD_CHARACTERS, NOT_TEXT, form_texts, text_problem


@pytest.mark.parametrize(
    "value", ["Mario Rossi", "Perché è così", "مرحبا", "👩‍💻", "e\u0301", '=HYPERLINK("x") <b>', ""]
)
def test_ordinary_text_passes(value):
    assert text_problem(value) is None


@pytest.mark.parametrize("value", [None, ["x"], {"a": 1}, 3, 2.5, True])
def test_what_is_not_a_string_is_refused(value):
    assert text_problem(value) == NOT_TEXT


@pytest.mark.parametrize(
    "value", ["a\x00b", "a\x1bb", "a\x7fb", "a\u202eb", "a\u202ab", "a\u2066b", "a\u2069b", "a\ud800b", "a\udfffb"]
)
def test_control_bidi_and_surrogate_characters_are_refused(value):
    assert text_problem(value) == BAD_CHARACTERS
    assert text_problem(value, multiline=True) == BAD_CHARACTERS


def test_line_breaks_only_where_the_field_has_lines():
    assert text_problem("a\r\nb\tc") == BAD_CHARACTERS
    assert text_problem("a\r\nb\tc", multiline=True) is None


def test_form_texts_reads_missing_and_null_as_empty_and_reports_the_rest():
    texts, problems = form_texts({"a": "x", "b": None, "c": ["x"], "d": "x\x00"}, ("a", "b", "c", "d", "e"))
    assert texts == {"a": "x", "b": "", "c": "", "d": "", "e": ""}
    assert problems == {"c": NOT_TEXT, "d": BAD_CHARACTERS}
    assert form_texts(["not", "a", "form"], ("a",)) == ({"a": ""}, {})


@pytest.mark.parametrize("address", ["mario.rossi@example.it", "o'neil+tag@mail.example.co.uk", "a_b-c%d@x-y.it"])
def test_plain_addresses_pass(address):
    assert email_problem(address) is None


@pytest.mark.parametrize(
    "address",
    [
        "a" * 65 + "@example.it",  # local part over 64
        "a@" + "b" * 250 + ".it",  # over 254 in all
        "рaypal@example.it",  # Cyrillic first letter
        "ma\u200brio@example.it",  # zero width
        "mario\u0301@example.it",  # combining accent
        "mario\x00@example.it",
        "mario@example.it\r\nBcc: spy@evil.example",
        '"<script>"@example.it',
        "=HYPERLINK(1)@example.it",
        "+cmd@example.it",
        "mario@localhost",
        "mario@@example.it",
        ["mario@example.it"],
    ],
)
def test_unusual_addresses_are_refused(address):
    assert email_problem(address) == "identity.email_invalid"


def test_contract_identity_lengths():
    ok = {"contract_number": "1234567", "module_number": "1", "tax_code": "09158730961"}
    assert contract_identity_problems(**ok) == {}
    assert contract_identity_problems(**{**ok, "contract_number": "9" * 21}) == {
        "contract_number": "registration.contract_too_long"
    }
    assert contract_identity_problems(**{**ok, "contract_number": "١٢٣"}) == {
        "contract_number": "registration.contract_digits"
    }
    for module in ("A" * 21, "1\x00", "1 OR 1=1"):
        assert contract_identity_problems(**{**ok, "module_number": module}) == {
            "module_number": "registration.module_invalid"
        }
