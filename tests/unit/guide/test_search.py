"""Searching the guide: words in titles and texts, without accents or case, ranked, with snippets."""

from __future__ import annotations

from portal.services.guide.content import Guide, Question, Section
from portal.services.guide.search import plain_text, query_words, search, snippet

GUIDE = Guide(
    lang="it",
    sections=(
        Section(
            "access", "Accesso", "Ricevi la **password temporanea** per e-mail. La password temporanea vale 72 ore.", 5
        ),
        Section("profile", "Profilo", "Cambia la password quando vuoi.", 70),
    ),
    faq_title="Domande frequenti",
    faq_intro="",
    questions=(
        Question("temporary-password", "Non è arrivata la password temporanea", "Controlla lo spam."),
        Question("paper", "Fatture cartacee?", "Attivale nel [Profilo](/profilo)."),
    ),
)


def test_query_words_fold_accents_and_skip_common_words():
    assert query_words("Come recupero la PASSWORD temporànea?") == ["recupero", "password", "temporanea"]
    assert query_words("la") == ["la"]  # only common words: they are searched
    assert query_words(" ?! ") == []


def test_ranking_more_words_first_then_points():
    hits = search(GUIDE, "Password TEMPORÀNEA")
    # the question: both words in the title (5 + 5) and the phrase (10) = 20; the access section:
    # each word twice in the text (2 + 2) and the phrase (10) = 14; the profile: one word once = 1.
    assert [(hit.kind, hit.key, hit.score) for hit in hits] == [
        ("faq", "temporary-password", 20),
        ("section", "access", 14),
        ("section", "profile", 1),
    ]
    assert hits[0].title == "Non è arrivata la password temporanea"
    assert hits[0].snippet == "Controlla lo spam."  # no word in the text: its start


def test_prefixes_accents_and_no_match():
    [hit] = search(GUIDE, "fattur")  # "fatture" in the title
    assert (hit.key, hit.score) == ("paper", 5)
    paper, profile = search(GUIDE, "profil cartacee")
    # both words: "cartacee" in the title (5) and "profil…" in the link's text, not its address (1);
    # before the section with one word, though in its title (5)
    assert (paper.key, paper.score, paper.snippet) == ("paper", 6, "Attivale nel Profilo.")
    assert (profile.key, profile.score) == ("profile", 5)
    assert [hit.key for hit in search(GUIDE, "è arrivàta")] == ["temporary-password"]
    assert search(GUIDE, "bonifico") == []
    assert search(GUIDE, "") == []


def test_snippet_around_the_first_match():
    text = "parola " * 30 + "La password temporanea arriva." + " fine" * 40
    # "password" starts at 213: 60 characters before is 153, a space, so the snippet starts at 154;
    # 140 after is 353, cut back to the space at 350.
    assert snippet(text, ["password"]) == "… " + text[154:350].strip() + " …"
    assert snippet("Breve testo.", ["nulla"]) == "Breve testo."


def test_plain_text_drops_markup():
    assert (
        plain_text("## Titolo\n- **uno** e [due](http://x.it)\n1. `tre`\n> quattro") == "Titolo uno e due tre quattro"
    )
