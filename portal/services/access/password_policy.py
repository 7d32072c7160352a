"""Password rules of OWASP ASVS 5 / NIST SP 800-63B: length, not common, not personal.

No composition rules (no forced digits or symbols); spaces and any Unicode are allowed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
_LIST = Path(__file__).with_name("data") / "common_passwords.txt"
# "Password2024!" is "password" with decoration: strip trailing digits and symbols too.
_DECORATION = re.compile(r"[\d\W_]+$")


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def password_problem(password: str, *, username: str = "", fiscal_code: str = "") -> str | None:
    """The catalogue key of the first rule the password breaks, or None when it is acceptable."""
    length = len(unicodedata.normalize("NFKC", password))
    if length < MIN_LENGTH:
        return "password.too_short"
    if length > MAX_LENGTH:
        return "password.too_long"
    candidate = _normalised(password)
    common = common_passwords()
    if candidate in common or _DECORATION.sub("", candidate) in common or candidate.strip() in common:
        return "password.too_common"
    if len(set(candidate)) <= 2:
        return "password.too_common"
    if username and _normalised(username.split(".")[0]) in candidate:
        return "password.contains_username"
    if fiscal_code and _normalised(fiscal_code) in candidate:
        return "password.contains_fiscal_code"
    return None
