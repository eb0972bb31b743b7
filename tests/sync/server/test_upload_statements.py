"""SQL statements per request on the hot paths: a single-record upload carrying its report."""

from __future__ import annotations

import pytest

from sync import chain
from sync import protocol as p
from tests.support.desks import WireDesk, enroll, statuses
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, at
from tests.support.statements import sql_only as _sql
from tests.support.statements import statements

pytestmark = pytest.mark.timeout(60)
NUMBER = "2026-15-01-001"

# The statements the database runs for one tap's upload (one record and the status report it
# carries): the token's lookup with the project's lock, the device row with its received seqs,
# one read of the events and roster entries the record meets, the seq's insert, the change
# number, the record's insert, and one UPDATE of the device row. SQLite adds its BEGIN
# IMMEDIATE (PostgreSQL begins implicitly with the first statement). All in one transaction on
# one pooled connection: the token is looked up in it.
PINNED = {"sqlite": 8, "postgres": 7}
# A status report that changes nothing: the token's lookup with the lock, the device row.
HEARTBEAT = {"sqlite": 3, "postgres": 2}


def _report(desk: WireDesk, seq: int, record_hash: str) -> p.DeviceReport:
    head = chain.sign_head(desk.key, seq, record_hash)
    return p.DeviceReport(
        latest_seq=seq, head=p.ChainHead(seq=seq, hash=head.hash, signature=head.signature)
    )


def test_a_single_record_upload_with_its_report_runs_the_pinned_statements(
    srv: LiveServer,
) -> None:
    desk = enroll(srv, NUMBER)
    other = enroll(srv, NUMBER, "B")
    first = desk.record("A1", at=at(DAY1, 8))  # warm: the desk's first record and report
    assert statuses(desk.client.upload([first], report=_report(desk, 1, first.hash))) == [
        ("accepted", "")
    ]
    tap = desk.record("A3", at=at(DAY1, 8, 1))
    with statements(srv) as seen:
        answers = desk.client.upload([tap], report=_report(desk, 2, tap.hash))
    assert statuses(answers) == [("accepted", "")]
    assert len(_sql(seen)) == PINNED[srv.backend], "\n".join(seen)
    assert seen.count("checkout") == 1, "\n".join(seen)
    # The same person at another desk just before: one more statement flags B's record.
    other.upload(other.record("A2", at=at(DAY1, 8, 2)))
    clash = desk.record("A2", at=at(DAY1, 8, 3))
    with statements(srv) as flagged:
        answers = desk.client.upload([clash], report=_report(desk, 3, clash.hash))
    assert statuses(answers) == [("accepted", "")]
    assert len(_sql(flagged)) == PINNED[srv.backend] + 1, "\n".join(flagged)
    # What those statements did: each record stored once, both A2 records flagged, the desk
    # complete with its head.
    stored = {e["uuid"]: e for e in srv.admin.stored_events(NUMBER)}
    assert len(stored) == 4 and not stored[tap.uuid]["conflict"]
    theirs = next(u for u, e in stored.items() if e["device_id"] == other.device_id)
    assert {str(u) for u, e in stored.items() if e["conflict"]} == {clash.uuid, str(theirs)}
    mine = next(d for d in srv.admin.status(NUMBER).desks if d.device_id == desk.device_id)
    assert (mine.highest_contiguous, mine.latest_seq, mine.missing, mine.complete) == (
        3,
        3,
        0,
        True,
    )
    assert mine.head_seq == 3
    # The same upload again is a duplicate and costs no more.
    with statements(srv) as again:
        assert statuses(desk.client.upload([clash], report=_report(desk, 3, clash.hash))) == [
            ("duplicate", "")
        ]
    assert len(_sql(again)) <= PINNED[srv.backend], "\n".join(again)
    # A status report (the heartbeat) takes one connection too, the token looked up in it with
    # the project's lock; one that changes nothing writes nothing: 2 statements.
    with statements(srv) as heartbeat:
        assert desk.client.device_status(3).desk.latest_seq == 3
    assert heartbeat.count("checkout") == 1, "\n".join(heartbeat)
    assert len(_sql(heartbeat)) == HEARTBEAT[srv.backend], "\n".join(heartbeat)


def test_a_gap_is_scanned_and_closed_by_the_record_that_fills_it(srv: LiveServer) -> None:
    """The contiguous seq from the count of received seqs, and by a scan when there is a gap."""
    desk = enroll(srv, NUMBER)
    one, two, three = (desk.record(f"A{i}", at=at(DAY1, 8, i)) for i in (1, 2, 3))
    desk.upload(one)
    desk.upload(three)  # two is late
    assert _desk(srv, desk).highest_contiguous == 1
    desk.upload(two)
    mine = _desk(srv, desk)
    assert (mine.highest_contiguous, mine.missing) == (3, 0)


def _desk(srv: LiveServer, desk: WireDesk) -> p.DeskCompleteness:
    return next(d for d in srv.admin.status(NUMBER).desks if d.device_id == desk.device_id)
