"""Self-registration and the operator's invitation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from portal.models import AuditEvent, Customer, MailMessage, UserAccount
from portal.models.enums import UserRole
from portal.services.access.accounts import SignIn, authenticate
from portal.services.access.onboarding import Onboarding, customers_with_access, invite, register
from tests.conftest import NOW as T0
from tests.unit.conftest import id_mark, rows_after

URL = "http://portal.test"
STUDIO = {
    "contract_number": "93015",
    "module_number": "2",
    "tax_code": "05527480155",
    "email": "studio.mariani@pec.mariani-demo.it",
}


def _register(db, tenant, now=T0, language="it", **changes):
    return register(
        session=db, tenant_id=tenant.id, now=now, public_url=URL, language=language, **{**STUDIO, **changes}
    )


def _temporary_password(db, address) -> str:
    body = db.exec(
        select(MailMessage.body_text).where(MailMessage.to_address == address).order_by(MailMessage.id.desc())
    ).first()
    return re.search(r"(?:Password temporanea|Temporary password): (\S+)", body).group(1)


@pytest.mark.parametrize(
    "changes, field, key",
    [
        ({"contract_number": ""}, "contract_number", "registration.contract_required"),
        ({"contract_number": "93O15"}, "contract_number", "registration.contract_digits"),
        ({"module_number": " "}, "module_number", "registration.module_required"),
        ({"tax_code": "05527480156"}, "tax_code", "identity.tax_code_invalid"),
        ({"tax_code": "BNCLSN80A01F205X"}, "tax_code", "identity.tax_code_invalid"),
        ({"email": "not-an-address"}, "email", "identity.email_invalid"),
        ({"email": "studio@gmail.com"}, "email", "registration.pec_required"),
        ({"email": "other@pec.mariani-demo.it"}, "email", "registration.pec_on_file"),
    ],
)
def test_registration_says_which_field_is_wrong(db, demo, changes, field, key):
    users, mails = id_mark(db, UserAccount), id_mark(db, MailMessage)
    result = _register(db, demo, **changes)
    assert result.outcome is Onboarding.INVALID and result.field_errors == {field: key}
    assert rows_after(db, UserAccount, users) == [] and rows_after(db, MailMessage, mails) == []


def test_registration_must_match_a_contract(db, demo):
    users, mails, events = id_mark(db, UserAccount), id_mark(db, MailMessage), id_mark(db, AuditEvent)
    assert _register(db, demo, module_number="1").outcome is Onboarding.MISMATCH
    assert _register(db, demo, tax_code="09158730961").outcome is Onboarding.MISMATCH  # another customer's
    assert [event.action for event in rows_after(db, AuditEvent, events)] == ["registration.mismatch"] * 2
    assert rows_after(db, UserAccount, users) == [] and rows_after(db, MailMessage, mails) == []


def test_registration_mails_a_temporary_password_and_waits_60_minutes(db, demo):
    result = _register(db, demo)
    assert result.outcome is Onboarding.SENT and result.username == "30882"
    user = db.exec(select(UserAccount).where(UserAccount.username == "30882")).one()
    assert user.must_change_password is True and user.role is UserRole.CUSTOMER
    password = _temporary_password(db, STUDIO["email"])
    assert authenticate(session=db, username="30882", password=password, now=T0)[0] is SignIn.OK
    again = _register(db, demo, now=T0 + dt.timedelta(minutes=20))
    assert again.outcome is Onboarding.WAIT and again.wait_minutes == 40
    later = _register(db, demo, now=T0 + dt.timedelta(minutes=61))
    assert later.outcome is Onboarding.SENT
    assert authenticate(session=db, username="30882", password=password, now=T0)[0] is SignIn.FAILED  # replaced


def test_active_account_cannot_register_again(db, demo):
    owner = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    before = (owner.password_hash, owner.must_change_password, owner.temporary_password_sent_at)
    users, mails = id_mark(db, UserAccount), id_mark(db, MailMessage)
    result = register(
        session=db,
        tenant_id=demo.id,
        now=T0,
        public_url=URL,
        language="it",
        contract_number="84963",
        module_number="1",
        tax_code="09158730961",
        email="odontoiatrica.valverde@pec.valverde-demo.it",
    )
    assert result.outcome is Onboarding.ALREADY_ACTIVE
    assert rows_after(db, UserAccount, users) == [] and rows_after(db, MailMessage, mails) == []
    assert (owner.password_hash, owner.must_change_password, owner.temporary_password_sent_at) == before


def test_private_person_may_use_any_address(db, demo):
    person = db.exec(select(Customer).where(Customer.code == "20417")).one()
    account = db.exec(select(UserAccount).where(UserAccount.username == "20417")).one()
    account.customer_id = None  # pretend the person never had an account
    account.username = "former-20417"
    account.role = UserRole.OPERATOR
    db.add(account)
    db.flush()
    result = register(
        session=db,
        tenant_id=demo.id,
        now=T0,
        public_url=URL,
        language="en",
        contract_number="88120",
        module_number="1",
        tax_code=person.codice_fiscale.lower(),
        email="ale.bianchi@example.org",
    )
    assert result.outcome is Onboarding.SENT
    mail = db.exec(select(MailMessage).where(MailMessage.to_address == "ale.bianchi@example.org")).one()
    assert mail.subject == "Aurora Leasing – Your customer area credentials"


def test_operator_invites_a_customer(db, demo):
    operator = db.exec(select(UserAccount).where(UserAccount.role == UserRole.OPERATOR)).one()
    bakery = db.exec(select(Customer).where(Customer.code == "41250")).one()
    listed = {row.code: row.status for row in customers_with_access(session=db, tenant_id=demo.id)}
    assert listed["41250"] == "none" and listed["10093"] == "active"
    result = invite(session=db, operator_id=operator.id, customer_id=bakery.id, now=T0, public_url=URL)
    assert result.outcome is Onboarding.SENT
    password = _temporary_password(db, bakery.pec)
    assert authenticate(session=db, username="41250", password=password, now=T0)[0] is SignIn.OK
    assert {row.code: row.status for row in customers_with_access(session=db, tenant_id=demo.id, search="gallo")} == {
        "41250": "invited"
    }
    company = db.exec(select(Customer).where(Customer.code == "10093")).one()
    owner = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    password, mails = owner.password_hash, id_mark(db, MailMessage)
    assert (
        invite(session=db, operator_id=operator.id, customer_id=company.id, now=T0, public_url=URL).outcome
        is Onboarding.ALREADY_ACTIVE
    )
    assert rows_after(db, MailMessage, mails) == [] and owner.password_hash == password


def test_only_operators_invite(db, demo):
    customer_user = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    bakery = db.exec(select(Customer).where(Customer.code == "41250")).one()
    users, mails, events = id_mark(db, UserAccount), id_mark(db, MailMessage), id_mark(db, AuditEvent)
    with pytest.raises(PermissionError):
        invite(session=db, operator_id=customer_user.id, customer_id=bakery.id, now=T0, public_url=URL)
    assert rows_after(db, UserAccount, users) == [] and rows_after(db, MailMessage, mails) == []
    assert rows_after(db, AuditEvent, events) == []
    assert {row.code: row.status for row in customers_with_access(session=db, tenant_id=demo.id)}["41250"] == "none"
