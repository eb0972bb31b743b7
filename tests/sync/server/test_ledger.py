"""The platform's credit ledger: yearly caps across projects, in order of activity date.

Inner Mongolia caps practice-activity credits at 15 a year (第十条（五）). One person attends two
practice projects of 12 and 6 credits; the later one is submitted first. Whatever the order of
submission, the earlier project counts whole and the later one is cut to 3: 15 for the year. Each
organizer sees only the credits left before their own project and its cut.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from kiosk.core.model import Project, ProjectForm, Session
from kiosk.core.timeutil import SHANGHAI
from sync.client import PermanentError
from sync.protocol import ExecutionReport, LedgerStanding, ReportLine
from tests.support.desks import WireDesk, enroll, seed_platform
from tests.support.live_server import LiveServer
from tests.support.roster import at, make_project, make_roster

pytestmark = pytest.mark.timeout(90)
EARLY, LATE = date(2026, 3, 10), date(2026, 9, 15)


def practice_project(number: str, day: date) -> Project:
    """The test project as a one-day practice activity: only number, form and day differ."""
    base = make_project(number)
    return replace(
        base, form=ProjectForm.PRACTICE_ACTIVITY, days=(day,),
        sessions=(Session("s1", at(day, 8, 30), at(day, 17), "查房"),),
    )  # fmt: skip


def organizer(srv: LiveServer, number: str, day: date) -> WireDesk:
    """The project with the same roster of 5, one complete desk, and its organizer tool."""
    srv.clock.set(at(day, 7))
    seed_platform(srv, practice_project(number, day), roster_size=5)
    desk = enroll(srv, number, "A")
    desk.upload(desk.record("A1", at=at(day, 8)))
    desk.client.device_status(1)
    return enroll(srv, number, "office", role="organizer")


def submit(org: WireDesk, number: str, credits: str, when: datetime) -> None:
    line = ReportLine(attendee_id="A1", role="participant", hours=Decimal("8"),
                      assessment="passed", credits=Decimal(credits))  # fmt: skip
    org.client.submit(
        ExecutionReport(project=number, profile="inner-mongolia-2025-draft", lines=[line])
    )


def a1(standing: LedgerStanding) -> tuple[Decimal | None, Decimal | None, Decimal]:
    line = next(ln for ln in standing.lines if ln.attendee_id == "A1")
    return line.left_before, line.granted, line.cut


def test_the_practice_cap_across_two_projects_submitted_in_reverse_order(
    live_server: LiveServer,
) -> None:
    srv = live_server
    early = organizer(srv, "2026-15-07-001", EARLY)
    late = organizer(srv, "2026-15-07-002", LATE)

    srv.clock.set(datetime(2026, 9, 16, 9, tzinfo=SHANGHAI))
    standing = late.client.ledger("2026-15-07-002")
    assert (standing.credit_year, standing.kind, standing.cap) == (2026, "practice_activity", 15)
    assert "第十条" in standing.cap_source
    assert a1(standing) == (Decimal(15), None, Decimal(0))  # nothing known before it yet
    submit(late, "2026-15-07-002", "6", srv.clock())
    assert a1(late.client.ledger("2026-15-07-002")) == (Decimal(15), Decimal(6), Decimal(0))

    # The earlier project is submitted months late (its own window is long closed in real life;
    # here the platform's clock is moved back into it).
    srv.clock.set(datetime(2026, 3, 12, 9, tzinfo=SHANGHAI))
    submit(early, "2026-15-07-001", "12", srv.clock())
    assert a1(early.client.ledger("2026-15-07-001")) == (Decimal(15), Decimal(12), Decimal(0))
    # Caps follow activity dates: the later project now has 3 left and is cut by 3.
    assert a1(late.client.ledger("2026-15-07-002")) == (Decimal(3), Decimal(6), Decimal(3))
    # The other people of the roster have no grants: nothing is left out or cut for them.
    others = [ln for ln in late.client.ledger("2026-15-07-002").lines if ln.attendee_id != "A1"]
    assert len(others) == 4 and all(ln.left_before == 15 and ln.cut == 0 for ln in others)

    # Primary-care staff are exempt where the profile says so (practice: no exemption).
    person = make_roster(1)[0].document.number
    assert srv.admin.set_cap_exempt([person], reason="苏木乡镇卫生院") == 1
    assert a1(late.client.ledger("2026-15-07-002")) == (Decimal(3), Decimal(6), Decimal(3))

    # A desk cannot see the ledger, nor an organizer another project's.
    with pytest.raises(PermanentError) as err:
        early.client.ledger("2026-15-07-002")
    assert err.value.reason == "not_enrolled_for_project"
    body = late.client.ledger("2026-15-07-002").model_dump_json()
    assert "2026-15-07-001" not in body and person not in body
