"""Unit tests run on the demo data's day: the portal's clock stands still on AS_OF."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from portal.models import MailMessage
from tests.conftest import frozen_clock
from tests.support.outbox import send_queued


@pytest.fixture(scope="package", autouse=True)
def one_clock():
    """Package-wide, so the browser tests (which seed as of the real day) keep the real clock."""
    with frozen_clock() as moment:
        yield moment


# What a test produced: the rows with ids above a mark taken just before the action, never a whole
# table or a slice of an unordered one (the seed and the test's own set-up hold rows of the same kind).


def id_mark(db: Session, model) -> int:
    """The highest id of `model`'s table now (0 when empty)."""
    db.flush()
    return db.exec(select(sa.func.max(model.id))).one() or 0


def rows_after(db: Session, model, mark: int, *where) -> list:
    """The rows of `model` with an id above `mark` that match `where`, oldest first."""
    db.flush()
    return list(db.exec(select(model).where(model.id > mark, *where).order_by(model.id)).all())


def mail_mark(db: Session) -> int:
    """The mark before an action that mails: what the outbox held before it is sent first, as the
    app's background sender would have done, so only the action's own mail comes after the mark."""
    send_queued(db)
    return id_mark(db, MailMessage)


def mails_after(db: Session, mark: int, *where) -> list[MailMessage]:
    """The mail sent since `mark`, once the background sender has worked through the outbox (the
    app sends it after the commit; unit tests run no sender, so it runs here)."""
    send_queued(db)
    return rows_after(db, MailMessage, mark, *where)
