"""Tenant branding and legal data, read from tenants/<slug>.toml (configuration, not code)."""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from pathlib import Path

from sqlmodel import Session, select

from portal.config import PROJECT_ROOT
from portal.models import Tenant

TENANTS_DIR = PROJECT_ROOT / "tenants"
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
RADIX_SCALES = {
    "tomato",
    "red",
    "ruby",
    "crimson",
    "pink",
    "plum",
    "purple",
    "violet",
    "iris",
    "indigo",
    "blue",
    "cyan",
    "teal",
    "jade",
    "green",
    "grass",
    "brown",
    "orange",
    "sky",
    "mint",
    "lime",
    "yellow",
    "amber",
    "gold",
    "bronze",
    "gray",
}


@dataclasses.dataclass(frozen=True)
class Branding:
    slug: str
    name: str
    legal_name: str
    logo: str
    primary_color: str
    accent_color: str
    legal_footer: str
    vat_number: str
    fiscal_code: str
    street: str
    postal_code: str
    city: str
    province: str
    country: str
    pec: str
    support_email: str
    support_phone: str
    rea_office: str
    rea_number: str
    share_capital: str
    # Optional: where the accessibility statement's feedback form writes (the support address if unset).
    accessibility_email: str = ""


def load_branding_file(path: Path) -> Branding:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    fields = {field.name for field in dataclasses.fields(Branding)}
    optional = {field.name for field in dataclasses.fields(Branding) if field.default is not dataclasses.MISSING}
    missing = fields - optional - data.keys()
    if missing:
        raise ValueError(f"{path.name}: missing {', '.join(sorted(missing))}")
    branding = Branding(**{key: str(data[key]).strip() for key in fields if key in data})
    if not branding.accessibility_email:
        branding = dataclasses.replace(branding, accessibility_email=branding.support_email)
    if not _HEX_COLOUR.match(branding.primary_color):
        raise ValueError(f"{path.name}: primary_color must look like #0b3a6e")
    if branding.accent_color not in RADIX_SCALES:
        raise ValueError(f"{path.name}: accent_color must be one of {sorted(RADIX_SCALES)}")
    if not (PROJECT_ROOT / "assets" / branding.logo).is_file():
        raise ValueError(f"{path.name}: logo assets/{branding.logo} does not exist")
    return branding


@functools.cache
def load_branding(slug: str) -> Branding:
    return load_branding_file(TENANTS_DIR / f"{slug}.toml")


_COPIED_FIELDS = (
    "name",
    "legal_name",
    "legal_footer",
    "primary_color",
    "accent_color",
    "vat_number",
    "fiscal_code",
    "street",
    "postal_code",
    "city",
    "province",
    "country",
    "pec",
    "support_email",
    "support_phone",
    "rea_office",
    "rea_number",
    "share_capital",
)


def sync_tenant(*, session: Session, branding: Branding) -> Tenant:
    """Create or update the tenant row so the database follows the configuration file."""
    values = {field: getattr(branding, field) for field in _COPIED_FIELDS}
    values["logo_path"] = branding.logo
    tenant = session.exec(select(Tenant).where(Tenant.slug == branding.slug)).first()
    if tenant is None:
        tenant = Tenant(slug=branding.slug, **values)
    else:
        for field, value in values.items():
            setattr(tenant, field, value)
    session.add(tenant)
    session.flush()
    return tenant


def tenant_id_of(*, session: Session, slug: str) -> int:
    """The id of the leasing company whose branding is `slug` (it exists once the seed or sync ran)."""
    return session.exec(select(Tenant.id).where(Tenant.slug == slug)).one()


def tenant_of(*, session: Session, tenant_id: int) -> Tenant:
    """The leasing company of a row that names it (a foreign key: a missing one is a bug)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError(f"no tenant {tenant_id}")
    return tenant
