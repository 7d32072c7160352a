"""Checking what people type about themselves: codice fiscale, partita IVA, e-mail, PEC."""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import Address

from stdnum import exceptions as stdnum_errors
from stdnum.it import codicefiscale, iva

from portal.models.enums import Language

# Certified-mail (PEC) domains that do not say "pec" in their name.
PEC_PROVIDERS = frozenset(
    {
        "legalmail.it",
        "postacert.it",
        "postecert.it",
        "arubapec.it",
        "pecimprese.it",
        "cert.legalmail.it",
        "registerpec.it",
        "sicurezzapostale.it",
        "mypec.eu",
        "casellapec.com",
        "gigapec.it",
        "pec.it",
    }
)


def normalise_tax_code(value: str) -> str:
    return "".join(value.split()).upper()


def tax_code_problem(value: str) -> str | None:
    """None for a valid codice fiscale (16 characters, or 11 digits) or partita IVA."""
    code = normalise_tax_code(value)
    if not code:
        return "identity.tax_code_required"
    try:
        if code.isdigit():
            iva.validate(code)
        else:
            codicefiscale.validate(code)
    except stdnum_errors.ValidationError:
        return "identity.tax_code_invalid"
    return None


# What the portal accepts as an address (issue 11): plain ASCII (a look-alike letter from another
# alphabet, an invisible or combining character, a control character never passes), the usual
# characters of a local part, starting with a letter or digit (not "=", "+", "-", "@": no formula in
# an export), and the lengths of RFC 5321 (64 for the local part, 254 in all).
_ADDRESS = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._%+'-]{0,63}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
EMAIL_MAX = 254


def email_problem(value: str) -> str | None:
    if not isinstance(value, str):
        return "identity.email_invalid"
    address = value.strip()
    if not address:
        return "identity.email_required"
    if len(address) > EMAIL_MAX or not _ADDRESS.fullmatch(address):
        return "identity.email_invalid"
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, HeaderParseError, IndexError):
        return "identity.email_invalid"
    domain = parsed.domain
    if not parsed.username or "." not in domain or domain.startswith(".") or domain.endswith(".") or " " in address:
        return "identity.email_invalid"
    return None


def contact_problems(*, primary_email: str, secondary_email: str, language: str) -> dict[str, str]:
    """Problems (catalogue keys by field) of a user's e-mail addresses and language: the primary
    address is required, the secondary one optional, the language one of the portal's."""
    errors = {}
    if problem := email_problem(primary_email):
        errors["primary_email"] = problem
    if secondary_email.strip() and (problem := email_problem(secondary_email)):
        errors["secondary_email"] = problem
    if Language.parse(language) is None:
        errors["language"] = "subusers.language_invalid"
    return errors


def is_pec(address: str) -> bool:
    domain = address.strip().rsplit("@", 1)[-1].lower()
    labels = domain.split(".")
    return domain in PEC_PROVIDERS or any(
        label == "pec" or label.startswith("pec") or label.endswith("pec") for label in labels[:-1]
    )


CONTRACT_NUMBER_MAX = 20
_MODULE = re.compile(r"[A-Za-z0-9]{1,20}")


def contract_identity_problems(*, contract_number: str, module_number: str, tax_code: str) -> dict[str, str]:
    """What is wrong with the data a customer proves who they are with before signing in (contract
    number, module number, codice fiscale or partita IVA), field by field, as catalogue keys."""
    problems: dict[str, str] = {}
    if not contract_number.strip():
        problems["contract_number"] = "registration.contract_required"
    elif not (contract_number.strip().isascii() and contract_number.strip().isdigit()):
        problems["contract_number"] = "registration.contract_digits"
    elif len(contract_number.strip()) > CONTRACT_NUMBER_MAX:
        problems["contract_number"] = "registration.contract_too_long"
    if not module_number.strip():
        problems["module_number"] = "registration.module_required"
    elif not _MODULE.fullmatch(module_number.strip()):
        problems["module_number"] = "registration.module_invalid"
    if problem := tax_code_problem(tax_code):
        problems["tax_code"] = problem
    return problems
