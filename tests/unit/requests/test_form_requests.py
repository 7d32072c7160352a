"""What the request pages ask of the services: a request's page by code, a form's context, the
contract and asset a form names (only within the user's scope), the preview's customers, and a
request opened from a form's answers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.forms import registry
from portal.models import Contract, Customer, LeasedAsset, MailMessage, RequestMessage, ServiceRequest, UserAccount
from portal.services.access.accounts import principal_for
from portal.services.access.scope import Scope
from portal.services.common import mail_sender
from portal.services.requests import queries, tickets
from tests.conftest import AS_OF, NOW
from tests.unit.conftest import id_mark, rows_after


def _user(db, username: str = "10093") -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _scope(db, username: str = "10093") -> Scope:
    scope = principal_for(session=db, user=_user(db, username)).scope
    assert scope is not None
    return scope


def test_account_is_the_signed_in_users_own(db, demo):
    user = _user(db)
    assert queries.account(session=db, user_id=user.id) is user
    with pytest.raises(LookupError):
        queries.account(session=db, user_id=-1)


def test_a_requests_page_only_for_who_may_read_it(db, demo):
    copy_request = db.exec(select(ServiceRequest).where(ServiceRequest.title.like("Copia%"))).one()  # about 84963
    page = queries.detail_for(session=db, user_id=_user(db).id, code=copy_request.code)
    assert page is not None and page.request.id == copy_request.id
    assert page.customer_name == db.get(Customer, copy_request.customer_id).denominazione
    assert queries.detail_for(session=db, user_id=_user(db, "10093.1").id, code=copy_request.code) is None
    assert queries.detail_for(session=db, user_id=_user(db, "20417").id, code=copy_request.code) is None
    assert queries.detail_for(session=db, user_id=_user(db, "servicedesk").id, code=copy_request.code) is not None
    assert queries.detail_for(session=db, user_id=_user(db).id, code="RIC-0000-000000") is None


def test_form_context_reads_for_the_scope_given(db, demo):
    user = _user(db)
    ctx = queries.form_context(
        session=db, user_id=user.id, scope=_scope(db), lang="en", today=AS_OF, values={"contract": "90317"}
    )
    assert ctx.user is user and ctx.customer.id == user.customer_id
    assert (ctx.lang, ctx.today, dict(ctx.values)) == ("en", AS_OF, {"contract": "90317"})


def test_contracts_and_assets_are_found_only_within_the_scope(db, demo):
    own = db.exec(select(Contract.id).where(Contract.number == "90317")).one()
    assert queries.contract_id_in_scope(session=db, scope=_scope(db), number="90317") == own
    assert queries.contract_id_in_scope(session=db, scope=_scope(db), number="88120") is None  # another customer's
    assert queries.contract_id_in_scope(session=db, scope=_scope(db, "10093.1"), number="84963") is None  # not granted
    panoramic = db.exec(select(LeasedAsset.id).where(LeasedAsset.code == "166030")).one()
    assert queries.asset_id_in_scope(session=db, scope=_scope(db), code="166030") == panoramic
    assert queries.asset_id_in_scope(session=db, scope=_scope(db, "10093.1"), code="166030") is None


def test_the_preview_picks_among_its_own_tenants_customers(db, demo):
    names = db.exec(select(Customer.denominazione).where(Customer.tenant_id == demo.id)).all()
    choices = queries.customer_choices(session=db, tenant_id=demo.id)
    assert [choice.name for choice in choices] == sorted(names)
    bakery = db.exec(select(Customer).where(Customer.code == "41250")).one()
    assert queries.customer_id_by_code(session=db, tenant_id=demo.id, code="41250") == bakery.id
    assert queries.customer_id_by_code(session=db, tenant_id=demo.id + 1, code="41250") is None
    assert queries.customer_id_by_code(session=db, tenant_id=demo.id, code="nobody") is None


def test_a_request_opened_from_a_forms_answers(db, demo):
    author = _user(db)
    values = {
        "contract": "90317",
        "new_iban": "IT40S0542811101000000123456",
        "foreign_iban": "",
        "start_date": "2030-01-01",
        "message": "Nuovo conto aziendale",
    }
    mails = id_mark(db, MailMessage)
    request = tickets.open_from_form(
        session=db,
        author_id=author.id,
        scope=_scope(db),
        definition=registry()["iban_change"],
        values=values,
        lang="it",
        today=AS_OF,
        now=NOW,
        public_url="http://portal.test",
    )
    assert request.title == "Modifica banca appoggio / IBAN – contratto 90317"
    assert request.contract_id == db.exec(select(Contract.id).where(Contract.number == "90317")).one()
    assert request.customer_id == author.customer_id and request.created_by_id == author.id
    assert [entry["value"] for entry in request.payload["fields"] if entry["key"] == "new_iban"] == [values["new_iban"]]
    assert db.exec(select(RequestMessage.body).where(RequestMessage.request_id == request.id)).all() == [
        "Nuovo conto aziendale"
    ]
    assert rows_after(db, MailMessage, mails) == []  # queued in the request's transaction, not sent yet
    mail_sender.send_due(sessions=mail_sender.in_session(db))
    acknowledgement = rows_after(db, MailMessage, mails)
    # one acknowledgement, to the owner's second address (where the demo's owner wants notices)
    assert [mail.to_address for mail in acknowledgement] == ["laura.conti@valverde-demo.it"]


def test_a_form_naming_a_foreign_contract_links_none(db, demo):
    request = tickets.open_from_form(
        session=db,
        author_id=_user(db).id,
        scope=_scope(db),
        definition=registry()["iban_change"],
        values={"contract": "88120", "new_iban": "IT40S0542811101000000123456", "start_date": "2030-01-01"},
        lang="en",
        today=AS_OF,
        now=NOW,
        public_url="http://portal.test",
    )
    assert request.contract_id is None and request.title == "Change of bank account / IBAN – contract 88120"
