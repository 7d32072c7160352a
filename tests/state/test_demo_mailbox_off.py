"""Outside demo mode the demo mailbox does not exist: no page, and its handlers show nothing even
when called directly, though the outbox holds codes and links."""

from __future__ import annotations

import sqlalchemy as sa

import portal.portal  # noqa: F401  (registers every page)
from portal import routes
from portal.components.shell import _pages
from portal.config import settings
from portal.db import session_scope
from portal.pages.dev_mailbox import MailboxState
from tests.state.conftest import Browser, redirect_target


def test_no_mailbox_page_and_no_messages_outside_demo_mode(app_db):
    assert settings.demo_mode is False  # the state tests run as production does
    with session_scope() as db:
        kept = db.execute(sa.text("select count(*) from mail_message where body_text is not null")).scalar_one()
    assert kept > 0  # there would be something to show
    assert routes.DEV_MAILBOX not in _pages  # the route answers 404: no page is registered
    browser = Browser()
    browser.visit(routes.DEV_MAILBOX)
    assert redirect_target(browser.run(MailboxState, "load")) == routes.LOGIN
    browser.run(MailboxState, "filter_recipient", {"recipient": "", "subject": "codice"})
    browser.run(MailboxState, "next_page")
    mailbox = browser.state(MailboxState)
    assert (mailbox.messages_list, mailbox.total, mailbox.offset) == ([], 0, 0)
