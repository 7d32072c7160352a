"""Loading and parsing the guide's Markdown files (format: docs/GUIDE.md).

The built-in content is `portal/services/guide/default/<lang>/`; a tenant's own files in
`tenants/<slug>/guide/<lang>/` replace the built-in file of the same name (an empty file hides it)
and may add sections. Files are read again when one of them changes (its mtime or size), so an edit
shows at the next page load without a restart.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from portal import i18n
from portal.services.common.branding import TENANTS_DIR

DEFAULT_DIR = Path(__file__).parent / "default"
FAQ_FILE = "faq"
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_TITLE = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_QUESTION = re.compile(r"^##[ \t]+(.+?)[ \t]*$", re.MULTILINE)
_ANCHOR = re.compile(r"\s*\{#([a-z0-9][a-z0-9-]{0,59})\}\s*$")


@dataclasses.dataclass(frozen=True)
class Section:
    key: str  # the file's name: "billing" for billing.md; the header's "?" links to it
    title: str
    body: str  # Markdown, without the front matter and the title line
    order: int


@dataclasses.dataclass(frozen=True)
class Question:
    key: str  # {#anchor} after the question, or "q<n>"
    question: str
    answer: str  # Markdown


@dataclasses.dataclass(frozen=True)
class Guide:
    lang: str
    sections: tuple[Section, ...]
    faq_title: str
    faq_intro: str
    questions: tuple[Question, ...]

    def section(self, key: str) -> Section | None:
        return next((section for section in self.sections if section.key == key), None)


@dataclasses.dataclass(frozen=True)
class Document:
    """A page of its own (the accessibility statement): front matter, title and Markdown body."""

    title: str
    body: str
    meta: dict[str, str]


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """`key: value` lines between two `---` lines at the very top, and the rest of the text."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    match = _FRONT.match(text)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip():
            meta[name.strip().lower()] = value.strip().strip("\"'")
    return meta, text[match.end() :]


def _title_and_body(meta: dict[str, str], text: str, fallback: str) -> tuple[str, str]:
    """The title from the front matter, else the first `# ` heading (then removed from the body)."""
    if meta.get("title"):
        return meta["title"], text.strip()
    match = _TITLE.search(text)
    if match and not text[: match.start()].strip():
        return match.group(1).strip(), text[match.end() :].strip()
    return fallback, text.strip()


def parse_section(key: str, text: str, position: int = 0) -> Section | None:
    """A section file; None for an empty file (a tenant hides a built-in section so)."""
    if not text.strip():
        return None
    meta, rest = split_front_matter(text)
    title, body = _title_and_body(meta, rest, key)
    try:
        order = int(meta.get("order", ""))
    except ValueError:
        order = 1000 + position
    return Section(key=key, title=title, body=body, order=order)


def parse_faq(text: str) -> tuple[str, str, tuple[Question, ...]]:
    """faq.md: the title (front matter or `# `), an optional intro, then one `## question` per
    entry with its answer below; `## question {#anchor}` fixes the entry's anchor."""
    meta, rest = split_front_matter(text)
    title, body = _title_and_body(meta, rest, "FAQ")
    heads = list(_QUESTION.finditer(body))
    intro = body[: heads[0].start()].strip() if heads else body.strip()
    questions, seen = [], set()
    for number, head in enumerate(heads, start=1):
        end = heads[number].start() if number < len(heads) else len(body)
        question = head.group(1)
        anchor = _ANCHOR.search(question)
        key = anchor.group(1) if anchor else f"q{number}"
        question = question[: anchor.start()].strip() if anchor else question.strip()
        if key in seen:
            key = f"{key}-{number}"
        seen.add(key)
        questions.append(Question(key=key, question=question, answer=body[head.end() : end].strip()))
    return title, intro, tuple(questions)


def _files(folder: Path) -> dict[str, Path]:
    """The folder's `<key>.md` files by key (other names are ignored)."""
    if not folder.is_dir():
        return {}
    return {path.stem: path for path in sorted(folder.glob("*.md")) if _KEY.match(path.stem) and path.is_file()}


def _signature(paths: list[Path]) -> tuple:
    stamps = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


def guide_folders(lang: str, tenant: str | None, tenants_dir: Path, default_dir: Path) -> tuple[Path, Path | None]:
    own = tenants_dir / tenant / "guide" / lang if tenant else None
    return default_dir / lang, own


def _chosen_files(lang: str, tenant: str | None, tenants_dir: Path, default_dir: Path) -> dict[str, Path]:
    built_in, own = guide_folders(lang, tenant, tenants_dir, default_dir)
    files = _files(built_in)
    if own is not None:
        files.update(_files(own))  # the tenant's file wins over the built-in one of the same name
    return files


_T = TypeVar("_T")
_lock = threading.Lock()
_cache: dict[tuple, tuple[tuple, Any]] = {}


def _cached(key: tuple, paths: list[Path], build: Callable[[], _T]) -> _T:
    signature = _signature(paths)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == signature:
            return hit[1]
    value = build()
    with _lock:
        _cache[key] = (signature, value)
    return value


def _language(lang: str, default_dir: Path) -> str:
    lang = i18n.language_or_default(lang)
    return lang if (default_dir / lang).is_dir() else i18n.DEFAULT_LANGUAGE


def load_guide(
    *,
    lang: str,
    tenant: str | None,
    values: dict[str, str] | None = None,
    tenants_dir: Path = TENANTS_DIR,
    default_dir: Path = DEFAULT_DIR,
) -> Guide:
    """The guide in `lang` (the default language when there is none) for the tenant `tenant`, with
    `{placeholders}` in the texts filled from `values` (the support address and phone…)."""
    values = values or {}
    lang = _language(lang, default_dir)
    files = _chosen_files(lang, tenant, tenants_dir, default_dir)
    paths = list(files.values())

    def build() -> Guide:
        sections = []
        faq_title, faq_intro, questions = "FAQ", "", ()
        for position, (key, path) in enumerate(files.items()):
            text = fill_in(path.read_text(encoding="utf-8"), values)
            if key == FAQ_FILE:
                if text.strip():
                    faq_title, faq_intro, questions = parse_faq(text)
                continue
            section = parse_section(key, text, position)
            if section is not None:
                sections.append(section)
        sections.sort(key=lambda section: (section.order, section.key))
        return Guide(
            lang=lang,
            sections=tuple(sections),
            faq_title=faq_title,
            faq_intro=faq_intro,
            questions=tuple(questions),
        )

    key = ("guide", lang, tenant, tuple(sorted(values.items())), str(tenants_dir), str(default_dir))
    return _cached(key, paths, build)


def load_document(
    name: str,
    *,
    lang: str,
    tenant: str | None,
    values: dict[str, str],
    tenants_dir: Path = TENANTS_DIR,
    default_dir: Path = DEFAULT_DIR,
) -> Document:
    """A page kept beside the guide as `_<name>.md` (the tenant's own first), with `{placeholders}`
    filled from `values` (an unknown one stays as written)."""
    lang = _language(lang, default_dir)
    candidates = []
    for language in dict.fromkeys([lang, i18n.DEFAULT_LANGUAGE]):
        built_in, own = guide_folders(language, tenant, tenants_dir, default_dir)
        candidates += [own / f"_{name}.md"] if own is not None else []
        candidates.append(built_in / f"_{name}.md")
    # The tenant's file, else the built-in one; in the default language when `lang` has neither.
    path = next((candidate for candidate in candidates if candidate.is_file()), candidates[-1])

    def build() -> tuple[dict[str, str], str, str]:
        meta, rest = split_front_matter(path.read_text(encoding="utf-8"))
        title, body = _title_and_body(meta, rest, name)
        return meta, title, body

    meta, title, body = _cached(("document", name, lang, tenant, str(tenants_dir), str(default_dir)), [path], build)
    return Document(title=fill_in(title, values), body=fill_in(body, values), meta=dict(meta))


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill_in(text: str, values: dict[str, str]) -> str:
    """`{name}` replaced by values[name]; anything else (an unknown name, a lone brace) kept."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)
