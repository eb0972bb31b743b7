"""Staff records (named staff, voids, disputes) through a venue relay: verbatim and once."""

from __future__ import annotations

import pytest

from tests.support.relay_venue import NUMBER, Venue
from tests.support.roster import DAY1, FakeClock, at
from tests.support.staff import StaffDesk, named_staff

pytestmark = pytest.mark.timeout(180)


def test_staff_records_pass_a_relay_verbatim_and_once(venue: Venue) -> None:
    named_staff(venue.upstream)
    venue.forwarder.cycle()  # the relay mirrors the staff list
    clock = FakeClock(at(DAY1, 8, 10))
    desk = StaffDesk(venue.kiosk("A", clock))
    try:
        assert len(desk.kiosk.store.staff.members(NUMBER)) == 2  # upstream → relay → kiosk
        venue.upstream_down()
        ids = desk.work_a_morning(clock)
        desk.kiosk.sync()
        assert venue.forwarder.cycle()[0].error  # upstream is down: everything waits
        venue.upstream_up()
        done = venue.forwarder.cycle()[0]
        assert done.error == "", done.error
        assert done.answers.get("event accepted") == 7
        assert venue.forwarder.cycle()[0].answers == {}  # nothing twice
        up = {e["uuid"]: e for e in venue.upstream.admin.stored_events(NUMBER)}
        assert len(up) == 7
        assert up[ids["tap"]]["voided_by"] == ids["void"]
        assert (up[ids["void"]]["kind"], up[ids["void"]]["staff_id"]) == ("void", "S1")
        mine = {r["uuid"]: r for r in desk.kiosk.store.records.chain_rows()}
        assert all(up[u]["signature"] == mine[u]["signature"] for u in up)
        device = desk.kiosk.enrollment.device_id
        [state] = [d for d in venue.upstream.admin.status(NUMBER).desks if d.device_id == device]
        desk.kiosk.outbox.drain()
        venue.forwarder.cycle()
        [state] = [d for d in venue.upstream.admin.status(NUMBER).desks if d.device_id == device]
        assert state.complete and state.missing == 0
    finally:
        desk.desk.stop()
        desk.kiosk.store.close()
