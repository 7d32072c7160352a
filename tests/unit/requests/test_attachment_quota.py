"""Issue 11, finding 7 (the per-customer part): what a customer may store, checked before a file is
staged and while its bytes arrive; a refused file leaves nothing behind."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from portal.models import RequestAttachment, ServiceRequest, UserAccount
from portal.services.requests import attachments as files
from tests.conftest import NOW

MB = files.MB
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000


@pytest.fixture
def folders(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "portal.services.requests.attachments.settings", dataclasses.replace(files.settings, private_dir=tmp_path)
    )
    return tmp_path


def _customer_of(db, username="10093") -> UserAccount:
    return db.exec(select(UserAccount).where(UserAccount.username == username)).one()


def _stored_bytes(db, customer_id: int) -> int:
    """By plain SQL: every attachment of the customer's requests."""
    return int(
        db.execute(
            sa.text(
                "SELECT COALESCE(SUM(a.size_bytes), 0) FROM request_attachment a "
                "JOIN service_request r ON r.id = a.request_id WHERE r.customer_id = :customer"
            ),
            {"customer": customer_id},
        ).scalar_one()
    )


def _attach(db, request: ServiceRequest, user: UserAccount, size: int, count: int = 1) -> None:
    for index in range(count):
        db.add(
            RequestAttachment(
                request_id=request.id,
                storage_key=f"q{request.id}x{index}x{size}",
                display_name="scan.pdf",
                content_type="application/pdf",
                size_bytes=size,
                sha256="0" * 64,
                uploaded_by_id=user.id,
                created_at=NOW,
            )
        )
    db.flush()


def _stage(customer_id: int, room: files.Budget, chunks=(PNG,)) -> files.StagedFile:
    return files.stage(
        chunks=list(chunks), display_name="foto.png", kinds=("image",), owner=files.owner_prefix(customer_id), room=room
    )


def test_the_quota_figures():
    assert (files.QUOTA.files_per_request, files.QUOTA.bytes_per_request, files.QUOTA.bytes_per_customer) == (
        10,
        200 * MB,
        500 * MB,
    )


def test_a_customer_over_its_quota_stages_nothing(db, demo, folders):
    user = _customer_of(db)
    used = _stored_bytes(db, user.customer_id)
    quota = files.Quota(bytes_per_customer=used + len(PNG))
    room = files.budget(session=db, customer_id=user.customer_id, request_id=None, pending=[], quota=quota)
    assert (room.bytes_left, room.key, room.limit_mb) == (len(PNG), "attachments.quota_customer", 0)
    first = _stage(user.customer_id, room)
    # the first file fits; the staged one counts, so a second one is refused before a byte is written
    with pytest.raises(files.AttachmentRejected) as full:
        files.budget(
            session=db,
            customer_id=user.customer_id,
            request_id=None,
            pending=[first],
            quota=quota,
        )
    assert full.value.key == "attachments.quota_customer" and full.value.params == {"limit": 0}
    assert [path.name for path in files.staging(folders).iterdir()] == [first.storage_key]


def test_a_file_growing_past_the_room_left_is_refused_while_it_arrives(db, demo, folders):
    user = _customer_of(db)
    room = files.Budget(bytes_left=len(PNG) + 10, key="attachments.quota_customer", limit_mb=500)
    with pytest.raises(files.AttachmentRejected) as refused:
        _stage(user.customer_id, room, chunks=(PNG, b"\x00" * 20))
    assert (refused.value.key, refused.value.params) == (
        "attachments.quota_customer",
        {"limit": 500},
    )
    assert list(files.staging(folders).iterdir()) == []


def test_a_request_holds_at_most_ten_files_and_its_byte_limit(db, demo, folders):
    user = _customer_of(db)
    request = db.exec(
        select(ServiceRequest).where(ServiceRequest.created_by_id == user.id).order_by(col(ServiceRequest.id))
    ).first()
    assert request is not None
    existing = db.exec(select(sa.func.count()).where(RequestAttachment.request_id == request.id)).one()
    _attach(db, request, user, size=1000, count=10 - existing)
    with pytest.raises(files.AttachmentRejected) as too_many:
        files.budget(session=db, customer_id=user.customer_id, request_id=request.id, pending=[])
    assert (too_many.value.key, too_many.value.params) == ("attachments.too_many", {"count": 10})
    # a new request starts afresh on files, but the bytes per request hold for it too
    quota = files.Quota(bytes_per_request=3000, bytes_per_customer=10**12)
    pending = [files.StagedFile("k1", "a.png", "image/png", 2500, "0" * 64)]
    room = files.budget(session=db, customer_id=user.customer_id, request_id=None, pending=pending, quota=quota)
    assert (room.bytes_left, room.key) == (500, "attachments.quota_request")


def test_another_customers_files_count_for_nobody_else(db, demo, folders):
    user, other = _customer_of(db), _customer_of(db, "20417")
    quota = files.Quota(bytes_per_customer=_stored_bytes(db, user.customer_id) + 5000)
    big = files.stage(
        chunks=[PNG * 3], display_name="other.png", kinds=("image",), owner=files.owner_prefix(other.customer_id)
    )
    room = files.budget(session=db, customer_id=user.customer_id, request_id=None, pending=[], quota=quota)
    assert room.bytes_left == 5000 and big.size_bytes == 3 * len(PNG)
