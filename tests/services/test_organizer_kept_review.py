"""The organizer's computed review is kept between opens, and the workspace shows the staff and
the records the platform does not hold, against the real platform (then offline)."""

from __future__ import annotations

import os
import pickle
import stat
import threading
import time
from pathlib import Path

import pytest

from kiosk.core.credits.records import CreditFlag
from kiosk.reports.pulled import StaffMember
from kiosk.reports.workspace import Workspace
from kiosk.services.organizer import OrganizerService, new_correction
from kiosk.services.organizer_cache import FORMAT, kept_review
from kiosk.services.organizer_view import WorkspaceView
from sync.server.staff import add_member
from tests.support.organizer_ws import NUMBER, enroll_organizer, live_platform, seed_event
from tests.support.roster import DAY1, at, make_roster
from tests.support.staff import cheap_hash
from tests.support.tls import TlsFiles, tls  # noqa: F401

pytestmark = [pytest.mark.timeout(120)]
PEOPLE = make_roster(5)


def opened(ws: Workspace, *, online: bool) -> tuple[OrganizerService, WorkspaceView]:
    """A new service (as a new process has) opened on the workspace; its last view."""
    views: list[WorkspaceView] = []
    service = OrganizerService(ws, NUMBER)
    service.subscribe(lambda e: views.append(e) if isinstance(e, WorkspaceView) else None)
    result = service.open(online=online).result(timeout=60)
    assert result.ok, result
    return service, views[-1]


def figures(view: WorkspaceView) -> list[object]:
    """What the screens show of the review: per person credits, hours and flags; anomalies."""
    rows = [(r.person.id_number, r.credits, r.participant_hours, sorted(r.flags))
            for r in view.table.rows]  # fmt: skip
    return [rows, view.anomalies, view.lines, view.no_result, dict(view.records)]


def test_the_review_is_kept_between_opens_and_staff_and_refused_records_are_shown(
    tmp_path: Path,
    tls: TlsFiles,  # noqa: F811 - the fixture imported above
) -> None:
    ws = Workspace(tmp_path / "organizer")
    with live_platform(tmp_path, tls) as server:
        desk = seed_event(server)
        for name, role in (("王芳", "staff"), ("李娜", "lead")):
            add_member(server.admin.platform, NUMBER, name=name, role=role,
                       pin_hash=cheap_hash("284619" if role == "staff" else "735102"),
                       same_pin=lambda _h: False, actor="test")  # fmt: skip
        late = desk.record("A4", at=at(DAY1, 9, 30))  # made on the desk, delivered too late
        server.admin.retire(desk.device_id, reason="lost at lunch", at=at(DAY1, 10))
        desk.upload(late)
        server.clock.set(at(DAY1, 13))
        enroll_organizer(server, ws)
        service, online = opened(ws, online=True)
        service.close()
        # The report keeps its own review (its inputs differ: ledger and exemptions).
        table, _ = kept_review(ws, NUMBER, caps=lambda _p: (None, frozenset()))
        again, _ = kept_review(ws, NUMBER, caps=lambda _p: (None, frozenset()))
        assert again.rows == table.rows and again.window == table.window
        assert (ws.directory(NUMBER) / "report.cache").read_bytes().startswith(FORMAT)

    assert online.online
    assert online.members == (StaffMember("S1", "王芳", "staff"), StaffMember("S2", "李娜", "lead"))
    assert "argon2" not in repr(online)  # never a PIN hash
    assert [(r.desk_name, r.seq, r.uuid, r.by) for r in online.not_held] == [
        ("A", late.seq, late.uuid, "platform")
    ]
    kept = ws.directory(NUMBER) / "review.cache"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_bytes().startswith(FORMAT)

    # Offline, in a new service: the same figures, staff and refused records, from the kept
    # review (the pulled records are not even read).
    service, offline = opened(ws, online=False)
    assert not offline.online
    assert figures(offline) == figures(online)
    assert (offline.members, offline.not_held) == (online.members, online.not_held)
    assert offline.search is not None and set(offline.search.entries) == set(
        online.search.entries if online.search else ()
    )
    assert service._pulled is None  # what "not computed again" means: no records read

    # A correction changes what the review is computed from: the figures follow it at once,
    # and the next open shows them too.
    a1 = PEOPLE[0].document.number
    assert CreditFlag.MISSING_CHECKOUT in next(
        r.flags for r in offline.table.rows if r.person.id_number == a1
    )
    fix = new_correction("add_checkout", by="王老师", reason="left at noon, seen by staff",
                         at=at(DAY1, 13), id_number=a1, moment=at(DAY1, 12))  # fmt: skip
    assert service.correct(fix).result(timeout=60).ok
    service.close()
    service, corrected = opened(ws, online=False)
    service.close()
    row = next(r for r in corrected.table.rows if r.person.id_number == a1)
    assert CreditFlag.MISSING_CHECKOUT not in row.flags and CreditFlag.CORRECTED in row.flags
    assert any(a.resolved and a.id_number == a1 for a in corrected.anomalies)

    # A damaged file is never trusted: computed again, the same figures, kept again.
    kept.write_bytes(FORMAT + kept.read_bytes().splitlines()[1] + b"\n" + b"\x80garbage")
    service, recomputed = opened(ws, online=False)
    service.close()
    assert figures(recomputed) == figures(corrected)
    assert len(kept.read_bytes()) > 1000

    # A planted file naming a callable outside the review's types is refused, never run.
    marker = tmp_path / "planted"
    planted = pickle.dumps(Planted(str(marker)), protocol=pickle.HIGHEST_PROTOCOL)
    kept.write_bytes(FORMAT + kept.read_bytes().splitlines()[1] + b"\n" + planted)
    service, again = opened(ws, online=False)
    service.close()
    assert not marker.exists()
    assert figures(again) == figures(corrected)


class Planted:
    """What an attacker would plant: unpickling it runs a command (here, touch a file)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, ...]]:
        return os.system, (f"touch {self.path}",)


class HeldIndex(OrganizerService):
    """The real workspace, whose open waits for the test's go just before it indexes people."""

    def __init__(self, ws: Workspace, number: str) -> None:
        super().__init__(ws, number)
        self.started, self.go = threading.Event(), threading.Event()

    def _index(self) -> None:
        self.started.set()
        assert self.go.wait(30)
        super()._index()


def test_closing_the_workspace_while_it_opens_keeps_the_review_and_fails_nothing(
    tmp_path: Path,
    tls: TlsFiles,  # noqa: F811 - the fixture imported above
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The window closed mid-open: the open ends as itself, and close() keeps the review."""
    ws = Workspace(tmp_path / "organizer")
    with live_platform(tmp_path, tls) as server:
        seed_event(server)
        server.clock.set(at(DAY1, 13))
        enroll_organizer(server, ws)
        service = HeldIndex(ws, NUMBER)
        opening = service.open()
        assert service.started.wait(30)
        closing = threading.Thread(target=service.close)
        closing.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # close() has begun once no action is taken
            try:
                service.open().cancel()
            except RuntimeError:
                break
            time.sleep(0.01)
        else:
            pytest.fail("close() never began")
        service.go.set()
        closing.join(60)
        assert not closing.is_alive()
        result = opening.result(timeout=60)
    assert result.ok and result.action == "open", result
    assert "failed" not in caplog.text
    assert (ws.directory(NUMBER) / "review.cache").read_bytes().startswith(FORMAT)
