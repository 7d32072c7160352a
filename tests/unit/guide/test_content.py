"""Parsing the guide's Markdown files, the built-in content, a tenant's own files, and reading a
file again when it changes."""

from __future__ import annotations

import os

from portal.services.guide.content import (
    DEFAULT_DIR,
    fill_in,
    load_document,
    load_guide,
    parse_faq,
    parse_section,
    split_front_matter,
)


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _built_in(root):
    _write(root / "it" / "billing.md", "---\ntitle: Fatture\norder: 20\n---\nLe **fatture**.\n")
    _write(root / "it" / "home.md", "# Home\n\nLa pagina iniziale.\n")
    _write(root / "it" / "faq.md", "# Domande\n\nIntro.\n\n## Prima? {#first}\n\nUno.\n\n## Seconda?\n\nDue.\n")
    _write(root / "en" / "billing.md", "---\ntitle: Invoices\norder: 20\n---\nThe invoices.\n")
    return root


def test_front_matter_and_title():
    assert split_front_matter("---\ntitle: A: b\norder: 3\n---\nbody") == ({"title": "A: b", "order": "3"}, "body")
    assert split_front_matter("no front matter\n---\n") == ({}, "no front matter\n---\n")
    section = parse_section("billing", "# Fatture e pagamenti\n\nTesto *qui*.\n", 2)
    assert section is not None
    assert (section.title, section.body, section.order) == ("Fatture e pagamenti", "Testo *qui*.", 1002)
    # A heading that is not the first thing stays in the body; the key is the title.
    section = parse_section("x", "Prima riga.\n# Titolo\n", 0)
    assert section is not None
    assert (section.title, section.body) == ("x", "Prima riga.\n# Titolo")
    assert parse_section("gone", "  \n") is None


def test_faq_entries_anchors_and_intro():
    title, intro, questions = parse_faq(
        "# FAQ\n\nCiao.\n\n## Uno? {#one}\n\nA.\n\n## Due?\n\nB\n\nC.\n\n## Tre? {#one}\n"
    )
    assert (title, intro) == ("FAQ", "Ciao.")
    assert [(q.key, q.question, q.answer) for q in questions] == [
        ("one", "Uno?", "A."),
        ("q2", "Due?", "B\n\nC."),
        ("one-3", "Tre?", ""),
    ]


def test_sections_are_ordered_and_languages_fall_back(tmp_path):
    root = _built_in(tmp_path / "default")
    guide = load_guide(lang="it", tenant=None, tenants_dir=tmp_path / "tenants", default_dir=root)
    # home.md has no order: after the ordered ones
    assert [(s.key, s.title) for s in guide.sections] == [("billing", "Fatture"), ("home", "Home")]
    assert guide.faq_title == "Domande" and guide.faq_intro == "Intro."
    assert [q.key for q in guide.questions] == ["first", "q2"]
    # A language without a folder reads the default language's guide.
    assert load_guide(lang="de", tenant=None, tenants_dir=tmp_path, default_dir=root).lang == "it"
    english = load_guide(lang="en", tenant=None, tenants_dir=tmp_path, default_dir=root)
    assert [s.title for s in english.sections] == ["Invoices"] and english.questions == ()


def test_a_tenant_replaces_adds_and_hides(tmp_path):
    root = _built_in(tmp_path / "default")
    tenants = tmp_path / "tenants"
    _write(tenants / "acme" / "guide" / "it" / "billing.md", "# Le nostre fatture\n\nDa Acme.\n")
    _write(tenants / "acme" / "guide" / "it" / "home.md", "")
    _write(tenants / "acme" / "guide" / "it" / "extra.md", "---\norder: 1\ntitle: Novità\n---\nNuovo.\n")
    _write(tenants / "acme" / "guide" / "it" / "Not A Key.md", "# ignored\n")
    guide = load_guide(lang="it", tenant="acme", tenants_dir=tenants, default_dir=root)
    assert [(s.key, s.title, s.body) for s in guide.sections] == [
        ("extra", "Novità", "Nuovo."),
        ("billing", "Le nostre fatture", "Da Acme."),
    ]
    # The built-in FAQ stays, the other tenant sees the built-in guide.
    assert [q.key for q in guide.questions] == ["first", "q2"]
    other = load_guide(lang="it", tenant="other", tenants_dir=tenants, default_dir=root)
    assert [s.title for s in other.sections] == ["Fatture", "Home"]


def test_an_edited_file_is_read_again(tmp_path):
    root = _built_in(tmp_path / "default")
    path = root / "it" / "home.md"
    first = load_guide(lang="it", tenant=None, tenants_dir=tmp_path, default_dir=root)
    assert load_guide(lang="it", tenant=None, tenants_dir=tmp_path, default_dir=root) is first  # cached
    path.write_text("# Home nuova\n\nTesto cambiato.\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    home = load_guide(lang="it", tenant=None, tenants_dir=tmp_path, default_dir=root).section("home")
    assert home is not None and (home.title, home.body) == ("Home nuova", "Testo cambiato.")
    # A new file appears too.
    _write(root / "it" / "assets.md", "# Beni\n\nI beni.\n")
    assets = load_guide(lang="it", tenant=None, tenants_dir=tmp_path, default_dir=root).section("assets")
    assert assets is not None and assets.title == "Beni"


def test_placeholders_are_filled():
    assert fill_in("Scrivi a {support_email} {#anchor} {unknown} { x", {"support_email": "a@b.it"}) == (
        "Scrivi a a@b.it {#anchor} {unknown} { x"
    )


def test_the_built_in_guide_covers_every_section_in_both_languages():
    keys = [
        "access",
        "home",
        "billing",
        "contracts",
        "assets",
        "requests",
        "notifications",
        "profile",
        "complaints",
        "documents",
        "my-data",
        "access-log",
    ]
    faq = [
        "forgot-password",
        "temporary-password",
        "annual-statements",
        "request-history",
        "secondary-email",
        "paper-invoices",
        "fiscal-validity",
        "active-extinguished",
        "contacts",
    ]
    values = {"support_email": "help@x.example", "support_phone": "+39 1"}
    for lang in ("it", "en"):
        guide = load_guide(lang=lang, tenant="no-such-tenant", values=values)
        assert [s.key for s in guide.sections] == keys
        assert [q.key for q in guide.questions] == faq
        contacts = next(q for q in guide.questions if q.key == "contacts")
        assert "help@x.example" in contacts.answer and "+39 1" in contacts.answer
        assert "{" not in "".join(q.answer for q in guide.questions)
    assert (DEFAULT_DIR / "it" / "_accessibility.md").is_file()


def test_statement_document(tmp_path):
    root = _built_in(tmp_path / "default")
    _write(root / "it" / "_accessibility.md", "---\ntitle: Dichiarazione\nupdated: 2026-12-07\n---\n{company} è…\n")
    _write(tmp_path / "t" / "acme" / "guide" / "it" / "_accessibility.md", "# Di Acme\n\nCiao {company}.\n")
    built_in = load_document(
        "accessibility", lang="it", tenant=None, values={"company": "Aurora"}, tenants_dir=tmp_path, default_dir=root
    )
    assert (built_in.title, built_in.body, built_in.meta["updated"]) == ("Dichiarazione", "Aurora è…", "2026-12-07")
    own = load_document(
        "accessibility",
        lang="en",
        tenant="acme",
        values={"company": "Acme"},
        tenants_dir=tmp_path / "t",
        default_dir=root,
    )
    # No English statement in this tree: English falls back to Italian, the tenant's file first.
    assert (own.title, own.body) == ("Di Acme", "Ciao Acme.")
    # A statement file is not a guide section.
    assert [s.key for s in load_guide(lang="it", tenant=None, tenants_dir=tmp_path, default_dir=root).sections] == [
        "billing",
        "home",
    ]
