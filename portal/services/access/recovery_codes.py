"""One-time recovery codes: how a user of the authenticator app signs in without the phone (issue 11).

The app's users never fall back to an e-mailed code (the mailbox would then be a way around the
app). RECOVERY_CODE_COUNT codes are made when the app is turned on (and again on request), shown
once, and stored as SHA-256: each has 80 random bits, so a fast hash is enough. Each works once.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets

from sqlmodel import Session, col, select, update

from portal.models import RecoveryCode, UserAccount

RECOVERY_CODE_COUNT = 10
_CODE_BYTES = 10  # 80 bits: 16 base32 characters
_GROUP = 4


def normalise(code: str) -> str:
    """What the user typed, without the dashes, spaces and case that do not matter."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def looks_like_recovery_code(code: str) -> bool:
    return len(normalise(code)) == _CODE_BYTES * 8 // 5


def _digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode("ascii", "ignore")).hexdigest()


def _new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(_CODE_BYTES)).decode("ascii")
    return "-".join(raw[i : i + _GROUP] for i in range(0, len(raw), _GROUP))


def issue(*, session: Session, user: UserAccount, now: dt.datetime) -> list[str]:
    """A new set of codes for the user; the previous set stops working. The plain codes are
    returned once, to be shown to the user, and never stored."""
    session.exec(
        update(RecoveryCode)  # type: ignore[call-overload]  (sqlmodel's exec accepts an UPDATE)
        .where(col(RecoveryCode.user_id) == user.id, col(RecoveryCode.used_at).is_(None))
        .values(used_at=now)
    )
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all([RecoveryCode(user_id=user.id, code_hash=_digest(code), created_at=now) for code in codes])
    session.flush()
    return codes


def revoke_all(*, session: Session, user: UserAccount, now: dt.datetime) -> None:
    """The app was turned off: its recovery codes go with it."""
    session.exec(
        update(RecoveryCode)  # type: ignore[call-overload]
        .where(col(RecoveryCode.user_id) == user.id, col(RecoveryCode.used_at).is_(None))
        .values(used_at=now)
    )


def redeem(*, session: Session, user: UserAccount, code: str, now: dt.datetime) -> bool:
    """Use one code: True once for each code the user holds. The conditional UPDATE marks it used
    atomically, so two workers cannot both accept it."""
    if not looks_like_recovery_code(code):
        return False
    result = session.exec(
        update(RecoveryCode)  # type: ignore[call-overload]
        .where(
            col(RecoveryCode.user_id) == user.id,
            col(RecoveryCode.code_hash) == _digest(code),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=now)
    )
    return result.rowcount == 1


def remaining(*, session: Session, user: UserAccount) -> int:
    rows = session.exec(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None))
    ).all()
    return len(rows)
