"""Profilo: who the account belongs to, and its settings (language, e-mail addresses, paper invoices)."""

from __future__ import annotations

import reflex as rx

from portal import i18n, routes
from portal.components.fields import form, keyed_error, labelled
from portal.components.layout import column
from portal.components.ui import card
from portal.db import session_scope
from portal.services.access import profile
from portal.services.access.accounts import Principal, account_of
from portal.services.common.text import form_texts
from portal.state.i18n import tr
from portal.state.reauth import ReauthState, recently_reauthenticated
from portal.state.rows import Option
from portal.state.session import SIGNED_IN, SessionState, guard


def language_options() -> list[Option]:
    """Every language the portal speaks, each named in itself."""
    return [Option(value=code, label=i18n.translate(code, f"language.{code}")) for code in i18n.LANGUAGES]


class ProfileState(SessionState):
    loaded: bool = False
    denominazione: str = ""
    profile_language: str = i18n.DEFAULT_LANGUAGE
    primary_email: str = ""
    secondary_email: str = ""
    paper_invoices: rx.Field[bool] = rx.field(False)
    can_choose_paper: bool = False
    can_manage_sub_users: bool = False
    settings_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)

    def _show_profile(self, view: profile.ProfileView, principal: Principal) -> None:
        self.denominazione = view.denominazione
        self.profile_language = view.language
        self.primary_email = view.primary_email
        self.secondary_email = view.secondary_email
        self.paper_invoices = view.paper_invoices
        self.can_choose_paper = view.can_choose_paper
        self.can_manage_sub_users = principal.can_manage_sub_users

    @rx.event
    @guard(SIGNED_IN)
    def load(self, principal: Principal):
        with session_scope() as db:
            self._show_profile(
                profile.profile_of(session=db, user=account_of(session=db, principal=principal)), principal
            )
        self.settings_errors = {}
        self.loaded = True

    @rx.event
    @guard(SIGNED_IN)
    async def save_settings(self, principal: Principal, form_data: dict):
        texts, refused = form_texts(form_data, ("language", "primary_email", "secondary_email"))
        if refused:  # not text, or characters no address takes
            self.settings_errors = {field: self._t(key) for field, key in refused.items()}
            return
        language = texts["language"] or self.profile_language
        with session_scope() as db:
            user = account_of(session=db, principal=principal)
            errors = profile.update_settings(
                session=db,
                user=user,
                language=language,
                primary_email=texts["primary_email"],
                secondary_email=texts["secondary_email"],
                paper_invoices=bool(form_data.get("paper_invoices")) if self.can_choose_paper else None,
                client_ip=self.router.session.client_ip,
                reauthenticated=recently_reauthenticated(self),
            )
            if not errors:
                self._show_profile(profile.profile_of(session=db, user=user), principal)
        shown_in = language if language in i18n.LANGUAGES else self.lang
        self.settings_errors = {field: i18n.translate(shown_in, key) for field, key in errors.items()}
        if errors.get("primary_email") == profile.REAUTH_REQUIRED:
            return ReauthState.ask  # issue 11: password and code again, then the user saves once more
        if errors:
            return
        await self._load_readers()  # the pages that read the language follow it at once (state/i18n.py)
        return [self._apply_language(language), rx.toast.success(i18n.translate(language, "profile.saved"))]


def personal_card() -> rx.Component:
    def item(label_key: str, value, value_id: str) -> rx.Component:
        return rx.box(
            rx.text(tr(label_key), size="1", color_scheme="gray", as_="p"),
            rx.text(value, weight="medium", as_="p", id=value_id),
        )

    return card(
        rx.grid(
            item("profile.denominazione", ProfileState.denominazione, "profile-denominazione"),
            item("profile.username", ProfileState.username, "profile-username"),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
        ),
        title=tr("profile.personal"),
        title_id="profile-personal-title",
    )


def _email_input(field_id: str, name: str, value) -> rx.Component:
    return rx.input(
        id=field_id,
        name=name,
        type="email",
        default_value=value,
        key=value,
        size="3",
        aria_describedby=f"{field_id}-hint {field_id}-error",
        auto_complete="email",  # WCAG 1.3.5: the user's own address
    )


def _primary_email_hint() -> rx.Component:
    return rx.callout(
        rx.text(
            tr("profile.primary_hint"),
            " ",
            rx.link(
                tr("profile.request_pec_change"),
                href=routes.new_request_url("other") + "&f_request_type=pec_change",
                id="profile-pec-request",
                weight="medium",
            ),
        ),
        icon="info",
        size="1",
        id="profile-primary-email-hint",
        color_scheme="amber",
    )


def _paper_choice() -> rx.Component:
    return rx.cond(
        ProfileState.can_choose_paper,
        rx.vstack(
            rx.hstack(
                rx.checkbox(
                    name="paper_invoices",
                    default_checked=ProfileState.paper_invoices,
                    id="profile-paper",
                    key=ProfileState.paper_invoices.to(str),
                    aria_describedby="profile-paper-hint",
                ),
                rx.el.label(rx.text(tr("profile.paper"), size="2"), html_for="profile-paper"),
                spacing="2",
                align="center",
            ),
            rx.text(tr("profile.paper_hint"), size="1", color_scheme="gray", id="profile-paper-hint"),
            spacing="1",
        ),
    )


def settings_card() -> rx.Component:
    errors = ProfileState.settings_errors
    return card(
        form(
            column(
                labelled(
                    "profile-language",
                    tr("profile.language"),
                    rx.el.select(
                        *[rx.el.option(option.label, value=option.value) for option in language_options()],
                        id="profile-language",
                        name="language",
                        # uncontrolled, as the other fields: a controlled select shows the saved value
                        # again until the server answers, and a quick save sent that one
                        default_value=ProfileState.profile_language,
                        key=ProfileState.profile_language,
                        class_name="portal-select",
                    ),
                ),
                labelled(
                    "profile-primary-email",
                    tr("profile.primary_email"),
                    _email_input("profile-primary-email", "primary_email", ProfileState.primary_email),
                    _primary_email_hint(),
                    keyed_error(errors, "primary_email", "profile-primary-email"),
                ),
                labelled(
                    "profile-secondary-email",
                    tr("profile.secondary_email"),
                    _email_input("profile-secondary-email", "secondary_email", ProfileState.secondary_email),
                    rx.text(
                        tr("profile.secondary_hint"), size="1", color_scheme="gray", id="profile-secondary-email-hint"
                    ),
                    keyed_error(errors, "secondary_email", "profile-secondary-email"),
                ),
                _paper_choice(),
                rx.button(tr("profile.save"), type="submit", id="profile-save"),
                max_width="560px",
            ),
            on_submit=ProfileState.save_settings,
        ),
        title=tr("profile.settings"),
        title_id="profile-settings-title",
    )
