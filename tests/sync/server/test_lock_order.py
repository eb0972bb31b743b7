"""Writers of a device row take the project row first, so a retirement never deadlocks a report.

On PostgreSQL a transaction that updates a device row twice (a signed head, then the reported
seq) re-checks the row's project key on the second update; if it held the device row while a
retirement held the project row and waited for the device row, the two deadlocked (seen in
tests/services/platform/test_platform_start_sync.py). The retirement is replayed here by hand:
its project lock is taken and held while a status report with a signed head arrives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text, update

from kiosk.core.model import new_uuid
from sync import chain, signing
from sync.protocol import BatchAnswer, ChainHead, DeskCompleteness, EnrollRequest, EventBatch
from sync.server import completeness, records
from sync.server import db as t
from sync.server.admin import ServerAdmin
from sync.server.platform import lock_project
from tests.support.postgres import PgCluster
from tests.support.roster import DAY1, at, make_project

pytestmark = pytest.mark.timeout(60)
NUMBER = make_project().number


@pytest.fixture
def admin(pg_cluster: PgCluster) -> Iterator[ServerAdmin]:
    url = pg_cluster.new_database(migrated=True)
    admin = ServerAdmin(url, clock=lambda: at(DAY1, 7))
    yield admin
    admin.close()
    pg_cluster.drop_database(url)


def _waiting_on_a_lock(admin: ServerAdmin) -> int:
    with admin.db.read() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database()")).scalar_one())  # fmt: skip


def test_a_status_report_waits_for_the_project_before_it_takes_the_device_row(
    admin: ServerAdmin,
) -> None:
    admin.create_project(make_project())
    code, _ = admin.enroll_code(NUMBER)
    key = signing.new_private_key()
    enrollment = admin.platform.enroll(
        EnrollRequest(code=code, public_key=signing.public_b64(key), desk_name="A")
    )
    device = admin.platform.authenticate(enrollment.token)
    signed = chain.sign_head(key, 2, "ab" * 32)
    head = ChainHead(seq=signed.seq, hash=signed.hash, signature=signed.signature)
    answers: list[DeskCompleteness] = []

    with admin.db.engine.connect() as retirement, retirement.begin():
        lock_project(retirement, NUMBER)  # what end_device holds before it updates the device
        report = threading.Thread(
            target=lambda: answers.append(
                completeness.report_latest(admin.platform, device, 2, head)
            )
        )
        report.start()
        for _ in range(500):  # until the report blocks (on the project row, or worse)
            if _waiting_on_a_lock(admin):
                break
            time.sleep(0.01)
        assert _waiting_on_a_lock(admin) == 1
        # The device row is free: the retirement's update goes through at once.
        retirement.execute(text("SET LOCAL lock_timeout = '3s'"))
        retirement.execute(
            update(t.devices).where(t.devices.c.id == device.id).values(end_reason="x")
        )
    report.join(timeout=30)
    assert not report.is_alive()
    [desk] = answers
    assert (desk.latest_seq, desk.head_seq) == (2, 2)


def test_an_upload_waiting_for_the_project_judges_by_the_device_state_after_it(
    admin: ServerAdmin,
) -> None:
    """A retirement committed while an upload waited for the project's lock freezes the device
    for that upload: its record past the frozen seq is refused, not accepted by a state read
    before the wait."""
    admin.create_project(make_project())
    code, _ = admin.enroll_code(NUMBER)
    key = signing.new_private_key()
    enrollment = admin.platform.enroll(
        EnrollRequest(code=code, public_key=signing.public_b64(key), desk_name="A")
    )
    device = admin.platform.authenticate(enrollment.token)
    fields = {
        "uuid": new_uuid(), "seq": 1, "project": NUMBER, "attendee_id": "A1", "direction": "in",
        "method": "id_card", "device_id": device.id, "scanned_at": at(DAY1, 8).isoformat(),
        "utc_offset_minutes": 480, "server_offset_ms": None, "evidence_ref": None, "flags": [],
    }  # fmt: skip
    batch = EventBatch(records=[signing.signed_record(key, fields, prev_hash=signing.GENESIS)])
    answers: list[BatchAnswer] = []

    with admin.db.engine.connect() as retirement, retirement.begin():
        lock_project(retirement, NUMBER)  # what end_device holds before it updates the device
        upload = threading.Thread(
            target=lambda: answers.append(records.upload_events(admin.platform, device, batch))
        )
        upload.start()
        for _ in range(500):  # until the upload waits for the project row
            if _waiting_on_a_lock(admin):
                break
            time.sleep(0.01)
        assert _waiting_on_a_lock(admin) == 1
        retirement.execute(
            update(t.devices).where(t.devices.c.id == device.id)
            .values(state="retired", frozen_seq=0, ended_at=at(DAY1, 7), end_reason="lost")
        )  # fmt: skip
    upload.join(timeout=30)
    assert not upload.is_alive()
    [answer] = answers
    assert [(a.status, a.reason) for a in answer.answers] == [("rejected", "retired_device")]
    assert admin.stored_events(NUMBER) == []
