"""The "I miei dati" and "Registro accessi" states (issue 15): asking for the copy of the data, a
second ask while one is building (said, nothing changed), the job's result shown on the next
refresh, an operator sent away, and the access log marking this session."""

from __future__ import annotations

import sqlalchemy as sa

from portal.db import session_scope
from portal.jobs import data_exports
from portal.models import DataExport, Notification, UserAccount
from portal.pages.access_log import AccessLogState
from portal.pages.my_data import MyDataState
from portal.services.common import downloads
from tests.state.conftest import id_mark, redirect_target, rows_after


def _drain(generator) -> None:
    for _ in generator or ():
        pass


def _cleanup(export_mark: int, notice_mark: int) -> None:
    with session_scope() as db:
        for (name,) in db.execute(
            sa.text("select storage_name from data_export where id > :m and storage_name is not null"),
            {"m": export_mark},
        ).all():
            (downloads.exports_dir() / name).unlink(missing_ok=True)
        db.execute(sa.text("delete from data_export where id > :m"), {"m": export_mark})
        db.execute(sa.text("delete from notification where id > :m"), {"m": notice_mark})


def test_asking_twice_makes_one_export_and_the_page_shows_it_ready_after_the_job(signed_in):
    exports, notices = id_mark(DataExport), id_mark(Notification)
    try:
        browser = signed_in("20417")
        browser.visit("/profilo/i-miei-dati")
        browser.run(MyDataState, "load")
        page = browser.state(MyDataState)
        assert (page.loaded, page.status, page.link) == (True, "", "")
        assert (page.signed_in, page.username) == (True, "20417")  # the header still knows who it is

        _drain(browser.run(MyDataState, "ask"))
        assert (page.status, page.asking, page.message) == (
            "requested",
            False,
            "Request received: we are preparing the archive.",
        )
        _drain(browser.run(MyDataState, "ask"))
        assert page.message == "An archive is already being prepared: we will tell you when it is ready."
        with session_scope() as db:
            owner = db.exec(sa.select(UserAccount.id).where(UserAccount.username == "20417")).scalar_one()
        [row] = rows_after(DataExport, exports)
        assert (row.user_id, row.status.value) == (owner, "requested")

        assert data_exports.run().built == 1  # what the app's loop does when woken
        browser.run(MyDataState, "refresh")
        assert page.status == "ready" and page.link == f"/api/miei-dati/{row.code}.zip"
        assert page.expires_text != "" and page.size_text.endswith("kB")
    finally:
        _cleanup(exports, notices)


def test_an_operator_is_sent_home_and_asks_for_nothing(signed_in):
    exports = id_mark(DataExport)
    browser = signed_in("servicedesk")
    browser.visit("/profilo/i-miei-dati")
    assert redirect_target(browser.run(MyDataState, "load")) == "/"
    assert redirect_target(browser.run(MyDataState, "ask")) == "/"
    assert rows_after(DataExport, exports) == []


def test_the_access_log_lists_the_sign_in_of_this_session_first(signed_in):
    browser = signed_in("20417")
    browser.visit("/profilo/registro-accessi")
    browser.run(AccessLogState, "load")
    page = browser.state(AccessLogState)
    assert page.total >= 1
    newest = page.rows[0]
    assert newest.current and newest.outcome == "resolved"
    assert newest.place == "Private/local network (127.0.0.1)"  # 20417 reads English
    assert sum(row.current for row in page.rows) == 1


def test_a_visitor_without_session_is_sent_to_the_login_page_and_asks_for_nothing(browser):
    exports = id_mark(DataExport)
    browser.visit("/profilo/i-miei-dati")
    for handler in ("load", "refresh", "ask"):
        assert redirect_target(browser.run(MyDataState, handler)) == "/login?next=%2Fprofilo%2Fi-miei-dati"
    browser.visit("/profilo/registro-accessi")
    assert redirect_target(browser.run(AccessLogState, "load")) == "/login?next=%2Fprofilo%2Fregistro-accessi"
    assert rows_after(DataExport, exports) == []
