"""The access log: sign-ins record the device from now on, the page lists them newest first with
the one that opened this session marked, and the device and network are told without any lookup."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import select

from portal.models import AuditEvent, UserAccount
from portal.services.access import sign_in, two_factor
from portal.services.access.accounts import SignIn, authenticate
from portal.services.access.sessions import SessionPolicy, token_digest
from portal.services.privacy.access_log import device_of, is_private_network, sign_ins
from tests.conftest import NOW as T0
from tests.unit.access.test_two_factor import _mailed_code
from tests.unit.conftest import id_mark, rows_after

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def _user(db, username: str = "20417") -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def test_device_and_network_are_told_from_the_user_agent_and_the_address_alone():
    assert (device_of(FIREFOX).browser, device_of(FIREFOX).system) == ("Firefox 133", "Windows 10")
    assert (device_of(ANDROID).browser, device_of(ANDROID).system) == ("Chrome Mobile 131", "Android 14")
    assert (device_of("").browser, device_of("curl-ish nonsense").system) == ("", "")
    for private in ("127.0.0.1", "10.1.2.3", "192.168.0.9", "172.16.4.4", "::1", "fe80::1", "169.254.1.1"):
        assert is_private_network(private), private
    for public in ("93.41.12.7", "8.8.8.8", "2a00:1450:4002::1", "", "not an address"):
        assert not is_private_network(public), public


def test_a_sign_in_records_its_device_and_session_and_the_log_marks_this_session(db, demo):
    user = _user(db)
    policy = SessionPolicy.from_minutes(idle_minutes=15, absolute_hours=12)
    mark = id_mark(db, AuditEvent)
    wrong, _ = authenticate(
        session=db, username=user.username, password="wrong", now=T0, client_ip="93.41.12.7", user_agent=ANDROID
    )
    assert wrong is SignIn.FAILED
    handle, _ = two_factor.begin(session=db, user=user, now=T0)
    assert two_factor.check(session=db, handle=handle, code=_mailed_code(db, user), now=T0).outcome.name == "OK"
    ticket = two_factor.sign_in_ticket(session=db, handle=handle, now=T0)
    assert ticket is not None
    later = T0 + dt.timedelta(minutes=1)
    opened = sign_in.open_from_ticket(
        session=db, ticket=ticket, now=later, policy=policy, client_ip="127.0.0.1", user_agent=FIREFOX
    )
    assert opened is not None
    written = [
        (e.action, e.client_ip, e.user_agent)
        for e in rows_after(db, AuditEvent, mark, sa.column("action").in_(["login.success", "login.failure"]))
    ]
    assert written == [("login.failure", "93.41.12.7", ANDROID), ("login.success", "127.0.0.1", FIREFOX)]
    # the events' own moments (the audit log stamps the real time, the test's clock stands still)
    [failure] = rows_after(db, AuditEvent, mark, AuditEvent.action == "login.failure")
    [success] = rows_after(db, AuditEvent, mark, AuditEvent.action == "login.success")
    failure.created_at, success.created_at = T0, later
    db.add_all([failure, success])
    db.flush()

    [(session_id,)] = db.execute(
        sa.text("select id from user_session where token_hash = :h"), {"h": token_digest(opened.token)}
    ).all()
    assert success.detail["session_id"] == session_id
    events, total = sign_ins(session=db, user_id=user.id, now=later, session_digest=token_digest(opened.token), limit=1)
    [(expected_total,)] = db.execute(
        sa.text(
            "select count(*) from audit_event where user_id = :u and created_at >= :since and action in "
            "('login.success', 'login.failure', 'login.refused_locked', 'login.temporary_password_expired', "
            "'otp.failed')"
        ),
        {"u": user.id, "since": later - dt.timedelta(days=365)},
    ).all()
    assert total == expected_total
    [newest] = events
    assert (newest.success, newest.current, newest.browser, newest.system) == (True, True, "Firefox 133", "Windows 10")
    assert newest.private_network and newest.client_ip == "127.0.0.1"
    # another session (or none) is not "this session"
    others, _ = sign_ins(session=db, user_id=user.id, now=later, session_digest="0" * 64, limit=50)
    assert not any(e.current for e in others)
    failed = [e for e in others if not e.success]
    assert failed[0].reason == "login.failure" and failed[0].browser == "Chrome Mobile 131"
    assert not failed[0].private_network


def test_the_log_is_paged_newest_first_and_holds_only_the_accounts_own_sign_ins(db, demo):
    user = _user(db, "10093")
    expected = db.execute(
        sa.text(
            "select id from audit_event where user_id = :u and created_at >= :since and action in "
            "('login.success', 'login.failure', 'login.refused_locked', 'login.temporary_password_expired', "
            "'otp.failed') order by created_at desc, id desc"
        ),
        {"u": user.id, "since": T0 - dt.timedelta(days=365)},
    ).all()
    assert len(expected) >= 4  # the demo's past sign-ins
    first, total = sign_ins(session=db, user_id=user.id, now=T0, limit=2)
    rest, _ = sign_ins(session=db, user_id=user.id, now=T0, offset=2, limit=50)
    assert total == len(expected)
    assert [e.event_id for e in first + rest] == [row[0] for row in expected]
    sub = _user(db, "10093.1")
    theirs, _ = sign_ins(session=db, user_id=sub.id, now=T0, limit=50)
    assert not {e.event_id for e in theirs} & {row[0] for row in expected}
