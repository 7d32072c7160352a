"""Sub-users (only the main account manages them; their rights are enforced) and the profile."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import Contract, Customer, UserAccount
from portal.seed.demo import DEMO_PASSWORD
from portal.services.access import profile, subusers
from portal.services.access.accounts import SignIn, authenticate, principal_for
from portal.services.home import home_summary
from tests.conftest import AS_OF
from tests.conftest import NOW as T0
from tests.unit.conftest import id_mark, mail_mark, mails_after, rows_after
from tests.unit.home_figures import home_figures

URL = "http://portal.test"


def _user(db, username):
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _form(**changes):
    values = {
        "first_name": "Giulia",
        "last_name": "Neri",
        "primary_email": "giulia.neri@valverde-demo.it",
        "language": "en",
    }
    return subusers.SubUserForm(**{**values, **changes})


def test_create_numbers_and_invites(db, demo):
    parent = _user(db, "10093")
    mails = mail_mark(db)
    created, errors = subusers.create_sub_user(session=db, parent=parent, form=_form(), now=T0, public_url=URL)
    assert errors == {} and created.username == "10093.2" and created.parent_id == parent.id
    [mail] = mails_after(db, mails)
    assert mail.to_address == "giulia.neri@valverde-demo.it"
    assert "10093.2" in mail.body_text and "Laura Conti" in mail.body_text and mail.subject.endswith("credentials")
    second, _ = subusers.create_sub_user(
        session=db, parent=parent, form=_form(primary_email="b@valverde-demo.it"), now=T0, public_url=URL
    )
    assert second.username == "10093.3"
    subusers.delete_sub_user(session=db, parent=parent, user_id=second.id, now=T0)
    third, _ = subusers.create_sub_user(
        session=db, parent=parent, form=_form(primary_email="c@valverde-demo.it"), now=T0, public_url=URL
    )
    assert third.username == "10093.4"  # a deleted sub-user's name is never given again
    assert [view.username for view in subusers.list_sub_users(session=db, parent=parent)] == [
        "10093.1",
        "10093.2",
        "10093.4",
    ]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"first_name": " "}, "first_name"),
        ({"last_name": ""}, "last_name"),
        ({"primary_email": "x"}, "primary_email"),
        ({"secondary_email": "y@"}, "secondary_email"),
        ({"language": "de"}, "language"),
        ({"all_contracts": False, "contract_ids": ()}, "contracts"),
    ],
)
def test_bad_input_changes_nothing(db, demo, changes, field):
    parent = _user(db, "10093")
    users, mails = id_mark(db, UserAccount), mail_mark(db)
    created, errors = subusers.create_sub_user(session=db, parent=parent, form=_form(**changes), now=T0, public_url=URL)
    assert created is None and list(errors) == [field]
    assert rows_after(db, UserAccount, users) == [] and mails_after(db, mails) == []


def _as_it_was(user: UserAccount) -> tuple:
    return (user.first_name, user.last_name, user.primary_email, user.language, user.is_active, user.all_contracts)


def test_sub_user_cannot_manage_sub_users(db, demo):
    sub_user = _user(db, "10093.1")
    before = _as_it_was(sub_user)
    users, mails = id_mark(db, UserAccount), mail_mark(db)
    with pytest.raises(PermissionError):
        subusers.list_sub_users(session=db, parent=sub_user)
    with pytest.raises(PermissionError):
        subusers.create_sub_user(session=db, parent=sub_user, form=_form(), now=T0, public_url=URL)
    with pytest.raises(PermissionError):
        subusers.delete_sub_user(session=db, parent=sub_user, user_id=sub_user.id, now=T0)
    assert rows_after(db, UserAccount, users) == [] and mails_after(db, mails) == []
    assert _as_it_was(sub_user) == before and before[4] is True


def test_one_customer_cannot_touch_another_customers_sub_users(db, demo):
    other = _user(db, "20417")
    target = _user(db, "10093.1")
    before = _as_it_was(target)
    with pytest.raises(PermissionError):
        subusers.update_sub_user(
            session=db, parent=other, user_id=target.id, form=_form(first_name="Mallory", all_contracts=True)
        )
    assert _as_it_was(target) == before
    with pytest.raises(PermissionError):
        subusers.delete_sub_user(session=db, parent=other, user_id=target.id, now=T0)
    assert _as_it_was(target) == before and target.is_active is True
    parent = _user(db, "10093")
    foreign_contract = db.exec(select(Contract).where(Contract.number == "88120")).one()
    users, mails = id_mark(db, UserAccount), mail_mark(db)
    created, errors = subusers.create_sub_user(
        session=db,
        parent=parent,
        form=_form(all_contracts=False, contract_ids=(foreign_contract.id,)),
        now=T0,
        public_url=URL,
    )
    assert created is None and errors == {"contracts": "subusers.contracts_invalid"}
    assert rows_after(db, UserAccount, users) == [] and mails_after(db, mails) == []


def test_restricted_sub_user_sees_only_its_contracts(db, demo):
    sub_user = _user(db, "10093.1")
    principal = principal_for(session=db, user=sub_user)
    allowed = set(db.exec(select(Contract.number).where(Contract.id.in_(principal.scope.contract_ids))).all())
    assert allowed == {"90317", "97702"}
    summary = home_summary(session=db, scope=principal.scope, today=AS_OF, user_id=sub_user.id)
    expected = home_figures(
        db,
        customer_id=sub_user.customer_id,
        today=AS_OF,
        contract_ids=set(principal.scope.contract_ids),
        user_id=sub_user.id,
    )
    assert [card.number for card in summary.contracts] == expected.card_numbers
    assert {card.number for card in summary.contracts} == {"90317", "97702"}
    assert summary.advances_paid == expected.advances_paid  # the van's and the car's advances only
    owner_summary = home_summary(
        session=db, scope=principal_for(session=db, user=_user(db, "10093")).scope, today=AS_OF
    )
    assert {card.number for card in owner_summary.contracts} == {"84963", "90317", "97702"}
    owner_expected = home_figures(db, customer_id=sub_user.customer_id, today=AS_OF)
    assert owner_summary.advances_paid == owner_expected.advances_paid > expected.advances_paid
    assert principal.can_manage_sub_users is False and principal.may_submit_requests is True


def test_rights_can_be_saved_again_unchanged(db, demo):
    parent = _user(db, "10093")
    van = db.exec(select(Contract).where(Contract.number == "90317")).one()
    form = _form(all_contracts=False, contract_ids=(van.id,), may_submit_requests=False)
    created, _ = subusers.create_sub_user(session=db, parent=parent, form=form, now=T0, public_url=URL)
    assert subusers.update_sub_user(session=db, parent=parent, user_id=created.id, form=form) == {}
    view = next(view for view in subusers.list_sub_users(session=db, parent=parent) if view.user_id == created.id)
    assert view.contract_numbers == ("90317",) and view.may_submit_requests is False


def test_deleted_sub_user_cannot_sign_in(db, demo):
    parent = _user(db, "10093")
    target = _user(db, "10093.1")
    assert authenticate(session=db, username="10093.1", password=DEMO_PASSWORD, now=T0)[0] is SignIn.OK
    subusers.delete_sub_user(session=db, parent=parent, user_id=target.id, now=T0)
    assert authenticate(session=db, username="10093.1", password=DEMO_PASSWORD, now=T0)[0] is SignIn.FAILED


def test_profile_settings(db, demo):
    user = _user(db, "10093")
    errors = profile.update_settings(
        session=db, user=user, language="xx", primary_email="bad", secondary_email="also bad", paper_invoices=True
    )
    assert set(errors) == {"language", "primary_email", "secondary_email"}
    customer = db.get(Customer, user.customer_id)
    assert user.language.value == "it" and customer.paper_invoices is False
    assert (
        profile.update_settings(
            session=db,
            user=user,
            language="en",
            primary_email=user.primary_email,
            secondary_email="",
            paper_invoices=True,
        )
        == {}
    )
    assert user.language.value == "en" and user.secondary_email is None and customer.paper_invoices is True
    # a sub-user cannot change the customer's paper-invoice choice
    sub_user = _user(db, "10093.1")
    profile.update_settings(
        session=db,
        user=sub_user,
        language="it",
        primary_email=sub_user.primary_email,
        secondary_email="",
        paper_invoices=False,
    )
    assert customer.paper_invoices is True
    assert profile.profile_of(session=db, user=sub_user).can_choose_paper is False


def test_change_password(db, demo):
    user = _user(db, "10093")
    assert profile.change_password(session=db, user=user, current="wrong", new="a quiet harbour at dawn", now=T0) == {
        "current_password": "profile.current_password_wrong"
    }
    assert profile.change_password(session=db, user=user, current=DEMO_PASSWORD, new="password123456", now=T0) == {
        "new_password": "password.too_common"
    }
    assert (
        profile.change_password(session=db, user=user, current=DEMO_PASSWORD, new="a quiet harbour at dawn", now=T0)
        == {}
    )
    assert authenticate(session=db, username="10093", password="a quiet harbour at dawn", now=T0)[0] is SignIn.OK
