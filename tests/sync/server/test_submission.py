"""The organizer's submission: from the end of the last session through the 14th day after."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from kiosk.core.timeutil import SHANGHAI
from sync.client import PermanentError, SubmissionRefused
from sync.protocol import ExecutionReport, ReportLine
from tests.support.desks import WireDesk, enroll
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, at

pytestmark = pytest.mark.timeout(60)
NUMBER = "2026-15-01-001"


def shanghai(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


def report(*people: str) -> ExecutionReport:
    return ExecutionReport(
        project=NUMBER,
        profile="inner-mongolia-2025-draft",
        lines=[
            ReportLine(attendee_id=p, role="participant", hours=Decimal("6.50"),
                       assessment="passed", credits=Decimal("2.00"))
            for p in people
        ],
    )  # fmt: skip


def ready(srv: LiveServer) -> WireDesk:
    """One complete desk with a record, and the organizer's tool."""
    desk = enroll(srv, NUMBER, "A")
    desk.upload(desk.record("A1", at=at(DAY1, 8)))
    desk.client.device_status(1)
    return enroll(srv, NUMBER, "office", role="organizer")


def test_window_opens_when_the_last_session_ends_and_closes_after_the_14th_day(
    srv: LiveServer,
) -> None:
    """N = 14 comes from the profile (第十三条 of the Inner Mongolia draft), not from code."""
    org = ready(srv)
    srv.clock.set(shanghai(2026, 5, 21, 11, 29, 50))  # the last session (d2-am) ends at 11:30
    with pytest.raises(SubmissionRefused) as err:
        org.client.submit(report("A1"))
    assert err.value.reason == "submission_not_open"
    assert err.value.body["opens_at"] == "2026-05-21T11:30:00+08:00"
    window = org.client.submission_window(NUMBER)
    assert window.state == "not_open" and window.deadline_day == date(2026, 6, 4)
    assert window.opens_at == shanghai(2026, 5, 21, 11, 30) and window.days == 14

    srv.clock.set(shanghai(2026, 5, 21, 11, 30, 0))  # the end of the last session: accepted
    assert org.client.submission_window(NUMBER).state == "open"
    assert org.client.submit(report("A1")).lines == 1

    srv.clock.set(shanghai(2026, 6, 4, 23, 59, 50))  # the 14th day after: the last chance
    window = org.client.submission_window(NUMBER)
    assert (window.state, window.days_left) == ("closing", 1)
    answer = org.client.submit(report("A1"))
    assert answer.lines == 1 and answer.deadline == shanghai(2026, 6, 5)
    assert org.client.submission_window(NUMBER).submitted_at is not None

    srv.clock.set(shanghai(2026, 6, 5, 0, 0, 0))  # the 15th day after: refused
    with pytest.raises(SubmissionRefused) as err:
        org.client.submit(report("A1"))
    assert err.value.reason == "submission_deadline_passed"
    assert err.value.deadline == "2026-06-05T00:00:00+08:00"
    assert err.value.body["deadline_day"] == "2026-06-04"
    assert "2026-06-04" in str(err.value)
    assert org.client.submission_window(NUMBER).state == "closed"
    audit = [e for e in srv.admin.audit_log(NUMBER) if e["action"] == "submission"]
    assert len(audit) == 2


def test_refused_with_the_desks_while_one_is_incomplete(srv: LiveServer) -> None:
    org = ready(srv)
    late = enroll(srv, NUMBER, "B")
    late.upload(late.record("A2", at=at(DAY1, 9)))
    late.client.device_status(3)
    srv.clock.set(shanghai(2026, 5, 25, 10))
    with pytest.raises(SubmissionRefused) as err:
        org.client.submit(report("A1", "A2"))
    assert err.value.reason == "desks_incomplete"
    assert [(d["desk_name"], d["missing"]) for d in err.value.desks] == [("B", 2)]
    assert "desk B" in str(err.value) and "missing 2" in str(err.value)
    srv.admin.retire(late.device_id, reason="lost; records 2-3 unrecoverable")
    assert org.client.submit(report("A1", "A2")).lines == 2


def test_only_organizers_submit_and_the_report_must_make_sense(srv: LiveServer) -> None:
    org = ready(srv)
    desk = enroll(srv, NUMBER, "C")
    desk.client.device_status(0)
    srv.clock.set(shanghai(2026, 5, 25, 10))
    with pytest.raises(PermanentError) as err:
        desk.client.submit(report("A1"))
    assert err.value.reason == "not_organizer"
    with pytest.raises(PermanentError) as err:
        org.client.submit(report("A1", "Z9"))
    assert err.value.reason == "unknown_attendee"
    with pytest.raises(PermanentError) as err:
        org.client.submit(report("A1", "A1"))
    assert err.value.reason == "duplicate_attendee"
    # Provisional walk-ins are known from the records even without a roster entry.
    desk.upload(desk.record("walkin-1", at=at(DAY1, 10), flags=["provisional_attendee"]))
    desk.client.device_status(1)
    assert org.client.submit(report("A1", "walkin-1")).lines == 2
