"""The Reflex app: creating it and adding the pages is all this module does."""

import reflex as rx

from portal.components.shell import add_pages
from portal.pages import home, login  # noqa: F401  (each page module declares its page)

app = rx.App(
    html_lang="it",
    stylesheets=["/portal.css"],
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
)
add_pages(app)
