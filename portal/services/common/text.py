"""What a typed text may hold (issue 11): a string, without control characters (a line break only
where the field has several lines), without the invisible characters that reorder text on screen
(bidirectional embeddings, overrides and isolates: "fattura\u202efdp.exe" shows as "fatturaexe.pdf"),
and without lone surrogates (not text at all: no database or JSON encoder accepts them).

Formula-looking text ("=HYPERLINK(…)") is ordinary text here: the Excel writer stores it as text
(services/common/xlsx.py), and the pages render everything as text, never as markup.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

NOT_TEXT = "forms.not_text"
BAD_CHARACTERS = "forms.bad_characters"
LINE_BREAKS = frozenset("\n\r\t")
BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def text_problem(value: object, *, multiline: bool = False) -> str | None:
    """None for acceptable text; else the catalogue key of what is wrong with it."""
    if not isinstance(value, str):
        return NOT_TEXT
    for char in value:
        if char in BIDI_CONTROLS:
            return BAD_CHARACTERS
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and not (multiline and char in LINE_BREAKS)):
            return BAD_CHARACTERS
    return None


def form_texts(
    form_data: object, names: tuple[str, ...], *, multiline: tuple[str, ...] = ()
) -> tuple[dict[str, str], dict[str, str]]:
    """The fields `names` of a submitted form, as (texts, problems by field). A missing or null
    field is empty text; a field that is not acceptable text is reported and read as empty."""
    data: Mapping[str, object] = form_data if isinstance(form_data, Mapping) else {}
    texts, problems = {}, {}
    for name in names:
        value = data.get(name)
        value = "" if value is None else value
        problem = text_problem(value, multiline=name in multiline)
        if problem:
            problems[name] = problem
            texts[name] = ""
        else:
            texts[name] = str(value)
    return texts, problems
