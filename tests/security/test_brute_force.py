"""Brute force against the limits, through the real websocket and HTTP routes: password guessing,
e-mailed codes, authenticator and recovery codes, reset tokens and the unlock form. Not one guess
may succeed, and each limit must hold at its documented number (docs/SECURITY.md).

Guessing exhausts the per-IP limits (every client here is 127.0.0.1), so this module runs its own
app (own database, port and web folder) with the production limits, and uses accounts it creates
there. Waits the second-factor limit imposes (30 s and more) are not slept through: the wait is
stored on the account (`second_factor_blocked_until`), and the test moves it into the past, as
time passing would; a guess sent while the wait runs is refused even with the right code.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
import urllib.parse

import pyotp
import pytest
import sqlalchemy as sa

from portal.seed.demo import DEMO_PASSWORD
from portal.services.access.passwords import hash_password
from tests.e2e.conftest import (
    RunningApp,
    _app_environment,
    _free_port,
    db_rows,
    italian_today,
    own_web_workdir,
    serving,
)
from tests.support import app_process
from tests.support.reflex_socket import Answer, ReflexSocket, state_event

ATTEMPTS: list[str] = []  # every guess sent, for the closing figure
SUCCESSES: list[str] = []


@pytest.fixture(scope="module")
def app(tmp_path_factory, mailbox) -> RunningApp:
    """A second app, like conftest's, with the production limits: its counters are this module's."""
    tmp = tmp_path_factory.mktemp("security-brute")
    port = _free_port()
    database_url = f"sqlite:///{tmp / 'brute.db'}"
    env = _app_environment(tmp, port, database_url, mailbox.port)
    env["PORTAL_DEMO_MODE"] = "0"
    env["PORTAL_ALLOWED_ORIGINS"] = f"http://127.0.0.1:{port}"
    env.pop("PORTAL_EXTRA_FORMS", None)
    env["REFLEX_WEB_WORKDIR"] = own_web_workdir("security-brute")
    for name in list(env):
        if name.startswith("PORTAL_RATE_LIMIT_"):
            env.pop(name)  # the documented limits, whatever the caller's environment says
    today = italian_today()
    app_process.prepare_database(env, "--size", "demo", "--as-of", today.isoformat())
    with serving(env, database_url, today, tmp) as running:
        yield running


def new_account(app: RunningApp, name: str, *, like: str = "12006") -> tuple[str, str]:
    """A fresh account of the customer `like` belongs to, a copy of its row with its own username,
    address and the demo password: (username, address)."""
    username, address = f"{like}.{name}", f"{name}.{secrets.token_hex(3)}@brute.example"
    with app.engine.begin() as connection:
        row = dict(
            connection.execute(sa.text("select * from user_account where username = :u"), {"u": like}).mappings().one()
        )
        row.pop("id")
        row.update(
            username=username,
            primary_email=address,
            secondary_email=None,
            password_hash=hash_password(DEMO_PASSWORD),
            must_change_password=False,
            locked_at=None,
            failed_login_count=0,
            totp_secret=None,
            totp_pending_secret=None,
        )
        row = {key: value for key, value in row.items() if key in _columns(connection)}
        names = ", ".join(row)
        connection.execute(
            sa.text(f"insert into user_account ({names}) values ({', '.join(':' + k for k in row)})"), row
        )
    return username, address


def _columns(connection) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns("user_account")}


def account(app: RunningApp, username: str) -> dict:
    with app.engine.connect() as connection:
        return dict(
            connection.execute(sa.text("select * from user_account where username = :u"), {"u": username})
            .mappings()
            .one()
        )


def sessions_of(app: RunningApp, username: str) -> int:
    return db_rows(
        app,
        "select count(*) from user_session s join user_account u on u.id = s.user_id where u.username = :u",
        u=username,
    )[0][0]


def let_the_wait_pass(app: RunningApp, username: str) -> None:
    """What waiting out the account's second-factor delay does: the stored wait lies in the past."""
    with app.engine.begin() as connection:
        connection.execute(
            sa.text("update user_account set second_factor_blocked_until = null where username = :u"), {"u": username}
        )


def _login():
    from portal.pages.login import LoginState

    return LoginState


def password(tab: ReflexSocket, username: str, secret: str) -> Answer:
    ATTEMPTS.append(f"password {username}")
    return tab.send(
        state_event(_login(), "submit"), {"form_data": {"username": username, "password": secret}}, path="/login"
    )


def code(tab: ReflexSocket, guess: str, what: str = "code") -> Answer:
    ATTEMPTS.append(what)
    return tab.send(state_event(_login(), "verify_code"), {"form_data": {"code": guess}}, path="/login")


def _var(answer: Answer, name: str, default=None):
    try:
        return answer.var(name)
    except KeyError:
        return default


def signed_in(answer: Answer) -> bool:
    """A login that passed both factors answers with the script that trades its one-time ticket."""
    return "ticket" in answer.text()


def recovery_guess() -> str:
    """A code of the recovery codes' shape: 80 random bits in base32, grouped as they are shown."""
    text = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def wrong_code(right: str) -> str:
    while True:
        guess = f"{secrets.randbelow(10**6):06d}"
        if guess != right:
            return guess


def mailed_code(mailbox, address: str, since: int) -> str:
    return mailbox.code(address, since)


@pytest.fixture
def socket(app):
    opened: list[ReflexSocket] = []

    def open_tab() -> ReflexSocket:
        tab = ReflexSocket(app.base_url)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        tab.close()


def test_password_guessing_locks_the_account_after_three_and_the_lock_refuses_even_the_right_one(app, socket):
    username, _ = new_account(app, "pw")
    tab = socket()
    for _ in range(3):
        answer = password(tab, username, "Guess-" + secrets.token_hex(4))
        assert _var(answer, "step") != "code"
    assert account(app, username)["locked_at"] is not None
    for guess in ["Guess-1", "Guess-2", DEMO_PASSWORD, "Guess-3", DEMO_PASSWORD]:
        answer = password(tab, username, guess)
        if _var(answer, "step") == "code":
            SUCCESSES.append(f"password {username}")
        assert _var(answer, "step", "credentials") != "code"
        assert answer.var("form_error")  # "locked": the same answer for the right password
    assert account(app, username)["locked_at"] is not None
    assert sessions_of(app, username) == 0


def test_emailed_codes_five_per_login_waits_from_the_third_and_a_lock_at_the_tenth(app, mailbox, socket):
    username, address = new_account(app, "otp")
    tab = socket()
    failures = 0

    # Login 1: three wrong codes, then the wait: the right code is refused while it runs.
    since = mailbox.mark()
    assert password(tab, username, DEMO_PASSWORD).var("step") == "code"
    right = mailed_code(mailbox, address, since)
    for _ in range(3):
        answer = code(tab, wrong_code(right))
        failures += 1
    assert account(app, username)["second_factor_failures"] == 3
    assert account(app, username)["second_factor_blocked_until"] is not None
    answer = code(tab, right, "code (right, during the wait)")
    assert not signed_in(answer), "the right code passed during the wait"
    assert "30" in answer.var("code_error") or answer.var("code_error")
    # Two more wrong codes (the wait let pass before each): the login's five tries are spent.
    for _ in range(2):
        let_the_wait_pass(app, username)
        answer = code(tab, wrong_code(right))
        failures += 1
    assert answer.var("step") == "credentials" and answer.var("form_error")  # the login is over
    let_the_wait_pass(app, username)
    answer = code(tab, right, "code (right, after the login's five tries)")
    assert not signed_in(answer)

    # Login 2: the account's count goes on across logins; the tenth failure locks the account.
    since = mailbox.mark()
    assert password(tab, username, DEMO_PASSWORD).var("step") == "code"
    right = mailed_code(mailbox, address, since)
    while failures < 10:
        let_the_wait_pass(app, username)
        answer = code(tab, wrong_code(right))
        failures += 1
    assert account(app, username)["locked_at"] is not None
    let_the_wait_pass(app, username)
    answer = code(tab, right, "code (right, account locked)")
    assert not signed_in(answer)
    # Locked: even the right password opens no new login.
    answer = password(tab, username, DEMO_PASSWORD)
    assert _var(answer, "step", "credentials") != "code"
    assert sessions_of(app, username) == 0


def _with_authenticator(app: RunningApp, username: str) -> tuple[str, list[str]]:
    """The authenticator turned on for the account, with its recovery codes, as enrolment leaves it."""
    from sqlmodel import Session, select

    from portal.models import UserAccount
    from portal.services.access import recovery_codes

    secret = pyotp.random_base32()
    with Session(app.engine) as db:
        user = db.exec(select(UserAccount).where(UserAccount.username == username)).one()
        user.totp_secret = secret
        db.add(user)
        codes = recovery_codes.issue(session=db, user=user, now=dt.datetime.now(dt.UTC))
        db.commit()
    return secret, codes


def test_authenticator_and_recovery_codes_are_limited_like_the_emailed_ones(app, socket):
    username, _ = new_account(app, "totp")
    secret, recovery = _with_authenticator(app, username)
    tab = socket()
    totp = pyotp.TOTP(secret)

    answer = password(tab, username, DEMO_PASSWORD)
    assert answer.var("step") == "code" and answer.var("code_method") == "totp"
    guesses = [wrong_code(totp.now()), "A" * 16, wrong_code(totp.now())]  # app code, recovery-looking, app code
    for guess in guesses:
        code(tab, guess, "totp or recovery code")
    assert account(app, username)["second_factor_failures"] == 3
    for right, what in (
        (totp.now(), "totp (right, during the wait)"),
        (recovery[0], "recovery (right, during the wait)"),
    ):
        answer = code(tab, right, what)
        assert not signed_in(answer), what
    # Wrong recovery codes (right shape, 80 random bits) until the login's tries are spent.
    for _ in range(2):
        let_the_wait_pass(app, username)
        code(tab, recovery_guess(), "recovery code")
    let_the_wait_pass(app, username)
    answer = code(tab, totp.now(), "totp (right, after the login's five tries)")
    assert not signed_in(answer)
    # More logins until the tenth failure locks the account.
    failures = 5
    while failures < 10:
        answer = password(tab, username, DEMO_PASSWORD)
        assert answer.var("step") == "code"
        while failures < 10 and _var(answer, "step", "code") == "code":
            let_the_wait_pass(app, username)
            answer = code(tab, wrong_code(totp.now()) if failures % 2 else recovery_guess(), "totp/recovery")
            failures += 1
    assert account(app, username)["locked_at"] is not None
    answer = password(tab, username, DEMO_PASSWORD)
    assert _var(answer, "step", "credentials") != "code"
    assert sessions_of(app, username) == 0
    unused = db_rows(
        app,
        "select count(*) from recovery_code r join user_account u on u.id = r.user_id"
        " where u.username = :u and r.used_at is null",
        u=username,
    )[0][0]
    assert unused == len(recovery)  # not one recovery code was spent


def _reset():
    from portal.pages.reset_password import ResetPasswordState

    return ResetPasswordState


def test_reset_tokens_cannot_be_guessed_and_a_real_one_works_once(app, mailbox, socket):
    username, address = new_account(app, "reset")
    before = account(app, username)["password_hash"]
    tab = socket()
    new = "Brute-Force-2030!x"
    for _ in range(25):
        token = secrets.token_urlsafe(32)
        ATTEMPTS.append("reset token")
        answer = tab.send(state_event(_reset(), "load"), path="/reimposta-password", query={"token": token})
        assert answer.var("link_valid") is False
        answer = tab.send(
            state_event(_reset(), "submit"),
            {"form_data": {"new_password": new, "confirm_password": new}},
            path="/reimposta-password",
            query={"token": token},
        )
        if _var(answer, "done"):
            SUCCESSES.append("reset token")
    assert account(app, username)["password_hash"] == before

    # A real link, asked for through the forgotten-password page, works once.
    from portal.pages.forgot_password import ForgotPasswordState

    since = mailbox.mark()
    tab.send(
        state_event(ForgotPasswordState, "submit"), {"form_data": {"email": address}}, path="/password-dimenticata"
    )
    message = mailbox.wait_for(address, since=since)
    link = re.search(r"token=([A-Za-z0-9_\-%]+)", mailbox.text(message))
    assert link, mailbox.text(message)
    token = urllib.parse.unquote(link.group(1))
    form = {"form_data": {"new_password": new, "confirm_password": new}}
    answer = tab.send(state_event(_reset(), "submit"), form, path="/reimposta-password", query={"token": token})
    assert answer.var("done")
    changed = account(app, username)["password_hash"]
    assert changed != before
    ATTEMPTS.append("reset token (used again)")
    again = "Brute-Force-2031!y"
    form = {"form_data": {"new_password": again, "confirm_password": again}}
    answer = tab.send(state_event(_reset(), "submit"), form, path="/reimposta-password", query={"token": token})
    assert answer.var("link_valid") is False
    assert account(app, username)["password_hash"] == changed
    if _var(answer, "done"):
        SUCCESSES.append("reset token used twice")


def _unlock(tab: ReflexSocket, username: str, identity: dict[str, str]) -> Answer:
    from portal.pages.unlock import UnlockState

    ATTEMPTS.append(f"unlock {username}")
    return tab.send(
        state_event(UnlockState, "submit"), {"form_data": {"username": username, **identity}}, path="/login-bloccata"
    )


def test_the_unlock_form_mails_three_times_per_username_and_ten_per_address(app, mailbox, socket):
    """3/hour per username, 10/hour per client IP (docs/SECURITY.md): past them the same answer,
    and no mail."""
    contract, module, vat = db_rows(
        app,
        "select k.number, k.module_number, coalesce(c.partita_iva, c.codice_fiscale) from contract k"
        " join customer c on c.id = k.customer_id where c.code = '10093' order by k.id limit 1",
    )[0]
    identity = {"contract_number": contract, "module_number": module, "tax_code": vat}
    # (the brute app's own copy of the demo customer 10093, whose partita IVA is a valid one)
    first, first_address = new_account(app, "unlock1", like="10093")
    second, second_address = new_account(app, "unlock2", like="10093")
    tab = socket()
    since = mailbox.mark()
    for _ in range(6):
        assert _unlock(tab, first, identity).var("done")
    assert links_of(app, first) == 3  # the per-username limit: each mail's link is written with the answer
    for _ in range(3):  # and those three mails do arrive
        mailbox.wait_for(first_address, since=since)
        since = mailbox.messages.index(next(m for m in mailbox.messages[since:] if m["To"] == first_address)) + 1

    # Six attempts counted for this address so far (three refused ones count nothing): seven more
    # about other usernames reach the per-IP ten, then a real request mails nobody.
    for index in range(7):
        _unlock(tab, f"nessuno{index}", identity)
    assert _unlock(tab, second, identity).var("done")  # the same answer
    assert links_of(app, second) == 0
    assert links_of(app, first) == 3
    assert [m for m in mailbox.messages if m["To"] == second_address] == []


def links_of(app: RunningApp, username: str) -> int:
    """Unlock links written for the account: one per mail the unlock page sends, in its transaction."""
    return db_rows(
        app,
        "select count(*) from password_reset_token t join user_account u on u.id = t.user_id"
        " where u.username = :u and t.purpose = 'unlock'",
        u=username,
    )[0][0]


def test_closing_figures():
    """The figure the closing note quotes: guesses sent, and how many got in (none)."""
    print(f"\nbrute-force attempts: {len(ATTEMPTS)}, successes: {len(SUCCESSES)}")
    assert SUCCESSES == []
    assert len(ATTEMPTS) > 60
