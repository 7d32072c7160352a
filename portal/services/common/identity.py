"""Checking what people type about themselves: codice fiscale, partita IVA, e-mail, PEC."""

from __future__ import annotations

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


def email_problem(value: str) -> str | None:
    address = value.strip()
    if not address:
        return "identity.email_required"
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


def contract_identity_problems(*, contract_number: str, module_number: str, tax_code: str) -> dict[str, str]:
    """What is wrong with the data a customer proves who they are with before signing in (contract
    number, module number, codice fiscale or partita IVA), field by field, as catalogue keys."""
    problems: dict[str, str] = {}
    if not contract_number.strip():
        problems["contract_number"] = "registration.contract_required"
    elif not contract_number.strip().isdigit():
        problems["contract_number"] = "registration.contract_digits"
    if not module_number.strip():
        problems["module_number"] = "registration.module_required"
    if problem := tax_code_problem(tax_code):
        problems["tax_code"] = problem
    return problems
