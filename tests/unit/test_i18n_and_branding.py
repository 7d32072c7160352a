from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D
from pathlib import Path

import pytest

from portal import i18n
from portal.config import PROJECT_ROOT
from portal.services.branding import load_branding, load_branding_file, sync_tenant

NBSP = "\xa0"


def test_catalogues_have_the_same_keys():
    assert set(i18n.CATALOGUES["it"]) == set(i18n.CATALOGUES["en"])
    for lang, messages in i18n.CATALOGUES.items():
        assert all(text.strip() for text in messages.values()), lang


def test_every_key_used_in_code_exists():
    used = set()
    for path in (PROJECT_ROOT / "portal").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\btr\("([a-z_.]+)"\)', source))
        used |= set(re.findall(r'_t\("([a-z_.]+)"', source))
        used |= set(re.findall(r'translate\([^,]+, "([a-z_.]+)"', source))
        used |= set(re.findall(r'\bt\("([a-z_.]+)"', source))  # the local t = translate(lang, ...) helpers
        used |= set(re.findall(r'"((?:mail|pdf|statement|billing|notice|documents|plan|contracts|assets)\.[a-z_.]+)"', source))
    missing = used - set(i18n.CATALOGUES["it"])
    assert not missing, missing


def test_babel_formats_as_the_seeds():
    assert i18n.money(D("2316.38"), "it") == f"2.316,38{NBSP}€"
    assert i18n.money(D("2316.38"), "en") == "€2,316.38"
    assert i18n.short_date(dt.date(2024, 4, 30), "it") == "30/04/24"
    assert i18n.long_date(dt.date(2024, 4, 5), "it") == "venerdì 5 aprile 2024"
    assert i18n.long_date(dt.date(2024, 4, 5), "en") == "Friday, 5 April 2024"
    assert i18n.percent(D("0.0325"), "it") == "3,250%"
    assert i18n.date_time(dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.timezone.utc), "it") == "01/07/24 14:00"
    assert i18n.translate("xx", "menu.billing") == "Fatture e pagamenti"


def test_branding_comes_from_configuration(tmp_path: Path, db):
    brand = load_branding("aurora")
    assert brand.name == "Aurora Leasing" and brand.primary_color.startswith("#")
    tenant = sync_tenant(session=db, branding=brand)
    assert tenant.legal_footer == brand.legal_footer and tenant.logo_path == brand.logo
    text = (PROJECT_ROOT / "tenants" / "aurora.toml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('primary_color = "#0b3a6e"', 'primary_color = "blue"'), encoding="utf-8")
    with pytest.raises(ValueError, match="primary_color"):
        load_branding_file(broken)
    missing = tmp_path / "missing.toml"
    missing.write_text(text.replace('name = "Aurora Leasing"\n', ""), encoding="utf-8")
    with pytest.raises(ValueError, match="missing name"):
        load_branding_file(missing)
