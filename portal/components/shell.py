"""The page shell: skip link, header with logo, menu, language, avatar and logout, and footer.

`template(...)` registers a page with its shell; the menu lists only the screens that exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx

from portal import i18n, routes
from portal.components.bell import bell
from portal.components.hooks import use_effect
from portal.components.idle_warning import draft_notice, idle_warning
from portal.components.layout import actions
from portal.components.ui import cancel_button, header_button
from portal.config import settings
from portal.services.common.branding import load_branding
from portal.state.i18n import I18nState, tr
from portal.state.session import SessionState, forget_page_notice

BRAND = load_branding(settings.tenant_slug)
CONTENT_WIDTH = "1180px"
# The page's column: the header, the menu, the content and the footer line up on it.
CENTRED: dict[str, Any] = {"max_width": CONTENT_WIDTH, "margin_x": "auto", "padding_x": "1rem"}


@dataclasses.dataclass(frozen=True)
class MenuEntry:
    route: str
    label_key: str
    icon: str
    audience: str = "all"  # "customer", "operator" or "all"


MENU = (
    MenuEntry(routes.HOME, "menu.home", "house"),
    MenuEntry(routes.BILLING, "menu.billing", "receipt-text", "customer"),
    MenuEntry(routes.CONTRACTS, "menu.contracts", "file-text", "customer"),
    MenuEntry(routes.ASSETS, "menu.assets", "truck", "customer"),
    MenuEntry(routes.OPERATOR_CUSTOMERS, "menu.customers", "users", "operator"),
    MenuEntry(routes.REQUESTS, "menu.requests", "messages-square", "customer"),
    MenuEntry(routes.DOCUMENTS, "docs.menu", "folder-open", "customer"),
    MenuEntry(routes.DESK_DOCUMENTS, "docs.menu", "folder-open", "operator"),
    MenuEntry(routes.DESK, "menu.requests", "messages-square", "operator"),
    MenuEntry(routes.COMPLAINTS, "menu.complaints", "message-square-warning", "customer"),
    MenuEntry(routes.DESK_COMPLAINTS, "menu.complaints", "message-square-warning", "operator"),
    MenuEntry(routes.INTEGRATION, "menu.integration", "database", "operator"),
    MenuEntry(routes.PROFILE, "menu.profile", "user-round"),
)


def _for_audience(entry: MenuEntry, item: rx.Component) -> rx.Component:
    if entry.audience == "customer":
        return rx.cond(SessionState.is_operator, rx.fragment(), item)
    if entry.audience == "operator":
        return rx.cond(SessionState.is_operator, item, rx.fragment())
    return item


@dataclasses.dataclass(frozen=True)
class PageSpec:
    route: str
    title: rx.Var
    component: Callable[[], rx.Component]
    on_load: list[Any]


_pages: dict[str, PageSpec] = {}


def _nav_link(entry: MenuEntry, current: str) -> rx.Component:
    active = entry.route == current
    return _for_audience(
        entry,
        rx.link(
            rx.hstack(
                rx.icon(entry.icon, size=16, aria_hidden="true"),
                rx.text(tr(entry.label_key)),
                spacing="2",
                align="center",
            ),
            href=entry.route,
            underline="none",
            class_name="portal-nav-link" + (" portal-nav-link-active" if active else ""),
            aria_current="page" if active else None,
        ),
    )


def _mobile_menu(current: str) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            header_button("menu", tr("menu.open")),
        ),
        rx.menu.content(
            *[
                _for_audience(
                    entry,
                    rx.menu.item(
                        rx.hstack(
                            rx.icon(entry.icon, size=16, aria_hidden="true"), rx.text(tr(entry.label_key)), spacing="2"
                        ),
                        on_select=rx.redirect(entry.route),
                        class_name="portal-menu-item-active" if entry.route == current else "",
                        aria_current="page" if entry.route == current else None,
                    ),
                )
                for entry in MENU
            ],
        ),
        modal=False,
    )


def language_switch() -> rx.Component:
    def option(code: str) -> rx.Component:
        chosen = I18nState.lang == code
        return rx.button(
            code.upper(),
            size="1",
            variant=rx.cond(chosen, "solid", "soft"),
            on_click=I18nState.choose_language(code),
            aria_pressed=rx.cond(chosen, "true", "false"),
            # Label in name (WCAG 2.5.3): the visible code starts the accessible name.
            aria_label=f"{code.upper()} – {i18n.translate(code, f'language.{code}')}",
            lang=code,
        )

    return rx.hstack(
        *[option(code) for code in i18n.LANGUAGES], spacing="1", role="group", aria_label=tr("header.language")
    )


def logout_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            header_button("log-out", tr("logout.button"), id="logout-button"),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("logout.title")),
            rx.alert_dialog.description(tr("logout.question")),
            actions(
                rx.alert_dialog.cancel(cancel_button(tr("logout.cancel"))),
                rx.alert_dialog.action(
                    rx.button(tr("logout.confirm"), on_click=SessionState.logout, id="logout-confirm")
                ),
                margin_top="1.25rem",
            ),
            max_width="420px",
        ),
    )


def user_badge() -> rx.Component:
    return rx.hstack(
        rx.box(
            rx.text(SessionState.display_name, size="2", weight="medium", id="header-user-name"),
            rx.cond(
                SessionState.customer_name != SessionState.display_name,
                rx.text(SessionState.customer_name, size="1", color_scheme="gray"),
            ),
            display=["none", "none", "block"],
            text_align="right",
        ),
        rx.link(
            rx.avatar(fallback=SessionState.initials, radius="full", size="3", variant="solid"),
            href=routes.PROFILE,
            id="header-initials",
            aria_label=f"{SessionState.initials} – {tr('menu.profile')}",
            line_height="0",
        ),
        spacing="2",
        align="center",
    )


def signed_in_tools() -> list[rx.Component]:
    return [bell()]


def help_link(current: str) -> rx.Component:
    """The header's "?": the guide at the section that explains this page (routes.GUIDE_SECTION_OF),
    or at its start; its name says which ("Aiuto: Fatture e pagamenti")."""
    section = routes.GUIDE_SECTION_OF.get(current)
    key = f"guide.section.{section or 'start'}"
    name = f"{tr('guide.help')}: {tr(key)}"
    return rx.link(
        rx.icon("circle-help", aria_hidden="true", size=20),
        href=routes.guide_url(section),
        aria_label=name,
        title=name,
        id="help-link",
        class_name="portal-help-link",
    )


def header(current: str) -> rx.Component:
    return rx.el.header(
        rx.box(height="4px", background=BRAND.primary_color),
        rx.flex(
            rx.hstack(
                rx.cond(SessionState.signed_in, rx.box(_mobile_menu(current), display=["block", "block", "none"])),
                rx.link(
                    rx.image(src=f"/{BRAND.logo}", alt=BRAND.name, height="40px", width="auto"),
                    href=routes.HOME,
                    aria_label=f"{BRAND.name} – Home",
                ),
                spacing="3",
                align="center",
            ),
            rx.hstack(
                help_link(current),
                language_switch(),
                rx.cond(
                    SessionState.signed_in,
                    rx.hstack(*signed_in_tools(), user_badge(), logout_dialog(), spacing="3", align="center"),
                ),
                # Tighter on a phone: the header must fit 320 px (1.4.10) with the "?" in it.
                spacing=rx.breakpoints(initial="2", sm="4"),
                align="center",
            ),
            justify="between",
            align="center",
            **CENTRED,
            padding_y="0.6rem",
        ),
        rx.cond(
            SessionState.signed_in,
            rx.el.nav(
                rx.hstack(
                    *[_nav_link(entry, current) for entry in MENU],
                    spacing="1",
                    **CENTRED,
                ),
                aria_label=tr("menu.label"),
                display=["none", "none", "block"],
                border_top="1px solid var(--gray-a4)",
            ),
        ),
        class_name="portal-header",
    )


def footer() -> rx.Component:
    return rx.el.footer(
        rx.box(
            rx.text(BRAND.legal_footer, size="1", color_scheme="gray", as_="p"),
            rx.text(
                tr("footer.support"),
                ": ",
                rx.link(BRAND.support_email, href=f"mailto:{BRAND.support_email}"),
                " · ",
                BRAND.support_phone,
                size="1",
                color_scheme="gray",
                as_="p",
                margin_top="0.4rem",
            ),
            rx.text(
                rx.link(tr("footer.guide"), href=routes.GUIDE, id="footer-guide", underline="always"),
                " · ",
                rx.link(
                    tr("footer.accessibility"), href=routes.ACCESSIBILITY, id="footer-accessibility", underline="always"
                ),
                size="1",
                as_="p",
                margin_top="0.4rem",
            ),
            **CENTRED,
            padding_y="1.25rem",
        ),
        border_top="1px solid var(--gray-a5)",
        background="var(--gray-2)",
        margin_top="2.5rem",
    )


def shell(content: rx.Component, current: str) -> rx.Component:
    return rx.box(
        DocumentLanguage.create(),
        rx.el.a(
            tr("app.skip_to_content"),
            href="#main-content",
            class_name="portal-skip-link",
            # 2.4.1: the router would only scroll; the next Tab must start inside the content.
            on_click=rx.call_script("document.getElementById('main-content').focus()"),
        ),
        header(current),
        route_announcer(),
        idle_warning(),
        rx.el.main(
            draft_notice(),
            content,
            id="main-content",
            tab_index=-1,
            # Set once the page's state has arrived: browser tests wait for it before typing.
            data_hydrated=rx.Var.create(rx.State.is_hydrated).to(str),
            **CENTRED,
            padding_top="1.5rem",
            width="100%",
            flex="1",
        ),
        footer(),
        display="flex",
        flex_direction="column",
        min_height="100vh",
        background="var(--gray-1)",
        lang=I18nState.lang,
        style={"--brand-primary": BRAND.primary_color},
    )


class DocumentLanguage(rx.Fragment):
    """Keeps `<html lang>` on the user's language (3.1.1): dialogs, the bell and toasts render
    outside the shell, and a reload must not leave an English page marked as Italian."""

    def add_hooks(self) -> list[str | rx.Var]:
        lang = rx.Var.create(I18nState.lang)
        return [use_effect(f"useEffect(() => {{ document.documentElement.lang = {lang!s}; }}, [{lang!s}]);", lang)]


class RouteAnnouncer(rx.Fragment):
    """4.1.3: after a navigation inside the app (no page load), a screen reader hears the new page's
    title. Each page mounts its own shell, so "mounted" means "arrived"; the title is read once set."""

    def add_hooks(self) -> list[str | rx.Var]:
        return [
            use_effect(
                "useEffect(() => { const timer = setTimeout(() => {"
                " const region = document.getElementById('route-announcer');"
                " if (region) { region.textContent = document.title; } }, 500);"
                " return () => clearTimeout(timer); }, []);"
            )
        ]


def route_announcer() -> rx.Component:
    return rx.fragment(
        RouteAnnouncer.create(),
        rx.el.div(role="status", aria_live="polite", class_name="sr-only", id="route-announcer"),
    )


def page_title(title: rx.Var | str) -> rx.Var:
    """The browser tab's title in the user's language: "<page> | <company>" (2.4.2)."""
    return rx.Var.create(title).to(str) + f" | {BRAND.name}"


def template(
    *, route: str, title_key: str, on_load=None, title: rx.Var | None = None
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Declare `content_fn` as the page at `route`, wrapped in the shell (see add_pages). `on_load` is
    one event handler or a list of them (a page made of parts with their own states). The tab's
    title is the catalogue entry `title_key`, or `title` when the page names itself (a form, a request)."""

    def decorator(content_fn: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def page() -> rx.Component:
            return shell(content_fn(), current=route)

        page.__name__ = content_fn.__name__
        page.__qualname__ = content_fn.__qualname__
        tab_title = page_title(title if title is not None else tr(title_key))
        loads = list(on_load) if isinstance(on_load, list | tuple) else [on_load] if on_load is not None else []
        # Every page's load also clears the previous page's own notice. The bell refreshes itself
        # (components/bell.py bell_refresher, mounted once for the app): not on each page (issue 13).
        on_load_all = [*loads, forget_page_notice()]
        _pages[route] = PageSpec(route=route, title=tab_title, component=page, on_load=on_load_all)
        return page

    return decorator


def add_pages(app: rx.App) -> None:
    for spec in _pages.values():
        app.add_page(spec.component, route=spec.route, title=spec.title, on_load=spec.on_load)
