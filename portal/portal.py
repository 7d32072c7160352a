"""The Reflex app: creating it and adding the pages is all this module does."""

import reflex as rx

from portal.api import api
from portal.components.shell import add_pages
from portal.pages import (  # noqa: F401  (each page module declares its page)
    assets,
    billing,
    contracts,
    dev_mailbox,
    forgot_password,
    home,
    login,
    operator_customers,
    plan,
    profile,
    registration,
    reset_password,
    unlock,
)

app = rx.App(
    html_lang="it",
    stylesheets=["/portal.css"],
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
    api_transformer=api,
)
add_pages(app)
