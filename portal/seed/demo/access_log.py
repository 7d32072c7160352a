"""The demo's past sign-ins (issue 15): the access log of the main account of customer 10093 shows a
few devices and one failed attempt. Only the audit log is written: nothing else counts them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from sqlmodel import Session

from portal.models import UserAccount
from portal.seed.builders import moment
from portal.services.common import audit

ACCOUNT = "10093"


@dataclasses.dataclass(frozen=True)
class PastSignIn:
    days_ago: int
    hour: int
    action: str
    client_ip: str
    user_agent: str


SIGN_INS = (
    PastSignIn(
        40,
        9,
        "login.success",
        "192.168.1.24",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 Safari/537.36",
    ),
    PastSignIn(
        21,
        18,
        "login.success",
        "93.41.12.7",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1",
    ),
    PastSignIn(
        9,
        23,
        "login.failure",
        "185.220.101.4",
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    ),
    PastSignIn(
        3,
        8,
        "login.success",
        "10.0.0.15",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Safari/605.1.15",
    ),
)


def past_sign_ins(session: Session, *, users: Mapping[str, UserAccount], as_of: dt.date) -> None:
    user = users[ACCOUNT]
    for spec in SIGN_INS:
        event = audit.record_by(session, spec.action, user, client_ip=spec.client_ip, user_agent=spec.user_agent)
        event.created_at = moment(as_of - dt.timedelta(days=spec.days_ago), spec.hour)
        if spec.action == "login.failure":
            event.detail = {"username": ACCOUNT}
