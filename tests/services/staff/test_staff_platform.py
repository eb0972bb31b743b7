"""Staff records end to end: named staff from the platform, a desk's records uploaded once, the
organizer's review and receipt check (real server over loopback TLS, SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.server.walkins import stored_walk_ins
from tests.support.cli import run_cli
from tests.support.desks import srv  # noqa: F401
from tests.support.kiosks import make_kiosk
from tests.support.live_server import LiveServer, live_server, served_db, server_db  # noqa: F401
from tests.support.postgres import pg_cluster  # noqa: F401
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster
from tests.support.staff import StaffDesk, named_staff
from tests.support.tls import tls  # noqa: F401

NUMBER = "2026-15-01-001"
PEOPLE = make_roster(5)
pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def staffed(
    srv: LiveServer,  # noqa: F811
    tmp_path: Path,
) -> Iterator[tuple[LiveServer, StaffDesk, FakeClock]]:
    named_staff(srv)
    clock = FakeClock(at(DAY1, 8, 10))
    kiosk = make_kiosk(tmp_path, srv, make_project(), "A", clock=clock)
    desk = StaffDesk(kiosk)
    yield srv, desk, clock
    desk.desk.stop()
    kiosk.store.close()


def test_named_staff_records_reach_the_platform_once_and_the_organizer_sees_them(
    staffed: tuple[LiveServer, StaffDesk, FakeClock], capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:  # fmt: skip
    server, desk, clock = staffed
    assert [m.staff_id for m in desk.kiosk.store.staff.members(NUMBER)] == ["S1", "S2"]
    ids = desk.work_a_morning(clock)
    desk.kiosk.sync()
    desk.kiosk.sync()  # a second drain sends nothing again
    stored = {e["uuid"]: e for e in server.admin.stored_events(NUMBER)}
    assert len(stored) == len(desk.kiosk.store.records.events()) == 7
    assert stored[ids["manual"]]["staff_id"] == "S1"
    assert stored[ids["manual"]]["note"] == "card unreadable"
    assert stored[ids["tap"]]["voided_by"] == ids["void"]
    assert stored[ids["dispute"]]["refers_to"] == ids["out"]
    for uuid, row in stored.items():  # the desk's own hash and signature, verbatim
        mine = {r["uuid"]: r for r in desk.kiosk.store.records.chain_rows()}[uuid]
        assert (row["hash"], row["signature"]) == (mine["hash"], mine["signature"])
    # The walk-in's identity went first, as for a card walk-in.
    assert [w["name"] for w in stored_walk_ins(server.admin.platform, NUMBER)] == ["张三"]
    status = server.admin.status(NUMBER)
    assert (status.manual, status.voids, status.disputes) == (2, 1, 1)  # manual and walk-in
    assert [d.complete for d in status.desks if d.desk_name == "A"] == [True]

    code, _ = server.admin.enroll_code(NUMBER, role="organizer")
    got, out, err = run_cli(capsys, "organizer", "enroll", code, "--server", server.url,
                            "--ca-bundle", str(server.tls.ca_pem))  # fmt: skip
    assert got == 0, err
    got, out, err = run_cli(capsys, "organizer", "report", NUMBER)
    assert got == 0, err
    assert "desk staff records (4" in out
    assert "撤销 void    王芳" in out and "S1 王芳: tapped for a colleague" in out
    assert "! " in out and "申诉 dispute" in out and "我九点就到了" in out
    assert "genuine receipt: 1.68 h counted at check-out" in out
    assert "人工登记 manual" in out and "card unreadable" in out
    assert PEOPLE[0].document.number not in out  # masked
    # The voided tap is not credited: 王芳 (A2) has no hours and is not in the table.
    table = out.split("desk staff records")[0].splitlines()
    assert [line for line in table if "王芳" in line and "(absent)" not in line] == []
    assert [line for line in table if "王芳" in line and "(absent)" in line]

    # The organizer checks the receipt the attendee photographed against the platform's keys.
    got, out, err = run_cli(capsys, "receipt", "verify", str(stored[ids["dispute"]]["receipt"]))
    assert got == 0 and "VALID" in out and "the platform's desk keys" in out, err
