"""Contract, plan and asset screens: what they load, page by page, and what they refuse."""

from __future__ import annotations

import datetime as dt

from portal import i18n
from portal.pages.assets import AssetsState
from portal.pages.contracts import ContractsState
from portal.pages.contracts.state import ContractFields
from portal.pages.plan import PlanState
from portal.state import contract_choices
from tests.conftest import AS_OF
from tests.state.conftest import redirect_target

# The van, 90317: signed 15 June 2022, 59 monthly instalments on the 1st from 1 July 2022, the residual
# value on 1 June 2027. Until then the chart's today line stands on the 1st of AS_OF's month.
VAN_PLAN_ENDS = dt.date(2027, 6, 1)


def test_contracts_page_defaults_to_the_first_active_contract(signed_in):
    browser = signed_in()
    browser.visit("/contratti")
    browser.run(ContractsState, "load")
    page = browser.state(ContractsState)
    assert page.selected == "90317" and page.is_active is True
    assert page.choices[0].label.startswith("90317 · Leasing targato - Attivo - scadenza ")
    assert page.choices[-1].label.startswith("71204 · Leasing strumentale - Estinto")
    assert page.fields.reference_rate == "Euribor 3 m.l. (div.360)"
    assert page.fields.iban.startswith("IT60 X054")
    running = AS_OF <= VAN_PLAN_ENDS
    assert page.today_label == (i18n.short_date(AS_OF.replace(day=1), "it") if running else "")
    assert [point.label for point in page.balance_points].count(page.today_label) == (1 if running else 0)
    assert sum(slice_.count for slice_ in page.progress_slices) == 61  # advance + 59 rate + riscatto
    assert redirect_target(browser.run(ContractsState, "choose", "84963")) == "/contratti?numero=84963"


def test_foreign_contract_is_not_shown(signed_in):
    browser = signed_in()
    browser.visit("/contratti?numero=88120")
    browser.run(ContractsState, "load")
    page = browser.state(ContractsState)
    assert page.not_found is True and page.has_contract is False and page.fields == ContractFields()
    browser.visit("/contratti/piano?numero=88120")
    browser.run(PlanState, "load")
    plan = browser.state(PlanState)
    assert plan.found is False and plan.rows == [] and plan.total == 0


def test_plan_pages(signed_in):
    browser = signed_in()
    browser.visit("/contratti/piano?numero=90317")
    browser.run(PlanState, "load")
    plan = browser.state(PlanState)
    assert plan.found is True and len(plan.rows) == 25 and plan.page_info == f"1 - 25 di {plan.total}"
    assert plan.has_previous is False and plan.has_next is True
    first_page = [(row.due_date, row.kind_code) for row in plan.rows]
    browser.run(PlanState, "next_page")
    assert plan.page_info == f"26 - 50 di {plan.total}"
    second_page = [(row.due_date, row.kind_code) for row in plan.rows]
    assert len(second_page) == 25 and set(first_page).isdisjoint(second_page)
    notes = [row.note for row in plan.rows if row.kind_code == "indexation"]
    assert len(notes) > 0 and all(note.startswith("Calcolata su") for note in notes)
    browser.run(PlanState, "previous_page")
    assert plan.offset == 0


def test_sub_user_plan_of_a_hidden_contract(signed_in):
    browser = signed_in("10093.1")
    browser.visit("/contratti/piano?numero=84963")
    browser.run(PlanState, "load")
    assert browser.state(PlanState).found is False


def test_assets_filter_and_foreign_filter(signed_in):
    browser = signed_in()
    browser.visit("/beni-in-locazione")
    browser.run(AssetsState, "load")
    page = browser.state(AssetsState)
    assert page.total == 8 and page.contract == "all"
    browser.run(AssetsState, "choose_contract", "84963")
    assert page.total == 5 and {row.contract for row in page.rows} == {"84963"}
    browser.run(
        AssetsState, "choose_contract", "88120"
    )  # someone else's contract: the filter falls back to all of mine
    assert page.contract == "all" and page.total == 8 and "88120" not in {row.contract for row in page.rows}


def test_a_customer_with_many_contracts_searches_them(signed_in, monkeypatch):
    """With more contracts than the page lists at once (two, here, for 10093's four), the page
    offers a search; the chosen contract stays a choice, another customer's never becomes one."""
    monkeypatch.setattr(contract_choices, "ALL_SHOWN_UP_TO", 2)
    monkeypatch.setattr(contract_choices, "MATCHES_SHOWN", 2)
    browser = signed_in()
    browser.visit("/contratti?numero=71204")
    browser.run(ContractsState, "load")
    page = browser.state(ContractsState)
    assert page.contract_search_offered is True and page.selected == "71204"
    assert [option.value for option in page.choices] == ["90317", "97702", "71204"]
    assert page.contract_search_note == (
        "2 contratti trovati su 4: scrivi parte del numero o del prodotto per trovare gli altri."
    )
    browser.run(ContractsState, "search_contracts", " 849 ")
    assert page.contract_search == "849"
    assert [option.value for option in page.choices] == ["84963", "71204"]
    assert page.contract_search_note == (
        "1 contratto trovato su 4: scrivi parte del numero o del prodotto per trovare gli altri."
    )
    browser.run(ContractsState, "search_contracts", "88120")  # 20417's contract
    assert [option.value for option in page.choices] == ["71204"]
    assert page.contract_search_note == "Nessun contratto corrisponde a «88120»."
    assert page.selected == "71204" and page.fields.number == "71204"  # the shown contract did not change


def test_a_customer_with_few_contracts_sees_them_all_and_no_search(signed_in):
    browser = signed_in()
    browser.visit("/contratti")
    browser.run(ContractsState, "load")
    page = browser.state(ContractsState)
    assert page.contract_search_offered is False and page.contract_search_note == ""
    assert [option.value for option in page.choices] == ["90317", "97702", "84963", "71204"]
