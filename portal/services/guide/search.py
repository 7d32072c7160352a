"""Searching the guide: the words of a query in the sections' and the questions' titles and texts,
without regard to accents or case; results ranked, each with a snippet around the first match."""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from portal.services.guide.content import Guide

SNIPPET_BEFORE = 60
SNIPPET_AFTER = 140
MAX_RESULTS = 10
_WORD = re.compile(r"[a-z0-9]+")
# Words too common to tell entries apart; a query made only of them still searches them.
STOPWORDS = frozenset(
    [
        "a",
        "ad",
        "al",
        "alla",
        "alle",
        "ai",
        "agli",
        "che",
        "chi",
        "come",
        "con",
        "da",
        "dal",
        "dalla",
        "dei",
        "del",
        "della",
        "delle",
        "di",
        "e",
        "ed",
        "gli",
        "i",
        "il",
        "in",
        "la",
        "le",
        "lo",
        "ma",
        "mi",
        "mio",
        "nel",
        "nella",
        "non",
        "o",
        "per",
        "piu",
        "qual",
        "quale",
        "quando",
        "se",
        "si",
        "su",
        "sul",
        "sulla",
        "ti",
        "tra",
        "un",
        "una",
        "uno",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "my",
        "of",
        "on",
        "or",
        "the",
        "to",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "you",
        "your",
    ]
)


@dataclasses.dataclass(frozen=True)
class Hit:
    kind: str  # "section" or "faq"
    key: str
    title: str
    snippet: str
    score: int


def fold(text: str) -> str:
    """Lower case without accents: "Perché È" -> "perche e"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def query_words(query: str) -> list[str]:
    words = list(dict.fromkeys(_WORD.findall(fold(query))))
    meaningful = [word for word in words if word not in STOPWORDS]
    return meaningful or words


def _matches(token: str, word: str) -> bool:
    # Words of three letters or more also match longer forms: "fattur" finds "fatture", "fattura".
    return token == word or (len(word) >= 3 and token.startswith(word))


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_BLOCK_MARKS = re.compile(r"^\s*(?:#+|>|[-+*]|\d+\.)\s+|\|", re.MULTILINE)
_INLINE_MARKS = re.compile(r"[*_`]+")


def plain_text(markdown: str) -> str:
    """The words of a Markdown text, as read: link texts kept, addresses and markup dropped."""
    text = _LINK.sub(lambda match: match.group(1), markdown)
    text = _INLINE_MARKS.sub("", _BLOCK_MARKS.sub(" ", text))
    return re.sub(r"\s+", " ", text).strip()


def _folded_with_origins(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the character it came from."""
    chars, origins = [], []
    for index, char in enumerate(text):
        for folded in fold(char):
            chars.append(folded)
            origins.append(index)
    return "".join(chars), origins


def snippet(text: str, words: list[str]) -> str:
    """About 200 characters of `text` around the first word of the query found in it."""
    folded, origins = _folded_with_origins(text)
    first = None
    for match in _WORD.finditer(folded):
        if any(_matches(match.group(0), word) for word in words):
            first = origins[match.start()]
            break
    if first is None:
        first = 0
    start = max(0, first - SNIPPET_BEFORE)
    end = min(len(text), first + SNIPPET_AFTER)
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    return ("… " if start > 0 else "") + text[start:end].strip() + (" …" if end < len(text) else "")


def _score(title: str, body: str, words: list[str], phrase: str) -> tuple[int, int]:
    """(how many of the words the entry has, points): a word in the title counts 5, each time in
    the text 1 (at most 5), the whole query as written 10 more."""
    title_tokens = _WORD.findall(fold(title))
    body_tokens = _WORD.findall(fold(body))
    found, points = 0, 0
    for word in words:
        in_title = any(_matches(token, word) for token in title_tokens)
        in_body = min(5, sum(1 for token in body_tokens if _matches(token, word)))
        if in_title or in_body:
            found += 1
        points += 5 * in_title + in_body
    if found and len(words) > 1 and phrase in " ".join([*title_tokens, "|", *body_tokens]):
        points += 10
    return found, points


def search(guide: Guide, query: str, *, limit: int = MAX_RESULTS) -> list[Hit]:
    """The entries (sections, then questions on equal rank) that have any word of `query`: those
    with more of its words first, then by points; none for a query without words."""
    words = query_words(query)
    if not words:
        return []
    phrase = " ".join(words)
    ranked = []
    entries = [("section", section.key, section.title, section.body) for section in guide.sections]
    entries += [("faq", question.key, question.question, question.answer) for question in guide.questions]
    for position, (kind, key, title, body) in enumerate(entries):
        text = plain_text(body)
        found, points = _score(title, text, words, phrase)
        if found:
            hit = Hit(kind=kind, key=key, title=title, snippet=snippet(text, words), score=points)
            ranked.append((-found, -points, position, hit))
    ranked.sort(key=lambda item: item[:3])
    return [item[3] for item in ranked[:limit]]
