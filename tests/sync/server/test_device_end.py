"""The end of a device means the end (issue 14, break 1): a retired desk pulls, reports and adds
nothing; what it had recorded before still arrives; clocks never decide."""

from __future__ import annotations

import pytest

from kiosk.services.pins import hash_pin
from sync.client import PermanentError
from sync.server.pins import set_pin_hash
from tests.support.desks import enroll, statuses
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, at

pytestmark = pytest.mark.timeout(90)
NUMBER = "2026-15-01-001"


def test_a_retired_desk_gets_403_on_pull_and_status(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER, "B")
    assert desk.client.changes(NUMBER).attendees  # the roster, while active
    srv.admin.retire(desk.device_id, reason="desk B lost at lunch")
    for ask in (
        lambda: desk.client.project(NUMBER),
        lambda: desk.client.changes(NUMBER),
        lambda: desk.client.device_status(1),
        lambda: desk.client.project_status(NUMBER),
    ):
        with pytest.raises(PermanentError) as err:
            ask()
        assert err.value.reason == "device_retired" and err.value.status == 403
        assert "desk B lost at lunch" in str(err.value)


def test_a_retired_desk_adds_nothing_new_whatever_its_clock_says(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER, "B")
    first = desk.record("A1", at=at(DAY1, 8))
    second = desk.record("A2", at=at(DAY1, 8, 30))  # recorded, not yet delivered
    assert statuses(desk.upload(first)) == [("accepted", "")]
    desk.client.device_status(2)  # it told the platform it holds 2
    srv.admin.retire(desk.device_id, reason="lost", at=at(DAY1, 9))
    # Records made after retirement, backdated or with a clock offset pushing them back.
    backdated = desk.record("A3", at=at(DAY1, 8, 45))
    offset = desk.record("A4", at=at(DAY1, 9, 5), server_offset_ms=-600_000)
    answers = desk.upload(second, backdated, offset)
    assert statuses(answers) == [
        ("accepted", ""),  # seq 2 ≤ the frozen seq: what it had still arrives
        ("rejected", "retired_device"),
        ("rejected", "retired_device"),
    ]
    status = srv.admin.status(NUMBER)
    b = status.desks[0]
    assert (b.state, b.frozen_seq, b.blocking) == ("retired", 2, False)
    listed = [(r.seq, r.reason, r.by) for r in status.refused_records]
    assert listed == [(3, "retired_device", "platform"), (4, "retired_device", "platform")]
    assert len(srv.admin.stored_events(NUMBER)) == 2


def test_a_replaced_desk_still_delivers_what_it_had(srv: LiveServer) -> None:
    old = enroll(srv, NUMBER, "A")
    held = [old.record(f"A{i}", at=at(DAY1, 8, i)) for i in range(1, 4)]
    assert statuses(old.upload(held[0])) == [("accepted", "")]
    old.client.device_status(3)
    srv.admin.retire(old.device_id, reason="replaced by desk A2 (screen broken)")
    assert statuses(old.upload(*held)) == [("duplicate", ""), ("accepted", ""), ("accepted", "")]
    desk = srv.admin.status(NUMBER).desks[0]
    assert (desk.missing, desk.latest_seq, desk.frozen_seq) == (0, 3, 3)


def test_a_revoked_desk_is_frozen_too(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER, "C")
    desk.upload(desk.record("A1", at=at(DAY1, 8)))
    srv.admin.revoke(desk.device_id, reason="stolen")
    assert srv.admin.devices(NUMBER)[0].frozen_seq == 1


def test_organizer_pin_hashes_never_reach_a_desk(srv: LiveServer) -> None:
    platform = srv.admin.platform
    set_pin_hash(platform, NUMBER, role="staff", pin_hash=hash_pin("735102"), actor="t")
    set_pin_hash(platform, NUMBER, role="organizer", pin_hash=hash_pin("604918"), actor="t")
    desk = enroll(srv, NUMBER, "A")
    organizer = enroll(srv, NUMBER, "office", role="organizer")
    desk_bundle, _ = desk.client.project(NUMBER)
    office_bundle, _ = organizer.client.project(NUMBER)
    assert desk_bundle is not None and office_bundle is not None
    assert set(desk_bundle.pin_hashes) == {"staff"}
    assert set(office_bundle.pin_hashes) == {"organizer"}


def test_retirement_freezes_what_was_announced_not_what_clocks_say(srv: LiveServer) -> None:
    """A scan dated before the retirement instant, or shifted there by an offset, is refused."""
    desk = enroll(srv, NUMBER, "D")
    desk.client.device_status(0)
    srv.admin.retire(desk.device_id, reason="lost before its first record")  # at 07:00
    early = desk.record("A1", at=at(DAY1, 6, 30))
    shifted = desk.record("A2", at=at(DAY1, 12), server_offset_ms=-3_600_000)
    assert statuses(desk.upload(early, shifted)) == [("rejected", "retired_device")] * 2
