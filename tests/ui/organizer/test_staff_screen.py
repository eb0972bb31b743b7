"""The Staff screen and the Anomalies screen's records not held, in the real window over the
real platform: a project with named staff, and a retired desk whose late record was refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.reports.workspace import Workspace
from kiosk.services.organizer import OrganizerService
from kiosk.ui.organizer.texts import fill, role_text
from kiosk.ui.organizer.window import OrganizerWindow
from kiosk.ui.texts import translate
from sync.server.staff import add_member
from tests.support.desk import flush_deletes
from tests.support.organizer_ws import NUMBER, enroll_organizer, live_platform, seed_event
from tests.support.roster import DAY1, at
from tests.support.staff import cheap_hash
from tests.support.tls import TlsFiles

pytestmark = [pytest.mark.timeout(120)]


def test_staff_and_records_the_platform_does_not_hold(
    tmp_path: Path, tls: TlsFiles, qtbot: QtBot
) -> None:
    with live_platform(tmp_path, tls) as server:
        desk = seed_event(server)
        for name, role, pin in (("王芳", "staff", "284619"), ("李娜", "lead", "735102")):
            add_member(server.admin.platform, NUMBER, name=name, role=role,
                       pin_hash=cheap_hash(pin), same_pin=lambda _h: False, actor="test")  # fmt: skip
        late = desk.record("A4", at=at(DAY1, 9, 30))
        server.admin.retire(desk.device_id, reason="lost at lunch", at=at(DAY1, 10))
        desk.upload(late)  # refused: above the seq frozen at retirement
        server.clock.set(at(DAY1, 13))
        ws = Workspace(tmp_path / "organizer")
        enroll_organizer(server, ws)
        service = OrganizerService(ws, NUMBER)
        window = OrganizerWindow(service)
        window.resize(1366, 768)
        window.show()
        try:
            service.open().result(timeout=60)
            qtbot.waitUntil(lambda: window.view is not None and window.view.online, timeout=30_000)
            window.show_page(7)
            page = window.staff
            members = page.members
            assert members.rowCount() == 2
            assert [members.text(0, c) for c in range(3)] == ["S1", "王芳", role_text("staff")]
            assert [members.text(1, c) for c in range(3)] == ["S2", "李娜", role_text("lead")]
            assert role_text("lead") != role_text("staff")
            assert "2" in page.members_title.text()
            texts = " ".join(members.text(r, c) for r in range(2) for c in range(3))
            assert "argon2" not in texts and "$" not in texts  # never a PIN hash

            window.show_page(2)
            anomalies = window.anomalies
            assert anomalies.not_held.isVisible() and anomalies.not_held.count() == 1
            line = anomalies.not_held.item(0).text()
            # The sentence up to the reason, in whichever language the window speaks.
            template = translate("Organizer", "Desk %1, record %2: %3 (%4)")
            assert line.startswith(fill(template, "A", late.seq, "\0", "").split("\0")[0])
            assert "retired_device" in line
            assert "1" in anomalies.not_held_title.text()
        finally:
            window.close()
            service.close()
            window.deleteLater()
            flush_deletes()
