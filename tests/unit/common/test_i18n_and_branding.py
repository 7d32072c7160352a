from __future__ import annotations

import datetime as dt
import re
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from portal import i18n
from portal.config import PROJECT_ROOT
from portal.services.common import pdf
from portal.services.common.branding import load_branding, load_branding_file, sync_tenant, tenant_of

NBSP = "\xa0"


def _base_keys(messages: dict[str, str]) -> set[str]:
    return {key.split(i18n.PLURAL)[0] for key in messages}


def test_catalogues_have_the_same_keys():
    assert _base_keys(i18n.CATALOGUES["it"]) == _base_keys(i18n.CATALOGUES["en"])
    for lang, messages in i18n.CATALOGUES.items():
        assert all(text.strip() for text in messages.values()), lang
        counted = {key.split(i18n.PLURAL)[0] for key in messages if i18n.PLURAL in key}
        # a counted noun always has the "other" form, the one every CLDR language has
        assert all(f"{key}{i18n.PLURAL}other" in messages for key in counted), lang


def test_counted_nouns_follow_cldr_plural_rules():
    assert i18n.translate("it", "home.contracts_count", count=1) == "1 Contratto"
    assert i18n.translate("it", "home.contracts_count", count=0) == "0 Contratti"
    assert i18n.translate("it", "home.assets_count", count=5) == "5 Beni"
    assert i18n.translate("en", "home.assets_count", count=1) == "1 Asset"
    assert i18n.translate("en", "home.more_contracts", count=1) == "1 more active contract"
    assert i18n.translate("it", "home.more_contracts", count=3) == "Altri 3 contratti attivi"
    # Italian has a "many" category (millions); with no entry of its own it reads as "other"
    assert i18n.plural_category("it", 1_000_000) == "many"
    assert i18n.translate("it", "statement.months", count=1_000_000) == "1000000 mesi"
    assert i18n.translate("it", "statement.months", count=1) == "1 mese"


def test_a_third_language_is_one_catalogue_and_nothing_else(tmp_path, monkeypatch):
    """French arrives as one module: the portal lists it, speaks it where it has words, falls back to
    Italian elsewhere, counts with French rules (0 is singular) and formats money the French way."""
    (tmp_path / "fr.py").write_text(
        'LOCALE = "fr_FR"\n'
        "MESSAGES = {\n"
        '    "language.fr": "Français",\n'
        '    "menu.billing": "Factures et paiements",\n'
        '    "home.contracts_count|one": "{count} contrat",\n'
        '    "home.contracts_count|other": "{count} contrats",\n'
        "}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "__path__", [*i18n.__path__, str(tmp_path)])
    try:
        i18n.load_catalogues()
        assert i18n.LANGUAGES == ("it", "en", "fr")
        assert i18n.translate("fr", "language.fr") == "Français"
        assert i18n.translate("fr", "menu.billing") == "Factures et paiements"
        assert i18n.translate("fr", "menu.contracts") == "Contratti"  # not translated yet: the default language
        assert i18n.translate("fr", "home.contracts_count", count=0) == "0 contrat"
        assert i18n.translate("fr", "home.contracts_count", count=2) == "2 contrats"
        assert i18n.money(D("2316.38"), "fr") == "2\u202f316,38\xa0€"
        assert i18n.long_date(dt.date(2024, 4, 5), "fr") == "vendredi 5 avril 2024"
    finally:
        monkeypatch.undo()
        sys.modules.pop("portal.i18n.fr", None)
        i18n.load_catalogues()
    assert i18n.LANGUAGES == ("it", "en")


def test_every_key_used_in_code_exists():
    used = set()
    for path in (PROJECT_ROOT / "portal").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\btr\("([a-z_.]+)"\)', source))
        used |= set(re.findall(r'_t\("([a-z_.]+)"', source))
        used |= set(re.findall(r'translate\([^,]+, "([a-z_.]+)"', source))
        used |= set(re.findall(r'\bt\("([a-z_.]+)"', source))  # the local t = translate(lang, ...) helpers
        used |= set(
            re.findall(r'"((?:mail|pdf|statement|billing|notice|documents|plan|contracts|assets)\.[a-z_.]+)"', source)
        )
    missing = {key for key in used if not i18n.is_known(key)}
    assert missing == set(), missing


def test_babel_formats_as_the_seeds():
    assert i18n.money(D("2316.38"), "it") == f"2.316,38{NBSP}€"
    assert i18n.money(D("2316.38"), "en") == "€2,316.38"
    assert i18n.short_date(dt.date(2024, 4, 30), "it") == "30/04/24"
    assert i18n.long_date(dt.date(2024, 4, 5), "it") == "venerdì 5 aprile 2024"
    assert i18n.long_date(dt.date(2024, 4, 5), "en") == "Friday, 5 April 2024"
    assert i18n.percent(D("0.0325"), "it") == "3,250%"
    assert i18n.date_time(dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.UTC), "it") == "01/07/24 14:00"
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
    assert tenant_of(session=db, tenant_id=tenant.id) is tenant
    with pytest.raises(LookupError, match="no tenant"):
        tenant_of(session=db, tenant_id=tenant.id + 1000)


def test_an_unreadable_logo_is_named_in_the_error():
    with pytest.raises(ValueError, match="no-such-logo.svg"):
        pdf._logo("no-such-logo.svg", 10.0)
