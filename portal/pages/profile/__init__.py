"""Profilo utente: personal data and settings, security (password, authenticator app) and, for the
main customer account, its sub-users. Each part has its own state."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.layout import page_body
from portal.components.reauth import reauth_dialog
from portal.components.shell import template
from portal.pages.my_data import privacy_card
from portal.pages.profile.security import SecurityState, security_card
from portal.pages.profile.settings import ProfileState, personal_card, settings_card
from portal.pages.profile.sub_users import SubUsersState
from portal.pages.profile.sub_users_card import sub_users_card
from portal.state.i18n import tr

__all__ = ["ProfileState", "SecurityState", "SubUsersState"]


@template(
    route=routes.PROFILE,
    title_key="profile.title",
    on_load=[ProfileState.load, SecurityState.load, SubUsersState.load],
)
def profile_page() -> rx.Component:
    return page_body(
        ProfileState.loaded,
        rx.heading(tr("profile.title"), as_="h1", size="7"),
        personal_card(),
        settings_card(),
        security_card(),
        rx.cond(ProfileState.can_manage_sub_users, sub_users_card()),
        privacy_card(),
        reauth_dialog(),
    )
