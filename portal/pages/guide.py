"""The guide and FAQ ("Guida"): the tenant's Markdown sections and questions (services/guide), a
search over them, an index of anchors; public, since the FAQ helps before signing in. The header's
"?" opens it at the current page's section (`?sezione=<key>`)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal import i18n, routes
from portal.components.fields import form, text_input
from portal.components.hooks import use_effect
from portal.components.layout import column, row
from portal.components.shell import BRAND, template
from portal.config import settings
from portal.services.common.text import form_texts
from portal.services.guide.content import Guide, load_guide
from portal.services.guide.search import search
from portal.state.i18n import tr
from portal.state.session import SessionState, public

QUERY_MAX = 200


def guide_of(lang: str) -> Guide:
    """The guide of the portal's tenant in `lang`, with the support contacts filled in."""
    values = {"support_email": BRAND.support_email, "support_phone": BRAND.support_phone, "company": BRAND.name}
    return load_guide(lang=lang, tenant=settings.tenant_slug, values=values)


def section_anchor(key: str) -> str:
    return f"guide-{key}"


def question_anchor(key: str) -> str:
    return f"faq-{key}"


@dataclasses.dataclass(frozen=True)
class SectionView:
    anchor: str
    title: str
    body: str


@dataclasses.dataclass(frozen=True)
class QuestionView:
    key: str
    anchor: str
    question: str
    answer: str


@dataclasses.dataclass(frozen=True)
class HitView:
    key: str
    is_faq: bool
    title: str
    kind: str
    snippet: str


class GuideState(SessionState):
    query: str = ""
    open_questions: list[str] = []
    focus_target: str = ""
    focus_count: int = 0
    revision: int = 0  # a page load reads the files again (they are re-parsed only when changed)

    @rx.var
    def sections(self) -> list[SectionView]:
        _ = self.revision
        guide = guide_of(self.lang)
        return [SectionView(section_anchor(s.key), s.title, s.body) for s in guide.sections]

    @rx.var
    def faq_title(self) -> str:
        _ = self.revision
        return guide_of(self.lang).faq_title

    @rx.var
    def faq_intro(self) -> str:
        _ = self.revision
        return guide_of(self.lang).faq_intro

    @rx.var
    def questions(self) -> list[QuestionView]:
        _ = self.revision
        guide = guide_of(self.lang)
        return [QuestionView(q.key, question_anchor(q.key), q.question, q.answer) for q in guide.questions]

    @rx.var
    def hits(self) -> list[HitView]:
        _ = self.revision
        if not self.query:
            return []
        kinds = {"section": self._t("guide.kind_section"), "faq": self._t("guide.kind_faq")}
        return [
            HitView(
                key=hit.key,
                is_faq=hit.kind == "faq",
                title=hit.title,
                kind=kinds[hit.kind],
                snippet=hit.snippet,
            )
            for hit in search(guide_of(self.lang), self.query)
        ]

    @rx.var
    def results_text(self) -> str:
        if not self.query:
            return ""
        count = len(self.hits)
        if not count:
            return self._t("guide.no_results", query=self.query)
        return i18n.translate(self.lang, "guide.results", count=count, query=self.query)

    @rx.event
    @public
    def load(self):
        self.revision += 1
        self.query = ""
        section = self._query_param("sezione")
        guide = guide_of(self.lang)
        if section and guide.section(section) is not None:
            self._focus(section_anchor(section))
        else:
            self.focus_target = ""

    def _focus(self, anchor: str) -> None:
        self.focus_target = anchor
        self.focus_count += 1

    @rx.event
    @public
    def search(self, form_data: dict):
        texts, refused = form_texts(form_data, ("query",))
        self.query = "" if refused else texts["query"].strip()[:QUERY_MAX]

    @rx.event
    @public
    def clear_search(self):
        self.query = ""

    @rx.event
    @public
    def open_result(self, key: str, is_faq: bool):
        guide = guide_of(self.lang)
        if not isinstance(key, str):
            return
        if is_faq is True and any(question.key == key for question in guide.questions):
            if key not in self.open_questions:
                self.open_questions = [*self.open_questions, key]
            self._focus(question_anchor(key))
        elif guide.section(key) is not None:
            self._focus(section_anchor(key))

    @rx.event
    @public
    def show_questions(self, keys: str | list[str]):
        """The FAQ accordion opened or closed an entry: which are open now."""
        known = {question.key for question in guide_of(self.lang).questions}
        if isinstance(keys, list):
            self.open_questions = [key for key in keys if isinstance(key, str) and key in known]


class FocusTarget(rx.Fragment):
    """Scrolls to the element the state names and moves the focus there (the header's "?", a
    search result): the keyboard and the screen reader continue from the section or answer."""

    def add_hooks(self) -> list[str | rx.Var]:
        target = rx.Var.create(GuideState.focus_target)
        count = rx.Var.create(GuideState.focus_count)
        return [
            use_effect(
                f"useEffect(() => {{ const id = {target!s}; if (!id) {{ return; }}"
                " const timer = setTimeout(() => { const element = document.getElementById(id);"
                " if (element) { element.scrollIntoView({block: 'start'}); element.focus({preventScroll: true}); } },"
                f" 100); return () => clearTimeout(timer); }}, [{target!s}, {count!s}]);",
                target,
                count,
            )
        ]


def markdown(text) -> rx.Component:
    # Raw HTML in a file is shown as text, never run (use_raw=False); react-markdown drops unsafe link schemes.
    return rx.markdown(text, use_raw=False, class_name="portal-markdown")


def contents() -> rx.Component:
    def entry(section: SectionView) -> rx.Component:
        return rx.el.li(rx.el.a(section.title, href="#" + section.anchor, class_name="portal-anchor-link"))

    return rx.el.nav(
        rx.heading(tr("guide.contents"), as_="h2", size="3", id="guide-contents-title", margin_bottom="0.5rem"),
        rx.el.ul(
            rx.foreach(GuideState.sections, entry),
            rx.el.li(rx.el.a(GuideState.faq_title, href="#guide-faq", class_name="portal-anchor-link")),
            id="guide-contents",
            class_name="portal-anchor-list",
        ),
        aria_labelledby="guide-contents-title",
        id="guide-contents-nav",
    )


def hit_item(hit: HitView) -> rx.Component:
    # The button's name is what it shows (2.5.3): the title and the kind; the snippet follows it.
    return rx.el.li(
        rx.button(
            rx.text(hit.title, weight="bold", size="3", text_align="left"),
            rx.badge(hit.kind, variant="soft", color_scheme=rx.cond(hit.is_faq, "amber", "gray")),
            variant="ghost",
            on_click=GuideState.open_result(hit.key, hit.is_faq),
            class_name="guide-hit",
            height="auto",
            padding="0.35rem 0.5rem",
            justify="start",
            wrap="wrap",
        ),
        rx.text(hit.snippet, size="2", color_scheme="gray", as_="p", padding_x="0.5rem", margin_bottom="0.5rem"),
        list_style="none",
    )


def search_box() -> rx.Component:
    return rx.box(
        form(
            row(
                rx.box(
                    text_input(
                        field_id="guide-query",
                        name="query",
                        label=tr("guide.search_label"),
                        hint=tr("guide.search_hint"),
                        type="search",
                        max_length=QUERY_MAX,
                    ),
                    flex="1",
                    min_width="14rem",
                ),
                rx.button(tr("guide.search_button"), type="submit", size="3", id="guide-search-submit"),
                align="end",
                wrap="wrap",
            ),
            on_submit=GuideState.search,
        ),
        rx.box(
            rx.cond(
                GuideState.query != "",
                column(
                    row(
                        rx.text(GuideState.results_text, weight="medium", id="guide-results-count"),
                        rx.button(
                            tr("guide.clear"), variant="soft", size="1", on_click=GuideState.clear_search, type="button"
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                    rx.el.ul(rx.foreach(GuideState.hits, hit_item), id="guide-results", padding="0", margin="0"),
                    gap="2",
                ),
            ),
            role="status",
            aria_live="polite",
            margin_top="0.75rem",
        ),
        role="search",
        id="guide-search",
    )


def section_block(section: SectionView) -> rx.Component:
    return rx.el.section(
        rx.heading(section.title, as_="h2", size="5", id=section.anchor, tab_index=-1, margin_bottom="0.5rem"),
        markdown(section.body),
        rx.el.a(tr("guide.back_to_contents"), href="#guide-contents-nav", class_name="portal-anchor-link"),
        aria_labelledby=section.anchor,
        class_name="guide-section",
    )


def question_item(question: QuestionView) -> rx.Component:
    return rx.accordion.item(
        rx.accordion.header(
            rx.accordion.trigger(
                rx.text(question.question, text_align="left"),
                rx.icon("chevron-down", aria_hidden="true", class_name="guide-chevron"),
                id=question.anchor,
                justify_content="space-between",
                width="100%",
            )
        ),
        rx.accordion.content(markdown(question.answer)),
        value=question.key,
        class_name="guide-question",
    )


def faq() -> rx.Component:
    return rx.el.section(
        rx.heading(GuideState.faq_title, as_="h2", size="5", id="guide-faq", tab_index=-1, margin_bottom="0.5rem"),
        rx.cond(GuideState.faq_intro != "", markdown(GuideState.faq_intro)),
        rx.accordion.root(
            rx.foreach(GuideState.questions, question_item),
            type="multiple",
            value=GuideState.open_questions,
            on_value_change=GuideState.show_questions,
            collapsible=True,
            variant="outline",
            width="100%",
            id="guide-faq-list",
        ),
        aria_labelledby="guide-faq",
    )


@template(route=routes.GUIDE, title_key="guide.title", on_load=GuideState.load)
def guide() -> rx.Component:
    return column(
        FocusTarget.create(),
        rx.heading(tr("guide.title"), as_="h1", size="7"),
        rx.text(tr("guide.intro"), color_scheme="gray"),
        search_box(),
        contents(),
        rx.foreach(GuideState.sections, section_block),
        faq(),
        gap="5",
    )
