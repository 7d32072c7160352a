"""The Reflex app: creating it and adding the pages is all this module does."""

import reflex as rx

from portal import logs
from portal.api import api
from portal.components.bell import bell_refresher
from portal.components.shell import add_pages
from portal.config import settings
from portal.jobs.embedded import background as background_jobs
from portal.pages import (  # noqa: F401  (each page module declares its page)
    access_log,
    accessibility,
    assets,
    billing,
    complaints,
    contracts,
    desk,
    desk_broadcast,
    desk_detail,
    desk_documents,
    dev_mailbox,
    documents,
    forgot_password,
    form_preview,
    guide,
    home,
    integration,
    integration_run,
    login,
    my_data,
    new_request,
    notifications,
    operator_customers,
    plan,
    profile,
    registration,
    request_detail,
    requests,
    reset_password,
    unlock,
)
from portal.web import client_storage, event_metrics, token_failover
from portal.web.stack import protect

token_failover.install()  # a tab whose backend died keeps its token, and its state, on another one
client_storage.install()  # a navigation does not resend what the language cookie had already set
event_metrics.install()  # each event handled is counted and timed for GET /metrics (portal/web/metrics.py)
if settings.log_format == "json":  # production's default (portal/logs.py); the demo keeps Reflex's console
    logs.configure("json")

app = rx.App(
    html_lang="it",
    stylesheets=["/portal.css"],
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
    # The portal's routes first, then the security middlewares around everything (portal/web/).
    api_transformer=[api, protect],
    # Mounted once for the app, so that following a link does not reload the bell (issue 13).
    extra_app_wraps={(3, "BellRefresher"): lambda stateful: rx.fragment(bell_refresher()) if stateful else None},
)
add_pages(app)
app.register_lifespan_task(background_jobs)  # issue 13: the jobs, run here or by separate workers
