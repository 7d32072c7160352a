"""Contract screens' data, the Excel exports and the download tickets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import col, select

from portal.models import Contract, Customer, LeasedAsset, ScheduleLine, UserAccount
from portal.models.enums import ContractStatus, ScheduleLineKind
from portal.services.access.accounts import principal_for
from portal.services.access.scope import Scope, whole_customer
from portal.services.common import downloads
from portal.services.common.xlsx import Column, write_workbook
from portal.services.contracts.exports import export_assets, export_plan
from portal.services.contracts.queries import (
    access_contract,
    assets_page,
    balance_series,
    checked_contract_id,
    contract_choice,
    contract_choices,
    contract_count,
    contract_detail,
    instalment_progress,
    plan_page,
    plan_row_count,
)
from tests.conftest import AS_OF


def _scope(db, code="10093") -> Scope:
    return whole_customer(db.exec(select(Customer.id).where(Customer.code == code)).one())


def _contract(db, number: str) -> Contract:
    contract = access_contract(session=db, scope=_scope(db), number=number)
    assert contract is not None
    return contract


def _sheet(path) -> Worksheet:
    sheet = load_workbook(path).active
    assert isinstance(sheet, Worksheet)
    return sheet


def _values(sheet: Worksheet) -> list[tuple[Any, ...]]:
    """The rows' plain values (openpyxl types a cell's value too loosely to sum or hash)."""
    return list(sheet.iter_rows(values_only=True))


def test_choices_list_active_then_extinguished(db, demo):
    choices = contract_choices(session=db, scope=_scope(db))
    assert [c.number for c in choices] == ["90317", "97702", "84963", "71204"]
    assert choices[-1].status is ContractStatus.EXTINGUISHED


def test_choices_matching_a_search_at_most_a_limit(db, demo):
    scope = _scope(db)
    assert [c.number for c in contract_choices(session=db, scope=scope, matching="7")] == ["90317", "97702", "71204"]
    assert [c.number for c in contract_choices(session=db, scope=scope, matching="STRUMENT")] == ["84963", "71204"]
    assert [c.number for c in contract_choices(session=db, scope=scope, limit=2)] == ["90317", "97702"]
    assert [c.number for c in contract_choices(session=db, scope=scope, matching="%")] == []  # a literal %
    assert contract_count(session=db, scope=scope) == 4


def test_a_choice_by_number_only_inside_the_scope(db, demo):
    found = contract_choice(session=db, scope=_scope(db), number="71204")
    assert found is not None and (found.number, found.status) == ("71204", ContractStatus.EXTINGUISHED)
    assert contract_choice(session=db, scope=_scope(db), number="88120") is None  # 20417's
    assert contract_choices(session=db, scope=_scope(db), matching="88120") == []


def test_another_customers_contract_is_unknown(db, demo):
    assert access_contract(session=db, scope=_scope(db), number="88120") is None
    assert contract_detail(session=db, scope=_scope(db), number="88120", today=AS_OF) is None
    assert access_contract(session=db, scope=_scope(db, "20417"), number="88120") is not None


def test_checked_contract_id_refuses_a_contract_outside_the_scope(db, demo):
    mine = db.exec(select(Contract.id).where(Contract.number == "84963")).one()
    assert checked_contract_id(session=db, scope=_scope(db), number="84963") == mine
    with pytest.raises(PermissionError):
        checked_contract_id(session=db, scope=_scope(db), number="88120")
    with pytest.raises(PermissionError):
        checked_contract_id(
            session=db, scope=Scope(customer_id=_scope(db).customer_id, contract_ids=frozenset()), number="84963"
        )


def test_sub_user_scope_hides_other_contracts(db, demo):
    sub_user = db.exec(select(UserAccount).where(UserAccount.username == "10093.1")).one()
    scope = principal_for(session=db, user=sub_user).scope
    assert scope is not None
    assert access_contract(session=db, scope=scope, number="84963") is None
    assert {c.number for c in contract_choices(session=db, scope=scope)} == {"90317", "97702"}
    rows, total = assets_page(session=db, scope=scope, contract_id=None, offset=0)
    assert total == 2 and {row.contract_number for row in rows} == {"90317", "97702"}


def test_detail_figures(db, demo):
    detail = contract_detail(session=db, scope=_scope(db), number="84963", today=AS_OF)
    assert detail is not None
    assert detail.asset_count == 5 and detail.first_instalment == D("2515.00")
    rows = db.exec(
        select(ScheduleLine)
        .where(
            ScheduleLine.contract_id == detail.contract.id,
            ScheduleLine.kind != ScheduleLineKind.INDEXATION,
            ScheduleLine.due_date <= AS_OF,
        )
        .order_by(col(ScheduleLine.position))
    ).all()
    assert detail.residual_capital_today == rows[-1].residual_capital


def test_plan_pages_in_sql(db, demo):
    contract = _contract(db, "90317")
    total = plan_row_count(session=db, scope=_scope(db), contract_id=contract.id)
    first = plan_page(session=db, contract=contract, offset=0)
    assert first.total == total > 25 and len(first.rows) == 25 and first.rows[0].position == 1
    last = plan_page(session=db, contract=contract, offset=10_000)  # clamped to the last page
    assert last.offset == (total - 1) // 25 * 25 and last.rows[-1].position == total
    assert plan_page(session=db, contract=contract, offset=-5).offset == 0


def test_balance_series_and_progress(db, demo):
    contract = _contract(db, "84963")
    series = balance_series(session=db, contract=contract)
    assert series[0] == (contract.signed_on, contract.amount) and series[-1][1] == 0
    progress = instalment_progress(session=db, contract=contract, today=AS_OF)
    principal_rows = contract.instalment_count + 2  # advance, instalments, residual value
    assert progress.paid_count + progress.overdue_count + progress.due_count == principal_rows
    assert progress.paid_amount + progress.overdue_amount + progress.due_amount == sum(
        db.exec(
            select(col(ScheduleLine.amount)).where(
                ScheduleLine.contract_id == contract.id, ScheduleLine.kind != ScheduleLineKind.INDEXATION
            )
        ).all(),
        D("0"),
    )
    van = _contract(db, "90317")
    assert instalment_progress(session=db, contract=van, today=AS_OF).overdue_count == 1


def test_plan_export_rows_and_sums(db, demo, tmp_path):
    contract = _contract(db, "90317")
    path = tmp_path / "plan.xlsx"
    seen = []
    written = export_plan(
        session=db, scope=_scope(db), contract_id=contract.id, lang="it", path=path, progress=seen.append
    )
    rows = db.exec(
        select(ScheduleLine).where(ScheduleLine.contract_id == contract.id).order_by(col(ScheduleLine.position))
    ).all()
    assert written == len(rows) and seen[-1] == written
    sheet = _sheet(path)
    header, *data = _values(sheet)
    assert header[:5] == ("Contratto", "Num. rata", "Data scadenza", "Tipologia rata", "Importo rata")
    assert len(data) == len(rows)
    assert round(sum(row[5] for row in data), 2) == float(contract.amount)  # principal column
    assert {row[3] for row in data} == {"Rata anticipata", "Rata", "Indicizzazione", "Valore residuo"}
    indexation = next(row for row in data if row[3] == "Indicizzazione")
    assert indexation[12] is not None and indexation[13] is not None  # rate and balance it came from
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:N{len(rows) + 1}"
    assert sheet["C2"].number_format == "DD/MM/YYYY" and "€" in sheet["E2"].number_format


def test_all_plans_export_covers_every_contract(db, demo, tmp_path):
    path = tmp_path / "all.xlsx"
    written = export_plan(session=db, scope=_scope(db), contract_id=None, lang="en", path=path)
    expected = len(
        db.exec(
            select(ScheduleLine.id)
            .join(Contract, col(Contract.id) == ScheduleLine.contract_id)
            .where(Contract.customer_id == _scope(db).customer_id)
        ).all()
    )
    assert written == expected
    header = _values(_sheet(path))[0]
    assert header[1] == "Instalment no."


def test_assets_export_has_the_manuals_columns(db, demo, tmp_path):
    path = tmp_path / "assets.xlsx"
    contract = _contract(db, "84963")
    assert export_assets(session=db, scope=_scope(db), contract_id=contract.id, lang="it", path=path) == 5
    header, *data = _values(_sheet(path))
    assert header == (
        "Codice Contratto",
        "Fine mandato",
        "Codice del bene",
        "Tipo di risorsa",
        "Valore Finanziario",
        "Valore atteso futuro",
        "Descrizione della risorsa",
    )
    values = db.exec(select(col(LeasedAsset.financial_value)).where(LeasedAsset.contract_id == contract.id)).all()
    assert sum(row[4] for row in data) == float(sum(values))


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)", "\tTAB", "\rCR"])
def test_formula_like_text_stays_text(tmp_path, text):
    path = tmp_path / "f.xlsx"
    write_workbook(path=path, sheet_title="x", columns=[Column("plan.kind")], rows=[(text,)], lang="it")
    cell = _sheet(path)["A2"]
    # A control character is stored in the file as OOXML's _xHHHH_ escape, which Excel decodes;
    # openpyxl's reader leaves it as it is, so the test decodes it as Excel does.
    assert unescape(cell.value) == text and cell.data_type == "s"


def test_download_tickets(db, demo, tmp_path):
    users = {u.username: u for u in db.exec(select(UserAccount)).all()}
    now = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
    name = downloads.new_storage_name(".xlsx")
    (downloads.exports_dir(tmp_path) / name).write_bytes(b"data")
    token = downloads.issue_ticket(
        session=db,
        user_id=users["10093"].id,
        storage_name=name,
        filename="f.xlsx",
        content_type=downloads.XLSX,
        now=now,
    )
    assert downloads.redeem(session=db, token=token, user_id=users["20417"].id, now=now, base=tmp_path) is None
    assert (
        downloads.redeem(
            session=db, token=token, user_id=users["10093"].id, now=now + dt.timedelta(minutes=5), base=tmp_path
        )
        is None
    )
    found = downloads.redeem(session=db, token=token, user_id=users["10093"].id, now=now, base=tmp_path)
    assert found is not None
    assert found.filename == "f.xlsx" and found.path.read_bytes() == b"data"
    assert downloads.redeem(session=db, token=token, user_id=users["10093"].id, now=now, base=tmp_path) is None  # once


def test_expired_tickets_are_purged_with_their_files(db, demo, tmp_path):
    user = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    now = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
    name = downloads.new_storage_name(".xlsx")
    file = downloads.exports_dir(tmp_path) / name
    file.write_bytes(b"data")
    downloads.issue_ticket(
        session=db, user_id=user.id, storage_name=name, filename="f.xlsx", content_type=downloads.XLSX, now=now
    )
    assert (
        downloads.purge_expired(session=db, now=now + downloads.TICKET_TTL, base=tmp_path) == 0
    )  # still in its grace minute
    assert file.exists()
    assert (
        downloads.purge_expired(session=db, now=now + downloads.TICKET_TTL + downloads.PURGE_GRACE, base=tmp_path) == 1
    )
    assert file.exists() is False
