"""Self-registration and the operator's invitation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from portal.models import AuditEvent, Contract, Customer, MailMessage, RegistrationRequest, UserAccount
from portal.models.enums import UserRole
from portal.services.access.accounts import SignIn, authenticate
from portal.services.access.customer_access import customers_with_access
from portal.services.access.invitations import invite, invite_at_verified_address
from portal.services.access.onboarding import (
    Onboarding,
    register,
)
from tests.conftest import NOW as T0
from tests.support.outbox import send_queued
from tests.unit.conftest import id_mark, mail_mark, mails_after, rows_after

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
    send_queued(db)
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
    ],
)
def test_registration_says_which_field_is_wrong(db, demo, changes, field, key):
    users, mails = id_mark(db, UserAccount), mail_mark(db)
    result = _register(db, demo, **changes)
    assert result.outcome is Onboarding.INVALID and result.field_errors == {field: key}
    assert rows_after(db, UserAccount, users) == [] and mails_after(db, mails) == []


def test_registration_must_match_a_contract(db, demo):
    users, mails, events = id_mark(db, UserAccount), mail_mark(db), id_mark(db, AuditEvent)
    assert _register(db, demo, module_number="1").outcome is Onboarding.MISMATCH
    assert _register(db, demo, tax_code="09158730961").outcome is Onboarding.MISMATCH  # another customer's
    assert [event.action for event in rows_after(db, AuditEvent, events)] == ["registration.mismatch"] * 2
    assert rows_after(db, UserAccount, users) == [] and mails_after(db, mails) == []


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
    users, mails = id_mark(db, UserAccount), mail_mark(db)
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
    assert rows_after(db, UserAccount, users) == [] and mails_after(db, mails) == []
    assert (owner.password_hash, owner.must_change_password, owner.temporary_password_sent_at) == before


def test_private_person_gets_the_password_only_at_the_address_on_file(db, demo):
    """Replaces test_private_person_may_use_any_address, which asserted the takeover: the contract
    data are printed on invoices, so the typed address never receives the credentials."""
    person = db.exec(select(Customer).where(Customer.code == "20417")).one()
    account = db.exec(select(UserAccount).where(UserAccount.username == "20417")).one()
    account.customer_id = None  # pretend the person never had an account
    account.username = "former-20417"
    account.role = UserRole.OPERATOR
    db.add(account)
    mails = mail_mark(db)
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
    assert [(mail.to_address, mail.subject) for mail in mails_after(db, mails)] == [
        ("alessandro.bianchi@posta-demo.it", "Aurora Leasing – Your customer area credentials")
    ]
    created = db.exec(select(UserAccount).where(UserAccount.username == "20417")).one()
    assert created.primary_email == "alessandro.bianchi@posta-demo.it"


def test_a_company_gets_the_password_only_at_its_pec(db, demo):
    mails = mail_mark(db)
    # a registrant typing another address is told the same thing; the PEC on file gets the mail
    assert _register(db, demo, email="studio@gmail.com").outcome is Onboarding.SENT
    assert [mail.to_address for mail in mails_after(db, mails)] == ["studio.mariani@pec.mariani-demo.it"]
    assert db.exec(select(UserAccount.primary_email).where(UserAccount.username == "30882")).one() == (
        "studio.mariani@pec.mariani-demo.it"
    )


def test_a_pending_invitation_cannot_be_taken_over_by_registering(db, demo):
    operator = db.exec(select(UserAccount).where(UserAccount.role == UserRole.OPERATOR)).one()
    bakery = db.exec(select(Customer).where(Customer.code == "41250")).one()
    contract = db.exec(select(Contract).where(Contract.customer_id == bakery.id)).first()
    assert invite(session=db, operator_id=operator.id, customer_id=bakery.id, now=T0, public_url=URL).outcome is (
        Onboarding.SENT
    )
    mails = mail_mark(db)
    result = register(
        session=db,
        tenant_id=demo.id,
        now=T0 + dt.timedelta(hours=2),
        public_url=URL,
        language="it",
        contract_number=contract.number,
        module_number=contract.module_number,
        tax_code=bakery.partita_iva or bakery.codice_fiscale,
        email="attacker@pec.example.org",
    )
    assert result.outcome is Onboarding.SENT
    account = db.exec(select(UserAccount).where(UserAccount.username == "41250")).one()
    assert account.primary_email == bakery.pec == "panificio.gallo@pec.gallo-demo.it"
    assert [mail.to_address for mail in mails_after(db, mails)] == ["panificio.gallo@pec.gallo-demo.it"]


def test_without_an_address_on_file_the_desk_verifies_and_invites(db, demo):
    studio = db.exec(select(Customer).where(Customer.code == "30882")).one()
    studio.pec = None
    db.add(studio)
    operator = db.exec(select(UserAccount).where(UserAccount.role == UserRole.OPERATOR)).one()
    users, mails, asked = id_mark(db, UserAccount), mail_mark(db), id_mark(db, RegistrationRequest)
    result = _register(db, demo, email="studio.mariani@pec.mariani-demo.it", client_ip="203.0.113.9")
    assert result.outcome is Onboarding.REQUESTED and result.username == ""
    assert rows_after(db, UserAccount, users) == [] and mails_after(db, mails) == []
    [request] = rows_after(db, RegistrationRequest, asked)
    assert (request.customer_id, request.email, request.client_ip, request.handled_at) == (
        studio.id,
        "studio.mariani@pec.mariani-demo.it",
        "203.0.113.9",
        None,
    )
    [row] = [row for row in customers_with_access(session=db, tenant_id=demo.id) if row.code == "30882"]
    assert (row.status, row.request_id, row.requested_email) == (
        "requested",
        request.id,
        "studio.mariani@pec.mariani-demo.it",
    )
    # the desk verified the address: it goes on file and the invitation goes there
    invited = invite_at_verified_address(
        session=db, operator_id=operator.id, request_id=request.id, now=T0, public_url=URL
    )
    assert invited.outcome is Onboarding.SENT and studio.pec == "studio.mariani@pec.mariani-demo.it"
    assert [mail.to_address for mail in mails_after(db, mails)] == ["studio.mariani@pec.mariani-demo.it"]
    assert (request.handled_at, request.handled_by_id, request.outcome) == (T0, operator.id, "invited")
    password = _temporary_password(db, "studio.mariani@pec.mariani-demo.it")
    assert authenticate(session=db, username="30882", password=password, now=T0)[0] is SignIn.OK
    # a request already handled cannot be replayed
    with pytest.raises(PermissionError):
        invite_at_verified_address(session=db, operator_id=operator.id, request_id=request.id, now=T0, public_url=URL)


def test_registration_attempts_are_limited_per_contract_and_per_client(db, demo):
    mails = mail_mark(db)
    assert _register(db, demo, client_ip="198.51.100.1").outcome is Onboarding.SENT
    for minutes in (61, 122):
        later = T0 + dt.timedelta(minutes=minutes)
        assert _register(db, demo, now=later, client_ip=f"198.51.100.{minutes}").outcome is Onboarding.SENT
    # a fourth time within the hour of the limiter, from yet another client: refused, nothing sent
    refused = _register(db, demo, now=T0 + dt.timedelta(minutes=183), client_ip="198.51.100.200")
    assert refused.outcome is Onboarding.THROTTLED
    assert len(mails_after(db, mails)) == 3
    # one client: ten attempts on contracts that do not match, then the right data are refused too
    for attempt in range(10):
        assert _register(db, demo, contract_number=f"1{attempt:04d}", client_ip="192.0.2.7").outcome is (
            Onboarding.MISMATCH
        )
    bakery = db.exec(select(Customer).where(Customer.code == "41250")).one()
    contract = db.exec(select(Contract).where(Contract.customer_id == bakery.id)).first()
    users = id_mark(db, UserAccount)
    assert (
        _register(
            db,
            demo,
            contract_number=contract.number,
            module_number=contract.module_number,
            tax_code=bakery.partita_iva,
            client_ip="192.0.2.7",
        ).outcome
        is Onboarding.THROTTLED
    )
    assert rows_after(db, UserAccount, users) == [] and len(mails_after(db, mails)) == 3


def test_a_temporary_password_expires_after_72_hours(db, demo):
    operator = db.exec(select(UserAccount).where(UserAccount.role == UserRole.OPERATOR)).one()
    bakery = db.exec(select(Customer).where(Customer.code == "41250")).one()
    invite(session=db, operator_id=operator.id, customer_id=bakery.id, now=T0, public_url=URL)
    password = _temporary_password(db, bakery.pec)
    account = db.exec(select(UserAccount).where(UserAccount.username == "41250")).one()
    late = T0 + dt.timedelta(hours=72)
    assert authenticate(session=db, username="41250", password=password, now=late) == (SignIn.FAILED, None)
    assert (account.failed_login_count, account.locked_at) == (0, None)  # the right password is no failure
    just_in_time = T0 + dt.timedelta(hours=71, minutes=59)
    assert authenticate(session=db, username="41250", password=password, now=just_in_time)[0] is SignIn.OK


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
    password, mails = owner.password_hash, mail_mark(db)
    assert (
        invite(session=db, operator_id=operator.id, customer_id=company.id, now=T0, public_url=URL).outcome
        is Onboarding.ALREADY_ACTIVE
    )
    assert mails_after(db, mails) == [] and owner.password_hash == password


def test_only_operators_invite(db, demo):
    customer_user = db.exec(select(UserAccount).where(UserAccount.username == "10093")).one()
    bakery = db.exec(select(Customer).where(Customer.code == "41250")).one()
    users, mails, events = id_mark(db, UserAccount), mail_mark(db), id_mark(db, AuditEvent)
    with pytest.raises(PermissionError):
        invite(session=db, operator_id=customer_user.id, customer_id=bakery.id, now=T0, public_url=URL)
    assert rows_after(db, UserAccount, users) == [] and mails_after(db, mails) == []
    assert rows_after(db, AuditEvent, events) == []
    assert {row.code: row.status for row in customers_with_access(session=db, tenant_id=demo.id)}["41250"] == "none"
