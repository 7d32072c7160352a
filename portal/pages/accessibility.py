"""The accessibility statement (EN 301 549 / WCAG 2.1 AA, AgID's model) and its feedback form
(European Accessibility Act): public, linked from every page's footer. The statement is the
tenant's Markdown file `_accessibility.md` beside the guide (docs/GUIDE.md); a report is mailed to
the company's accessibility contact (services/guide/feedback.py)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import reflex as rx

from portal import i18n, routes
from portal.components.fields import error_text, form, labelled, text_input
from portal.components.layout import column
from portal.components.public_form import email_input
from portal.components.shell import BRAND, template
from portal.components.ui import card, notice
from portal.config import settings
from portal.pages.guide import markdown
from portal.services.common import clock
from portal.services.common.text import form_texts
from portal.services.guide.content import Document, load_document
from portal.services.guide.feedback import (
    DESCRIPTION_MAX,
    NAME_MAX,
    PAGE_MAX,
    Feedback,
    feedback_problems,
    send_feedback,
)
from portal.state.i18n import tr
from portal.state.public_forms import PublicFormState
from portal.state.session import SessionState, public

FIELDS = ("name", "email", "page", "description")


def statement(lang: str) -> tuple[Document, str]:
    """The statement in `lang` with the company's data filled in, and its date for the reader."""
    document = load_document("accessibility", lang=lang, tenant=settings.tenant_slug, values={})
    try:
        updated = i18n.long_date(dt.date.fromisoformat(document.meta.get("updated", "")), lang)
    except ValueError:
        updated = ""
    values = {
        "company": BRAND.legal_name,
        "contact": BRAND.accessibility_email,
        "url": settings.public_url,
        "date": updated,
    }
    return load_document("accessibility", lang=lang, tenant=settings.tenant_slug, values=values), updated


class AccessibilityState(PublicFormState, SessionState):
    name_error: str = ""
    email_error: str = ""
    page_error: str = ""
    description_error: str = ""
    revision: int = 0
    _fields: ClassVar[tuple[str, ...]] = FIELDS

    @rx.var
    def statement_title(self) -> str:
        _ = self.revision
        return statement(self.lang)[0].title

    @rx.var
    def statement_body(self) -> str:
        _ = self.revision
        return statement(self.lang)[0].body

    @rx.var
    def updated_text(self) -> str:
        _ = self.revision
        updated = statement(self.lang)[1]
        return self._t("accessibility.updated", date=updated) if updated else ""

    @rx.event
    @public
    def reread(self):
        """A page load reads the statement again when its file changed."""
        self.revision += 1

    @rx.event
    @public
    def submit(self, form_data: dict):
        self._clear()
        texts, refused = form_texts(form_data, FIELDS, multiline=("description",))
        problems = feedback_problems(**texts)
        problems.update(refused)
        if self._show_problems(problems):
            return
        outcome = self._in_transaction(
            lambda db: send_feedback(
                session=db,
                tenant_slug=settings.tenant_slug,
                lang=self.lang,
                now=clock.now(),
                client_ip=self.router.session.client_ip,
                **texts,
            )
        )
        if outcome is Feedback.THROTTLED:
            self.form_error = self._t("accessibility.throttled", contact=BRAND.accessibility_email)
            return
        self.done = self._t("accessibility.sent", contact=BRAND.accessibility_email)
        return rx.set_value("accessibility-description", "")


def feedback_form() -> rx.Component:
    state = AccessibilityState
    return card(
        rx.text(tr("accessibility.form_intro"), color_scheme="gray"),
        form(
            column(
                notice(state.form_error, tone="red", icon="triangle-alert", element_id="accessibility-error"),
                notice(state.done, tone="green", icon="mail-check", element_id="accessibility-done"),
                text_input(
                    field_id="accessibility-name",
                    name="name",
                    label=tr("accessibility.name"),
                    error=state.name_error,
                    auto_complete="name",
                    max_length=NAME_MAX,
                ),
                email_input(
                    field_id="accessibility-email",
                    label=tr("accessibility.email"),
                    error=state.email_error,
                    hint=tr("accessibility.email_hint"),
                    aria_required="true",
                ),
                text_input(
                    field_id="accessibility-page",
                    name="page",
                    label=tr("accessibility.page"),
                    hint=tr("accessibility.page_hint"),
                    error=state.page_error,
                    max_length=PAGE_MAX,
                ),
                labelled(
                    "accessibility-description",
                    tr("accessibility.description"),
                    rx.text_area(
                        id="accessibility-description",
                        name="description",
                        rows="6",
                        max_length=DESCRIPTION_MAX,
                        width="100%",
                        aria_required="true",
                        aria_describedby="accessibility-description-error",
                        aria_invalid=rx.cond(state.description_error != "", "true", "false"),
                    ),
                    error_text(state.description_error, "accessibility-description-error"),
                ),
                rx.button(tr("accessibility.submit"), type="submit", size="3", id="accessibility-submit"),
            ),
            on_submit=state.submit,
        ),
        title=tr("accessibility.form_title"),
        title_id="accessibility-form-title",
        id="accessibility-form",
    )


@template(
    route=routes.ACCESSIBILITY,
    title_key="accessibility.title",
    on_load=[AccessibilityState.load, AccessibilityState.reread],
)
def accessibility() -> rx.Component:
    return column(
        rx.heading(AccessibilityState.statement_title, as_="h1", size="7"),
        rx.text(AccessibilityState.updated_text, color_scheme="gray", size="2", id="accessibility-updated"),
        rx.box(markdown(AccessibilityState.statement_body), id="accessibility-statement"),
        feedback_form(),
        gap="4",
    )
