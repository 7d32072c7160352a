"""A locked sub-user is unlocked, and mailed, as himself: by the unlock page with his username,
or by the main account from Sotto utenti. The main account is not touched."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from portal.models import MailMessage, UserAccount
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access.accounts import SignIn, authenticate
from portal.services.access.recovery import unlock, unlock_with_link
from portal.services.access.subusers import list_sub_users, unlock_sub_user
from tests.support.outbox import send_queued

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
URL = "http://portal.test"


def _user(db, username: str) -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _lock(db, username: str) -> UserAccount:
    for attempt in range(3):
        authenticate(session=db, username=username, password=f"wrong {attempt}", now=T0)
    user = _user(db, username)
    assert user.locked_at is not None
    return user


def _mails_since(db, mark: int) -> list[tuple[str, str]]:
    send_queued(db)
    rows = db.exec(select(MailMessage).where(MailMessage.id > mark).order_by(MailMessage.id)).all()
    return [(row.to_address, row.subject) for row in rows]


def _mark(db) -> int:
    send_queued(db)
    return max(db.exec(select(MailMessage.id)).all(), default=0)


def test_the_unlock_page_mails_the_sub_user_named_a_link_that_unlocks_him(db, demo):
    sub_user, owner = _lock(db, "10093.1"), _user(db, "10093")
    mark = _mark(db)
    unlock(
        session=db,
        username="10093.1",
        contract_number="90317",
        module_number="3",
        tax_code="09158730961",
        now=T0,
        public_url=URL,
    )
    assert sub_user.locked_at == T0  # the form alone unlocks nothing: the link in the mail does
    assert _mails_since(db, mark) == [(sub_user.primary_email, "Aurora Leasing – Sblocco dell'accesso")]
    body = db.exec(select(MailMessage.body_text).where(MailMessage.id > mark)).one()
    token = re.search(r"/reimposta-password\?token=([\w-]+)", body).group(1)
    assert unlock_with_link(session=db, token=token, now=T0) is True
    assert sub_user.locked_at is None and sub_user.failed_login_count == 0
    assert owner.locked_at is None and owner.failed_login_count == 0  # untouched: it was never locked
    assert authenticate(session=db, username="10093.1", password=DEMO_PASSWORD, now=T0)[0] is SignIn.OK


def test_the_unlock_page_refuses_a_username_of_another_customer(db, demo):
    other = _lock(db, "20417")
    mark = _mark(db)
    unlock(  # 10093's contract data with 20417's username
        session=db,
        username="20417",
        contract_number="90317",
        module_number="3",
        tax_code="09158730961",
        now=T0,
        public_url=URL,
    )
    assert other.locked_at is not None and _mails_since(db, mark) == []


def test_the_main_account_sees_and_unlocks_a_locked_sub_user(db, demo):
    sub_user, owner = _lock(db, "10093.1"), _user(db, "10093")
    views = {view.username: view for view in list_sub_users(session=db, parent=owner)}
    assert views["10093.1"].locked is True
    mark = _mark(db)
    assert unlock_sub_user(session=db, parent=owner, user_id=sub_user.id, now=T0, public_url=URL) == "10093.1"
    assert sub_user.locked_at is None and sub_user.failed_login_count == 0
    assert _mails_since(db, mark) == [(sub_user.primary_email, "Aurora Leasing – Accesso sbloccato")]
    assert {view.username: view for view in list_sub_users(session=db, parent=owner)}["10093.1"].locked is False


def test_only_the_main_account_unlocks_a_sub_user(db, demo):
    sub_user = _lock(db, "10093.1")
    mark = _mark(db)
    with pytest.raises(PermissionError):
        unlock_sub_user(session=db, parent=_user(db, "20417"), user_id=sub_user.id, now=T0, public_url=URL)
    with pytest.raises(PermissionError):
        unlock_sub_user(session=db, parent=sub_user, user_id=sub_user.id, now=T0, public_url=URL)
    assert sub_user.locked_at is not None and _mails_since(db, mark) == []
