"""Users to invite: the admin and sub-users created with the portal's invitation (a temporary
password by e-mail, once), then updated by later sets without a second invitation."""

from __future__ import annotations

import sqlalchemy as sa

from portal.integration.export import write_jsonl
from portal.integration.importer import TypeCounts, import_file_set
from portal.integration.readers import read_file_set
from portal.models.enums import ImportOutcome
from tests.unit.integration.conftest import FILE_SET, file_set_copy, snapshot

ADMIN = "mario.rossi@officinarossi.example.it"
ACCOUNTANT = "contabilita@officinarossi.example.it"


def _import(db, tenant, path, **kwargs):
    result = import_file_set(session=db, tenant_id=tenant.id, file_set=read_file_set(path), **kwargs)
    db.flush()
    db.expire_all()
    return result


def _mail(db) -> list[tuple]:
    return [
        tuple(row)
        for row in db.execute(
            sa.text(
                "select m.to_address, m.kind, m.body_text like '%' || u.username || '%' from mail_outbox m"
                " join user_account u on u.id = m.user_id join customer c on c.id = u.customer_id"
                " where c.code in ('C100', 'C200') order by m.id"
            )
        ).all()
    ]


def test_users_are_invited_once(db, tenant, tmp_path):
    result = _import(db, tenant, write_jsonl(tmp_path / "set", FILE_SET))

    assert result.outcome is ImportOutcome.IMPORTED
    # (customer, address, role, username, parent, first, last, language, all contracts, grants,
    #  a password set, to be changed at the first login)
    assert snapshot(db, tenant.id)["user"] == [
        ("C100", ADMIN, "customer", "C100", None, "Mario", "Rossi", "it", True, 0, True, True),
        ("C100", ACCOUNTANT, "sub_user", "C100.1", "C100", "Luca", "Bianchi", "en", False, 1, True, True),
        ("C200", "anna.verdi@example.it", "customer", "C200", None, "", "", "it", True, 0, True, True),
    ]
    granted = db.execute(
        sa.text(
            "select c.number from sub_user_contract g join contract c on c.id = g.contract_id"
            " join user_account u on u.id = g.user_id where u.username = 'C100.1' and u.tenant_id = :t"
        ),
        {"t": tenant.id},
    ).all()
    assert [tuple(row) for row in granted] == [("K1",)]
    # each the invitation e-mail with its username in it: the admins first, then the sub-users
    invited = [
        (ADMIN, "temporary_password.invitation", True),
        ("anna.verdi@example.it", "temporary_password.invitation", True),
        (ACCOUNTANT, "temporary_password.sub_user", True),
    ]
    assert _mail(db) == invited

    again = _import(db, tenant, tmp_path / "set")

    assert again.counts["user"] == TypeCounts(unchanged=3)
    assert _mail(db) == invited


def test_a_user_sent_again_with_other_fields_is_updated_not_invited(db, tenant, tmp_path):
    _import(db, tenant, write_jsonl(tmp_path / "first", FILE_SET))
    users = file_set_copy()["user"]
    users[1] |= {"language": "it", "last_name": "Bianchi-Neri"}
    users[1].pop("contract_numbers")  # now every contract
    users[0]["email"] = ADMIN.upper()  # the same address in another case: the same user
    users.append({"customer_code": "C100", "email": "ufficio.tecnico@officinarossi.example.it", "role": "sub_user"})

    result = _import(db, tenant, write_jsonl(tmp_path / "second", {"user": users}))

    assert result.counts["user"] == TypeCounts(created=1, updated=1, unchanged=2)
    rows = snapshot(db, tenant.id)["user"]
    assert [row[:10] for row in rows if row[0] == "C100"] == [
        ("C100", ADMIN, "customer", "C100", None, "Mario", "Rossi", "it", True, 0),
        ("C100", ACCOUNTANT, "sub_user", "C100.1", "C100", "Luca", "Bianchi-Neri", "it", True, 0),
        ("C100", "ufficio.tecnico@officinarossi.example.it", "sub_user", "C100.2", "C100", "", "", "it", True, 0),
    ]
    assert [kind for address, kind, _ in _mail(db) if address == ACCOUNTANT] == ["temporary_password.sub_user"]
    assert [kind for address, kind, _ in _mail(db) if address.startswith("ufficio")] == ["temporary_password.sub_user"]


def test_a_dry_run_invites_nobody(db, tenant, tmp_path):
    result = _import(db, tenant, write_jsonl(tmp_path / "set", FILE_SET), dry_run=True)

    assert result.counts["user"] == TypeCounts(created=3)
    assert snapshot(db, tenant.id)["user"] == [] and _mail(db) == []
