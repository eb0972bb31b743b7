"""The organizer's workspace, driven as the organizer drives it, against the real platform.

Each flow asserts what changed in the data (the workspace's files, the platform's tables) and on
the screen (the widgets' texts). The window's worker thread does the work; answers come back as
queued signals, which qtbot waits for.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.core.credits.corrections import CorrectionKind
from kiosk.core.credits.records import CreditFlag
from kiosk.core.timeutil import SHANGHAI
from kiosk.reports.anomalies import AnomalyKind
from kiosk.reports.workspace import Workspace
from kiosk.services.organizer import OrganizerService
from kiosk.ui.organizer.texts import anomaly_text, entered_text, flag_text
from kiosk.ui.organizer.window import OrganizerWindow
from kiosk.ui.texts import translate
from sync.server import corrections as server_corrections
from tests.support.desk import flush_deletes
from tests.support.live_server import LiveServer
from tests.support.organizer_ws import (
    NUMBER,
    Collected,
    enroll_organizer,
    live_platform,
    seed_event,
)
from tests.support.roster import DAY1, DAY2, at, make_roster
from tests.support.tls import TlsFiles

pytestmark = [pytest.mark.timeout(120)]
WAIT = 30_000
PEOPLE = make_roster(5)


class Rig:
    """A platform with the event's records, an enrolled workspace, and its window."""

    def __init__(self, server: LiveServer, root: Path, qtbot: QtBot) -> None:
        self.server, self.qtbot = server, qtbot
        self.ws = Workspace(root)
        enroll_organizer(server, self.ws)
        self.service = OrganizerService(self.ws, NUMBER)
        self.window = OrganizerWindow(self.service)
        self.seen = Collected()
        self.window.bridge.view.connect(self.seen.views.append)
        self.window.bridge.result.connect(self.seen.results.append)
        self.window.resize(1366, 768)
        self.window.show()

    def wait(self, action: str, count: int = 1) -> None:
        """Until `count` answers to `action` have arrived on the GUI thread."""
        self.qtbot.waitUntil(
            lambda: sum(r.action == action for r in self.seen.results) >= count, timeout=WAIT
        )

    def open(self) -> None:
        self.service.open()
        self.wait("open")
        self.qtbot.waitUntil(lambda: self.window.view is not None, timeout=WAIT)
        result = self.seen.last("open")
        assert result is not None and result.ok, result

    def refresh(self) -> None:
        n = sum(r.action == "refresh" for r in self.seen.results)
        self.window.refresh_button.click()
        self.wait("refresh", n + 1)

    def close(self) -> None:
        self.window.close()
        self.service.close()
        self.window.deleteLater()
        flush_deletes()


@pytest.fixture
def rig(tmp_path: Path, tls: TlsFiles, qtbot: QtBot) -> Iterator[Rig]:
    with live_platform(tmp_path, tls) as server:
        seed_event(server)
        server.clock.set(at(DAY1, 13))
        r = Rig(server, tmp_path / "organizer", qtbot)
        try:
            r.open()
            yield r
        finally:
            r.close()


def test_resolve_a_missing_check_out(rig: Rig) -> None:
    a1 = PEOPLE[0].document.number
    view = rig.window.view
    assert view is not None and view.online
    # The anomaly is listed, blocking, with its fix.
    rig.window.show_page(2)
    assert rig.window.anomalies.choose(AnomalyKind.MISSING_CHECKOUT.value, a1)
    item = rig.window.anomalies.current()
    assert item is not None and item.blocking and item.fix is CorrectionKind.ADD_CHECKOUT
    assert item.suggested is None or item.suggested.tzinfo is not None
    assert any(r.code == "blocked" for r in view.refusals())
    text = rig.window.anomalies.items.currentItem().text()
    assert anomaly_text(AnomalyKind.MISSING_CHECKOUT) in text and "张伟" in text

    rig.window.anomalies.set_time(at(DAY1, 12, 0))
    rig.window.anomalies.by.setText("李老师")
    rig.window.anomalies.reason.setText("忘记签退，签到表可证")
    rig.window.anomalies.resolve.click()
    rig.wait("correct")
    result = rig.seen.last("correct")
    assert result is not None and result.ok and result.code == "uploaded", result

    # The data: logged locally (audited, with who and why) and on the platform.
    [logged] = rig.ws.corrections(NUMBER)
    assert logged.kind is CorrectionKind.ADD_CHECKOUT and logged.id_number == a1
    assert logged.moment == datetime(2026, 5, 20, 12, 0, tzinfo=SHANGHAI)
    assert (logged.by, logged.reason) == ("李老师", "忘记签退，签到表可证")
    stored = server_corrections.listing(rig.server.admin.platform, NUMBER).corrections
    assert [(c.entry.kind, c.entry.attendee_id, c.entry.by) for c in stored] == [
        ("add_checkout", "A1", "李老师")
    ]
    # The review: A1 now has the morning (08:30–12:00, clipped), marked corrected, not blocking.
    rig.qtbot.waitUntil(lambda: bool(rig.window.view and rig.window.view.table.corrections))
    view = rig.window.view
    assert view is not None
    row = next(r for r in view.table.rows if r.person.id_number == a1)
    assert CreditFlag.CORRECTED in row.flags and CreditFlag.MISSING_CHECKOUT not in row.flags
    assert str(row.hours) == "3.50"
    assert not any(r.code == "blocked" and r.values == ("1",) for r in view.refusals())
    resolved = [a for a in view.anomalies if a.resolved]
    assert len(resolved) == 1 and not resolved[0].blocking and resolved[0].by == "李老师"
    # The screen: the resolved item stays listed and says so; the cell names who entered it.
    texts = [rig.window.anomalies.items.item(i).text()
             for i in range(rig.window.anomalies.items.count())]  # fmt: skip
    [line] = [t for t in texts if t.startswith("✓")]
    assert flag_text(CreditFlag.CORRECTED) in line and "李老师" in line
    rig.window.show_page(1)
    model = rig.window.attendance.model
    i = next(i for i, r in enumerate(model.rows) if r.person.id_number == a1)
    cell = model.cell(model.rows[i], "d1-am")
    assert cell.startswith("08:20–12:00 · 3.5 h")
    assert entered_text("A") in cell and entered_text("organizer: 李老师") in cell
    assert rig.window.message.text() == translate(
        "Result", "Correction saved and sent to the platform"
    )


def test_import_an_assessment_file_with_one_bad_line(rig: Rig, tmp_path: Path) -> None:
    a1, a2, a3 = (p.document.number for p in PEOPLE[:3])
    page = rig.window.assessment
    rig.window.show_page(3)
    view = rig.window.view
    assert view is not None and view.no_result  # results not imported: everyone waits
    bad = tmp_path / "results.csv"
    bad.write_text(f"证件号,考核结果\n{a1},合格\n110101199003071235,合格\n{a2},不合格\n",
                   encoding="utf-8")  # fmt: skip
    page.path.setText(str(bad))
    page.import_button.click()
    rig.wait("assess")
    result = rig.seen.last("assess")
    assert result is not None and not result.ok and result.code == "bad_rows"
    assert len(result.errors) == 1 and result.errors[0].startswith("line 3:")
    assert rig.ws.assessments(NUMBER) is None  # nothing kept
    assert page.errors.count() == 1 and page.errors.item(0).text().startswith("line 3:")
    assert "results.csv" in page.summary.text()

    good = tmp_path / "results-fixed.csv"
    good.write_text(f"证件号,考核结果\n{a1},合格\n{a2},不合格\n", encoding="utf-8")
    page.path.setText(str(good))
    page.import_button.click()
    rig.wait("assess", 2)
    result = rig.seen.last("assess")
    assert result is not None and result.ok and result.values["count"] == "2"
    kept = rig.ws.assessments(NUMBER)
    assert kept is not None and kept[a1].passed and not kept[a2].passed
    rig.qtbot.waitUntil(lambda: page.errors.count() == 0 and page.missing.count() == 1)
    # A3 attended and has no result: listed, and marked by hand.
    assert "李娜" in page.missing.item(0).text()
    page.missing.setCurrentRow(0)
    page.passed.click()
    rig.wait("mark")
    kept = rig.ws.assessments(NUMBER)
    assert kept is not None and kept[a3].passed
    rig.qtbot.waitUntil(lambda: page.missing.count() == 0)


def shanghai(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def test_submit_before_the_window_inside_it_and_after_it(rig: Rig) -> None:
    a1 = PEOPLE[0].document.number
    # Make the data complete: A1's check-out, and every result.
    rig.window.anomalies.choose(AnomalyKind.MISSING_CHECKOUT.value, a1)
    rig.window.anomalies.set_time(at(DAY1, 12, 0))
    rig.window.anomalies.by.setText("李老师")
    rig.window.anomalies.reason.setText("忘记签退")
    rig.window.anomalies.resolve.click()
    rig.wait("correct")
    for n, person in enumerate(PEOPLE[:3], start=1):
        rig.service.mark(person.document.number, passed=True)
        rig.wait("mark", n)
    page = rig.window.submit
    rig.window.show_page(6)

    # Before: the last session ends at 11:30 on day 2.
    rig.server.clock.set(at(DAY2, 10))
    rig.refresh()
    rig.qtbot.waitUntil(lambda: not page.send.isEnabled())
    assert "11:30" in page.reasons.text()
    page.ask()
    assert not page.confirm_box.isVisibleTo(page)
    rig.service.submit()
    rig.wait("submit")
    refused = rig.seen.last("submit")
    assert refused is not None and not refused.ok and refused.code == "refused"
    assert set(refused.values) == {"not_open"}
    assert rig.server.admin.status(NUMBER).window.submitted_at is None

    # Inside: a preview of exactly what is sent, a confirmation naming the deadline, a receipt.
    rig.server.clock.set(at(DAY2, 12))
    rig.refresh()
    rig.qtbot.waitUntil(page.send.isEnabled)
    view = rig.window.view
    assert view is not None and view.window.deadline_day == date(2026, 6, 4)
    assert page.preview.model().rowCount() == len(view.lines) == 3
    assert {page.lines.text(i, 0) for i in range(3)} == {"A1", "A2", "A3"}
    page.send.click()
    assert page.confirm_box.isVisibleTo(page) and "2026-06-04" in page.question.text()
    page.confirm.click()
    rig.wait("submit", 2)
    accepted = rig.seen.last("submit")
    assert accepted is not None and accepted.ok and accepted.receipt is not None, accepted
    assert str(accepted.receipt) in page.receipt.text()
    audit = [e for e in rig.server.admin.audit_log(NUMBER) if e["action"] == "submission"]
    assert [e["subject"] for e in audit] == [str(accepted.receipt)]

    # After: the 15th day after the last day.
    rig.server.clock.set(shanghai(2026, 6, 5, 0, 1))
    rig.refresh()
    rig.qtbot.waitUntil(lambda: not page.send.isEnabled())
    assert "2026-06-04" in page.reasons.text()
    rig.service.submit()
    rig.wait("submit", 3)
    late = rig.seen.last("submit")
    assert late is not None and not late.ok and "closed" in late.values
    audit = [e for e in rig.server.admin.audit_log(NUMBER) if e["action"] == "submission"]
    assert len(audit) == 1
