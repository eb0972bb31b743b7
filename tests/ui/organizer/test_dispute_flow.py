"""Resolve an attendee's dispute in the Anomalies screen, in the real window over the real
platform: the desk recorded the attendee's words and the signed receipt they showed; the organizer
settles it with an audited correction that is logged, uploaded, and leaves the row corrected."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.core.codes.receipt import Receipt, ReceiptSession, sign_receipt
from kiosk.core.credits.corrections import CorrectionKind
from kiosk.core.credits.records import CreditFlag
from kiosk.core.timeutil import SHANGHAI
from kiosk.reports.anomalies import AnomalyKind
from kiosk.reports.staff_review import About
from kiosk.reports.workspace import Workspace
from kiosk.services.organizer import OrganizerService
from kiosk.services.organizer_view import ActionResult
from kiosk.ui.organizer.texts import about_line, anomaly_text, flag_text
from kiosk.ui.organizer.window import OrganizerWindow
from sync.server import corrections as server_corrections
from tests.support.desk import flush_deletes
from tests.support.organizer_ws import NUMBER, enroll_organizer, live_platform, seed_event
from tests.support.roster import DAY1, at, make_roster
from tests.support.tls import TlsFiles

pytestmark = [pytest.mark.timeout(120)]
WAIT = 30_000
WORDS = "下午17点签退时机器没反应，这是上午的回执"


def test_resolve_an_attendee_dispute_with_the_receipt_shown(
    tmp_path: Path, tls: TlsFiles, qtbot: QtBot
) -> None:
    a4 = make_roster(5)[3].document.number
    with live_platform(tmp_path, tls) as server:
        desk = seed_event(server)
        # 刘洋 (A4): the morning in and out with a signed receipt, the afternoon in, no check-out;
        # at 17:10 staff record her dispute with the receipt she shows.
        morning_out = desk.record("A4", at=at(DAY1, 12, 5), direction="out", method="qr")
        receipt = sign_receipt(
            Receipt(
                project=NUMBER, device_id=desk.device_id, record_uuid=morning_out.uuid,
                attendee_id="A4", check_in=at(DAY1, 8, 25), check_out=at(DAY1, 12, 5),
                sessions=(ReceiptSession("d1-am", Decimal("3.5")),), total_hours=Decimal("3.5"),
            ),
            desk.key.sign,
        )  # fmt: skip
        dispute = desk.record(
            "A4", at=at(DAY1, 17, 10), kind="dispute", refers_to=morning_out.uuid, note=WORDS,
            receipt=receipt, staff_id="S1", method="manual",
        )  # fmt: skip
        desk.upload(
            desk.record("A4", at=at(DAY1, 8, 25), method="face"), morning_out,
            desk.record("A4", at=at(DAY1, 13, 50), method="face"), dispute,
        )  # fmt: skip
        server.clock.set(at(DAY1, 18))
        ws = Workspace(tmp_path / "organizer")
        enroll_organizer(server, ws)
        service = OrganizerService(ws, NUMBER)
        window = OrganizerWindow(service)
        results: list[ActionResult] = []
        window.bridge.result.connect(results.append)
        window.resize(1366, 768)
        window.show()
        try:
            service.open().result(timeout=60)
            qtbot.waitUntil(lambda: window.view is not None and window.view.online, timeout=WAIT)
            window.show_page(2)
            page = window.anomalies
            # Listed with the attendee's words and the receipt's verdict; a notice, open.
            assert page.choose(AnomalyKind.DISPUTE.value, a4)
            item = page.current()
            assert item is not None and not item.resolved and not item.blocking
            assert item.staff_record == dispute.uuid and item.note == WORDS
            assert item.about == About("receipt_genuine", hours=Decimal("3.5"))
            assert item.fixes == (CorrectionKind.ADD_CHECKOUT, CorrectionKind.ADD_CHECKIN,
                                  CorrectionKind.VOID_RECORD)  # fmt: skip
            line = page.items.currentItem().text()
            assert anomaly_text(AnomalyKind.DISPUTE) in line and "刘洋" in line and WORDS in line
            assert a4 not in line  # masked
            # The receipt's verdict in the screen's language (it was English on a Chinese screen).
            assert about_line(item.about) in page.what.text() and WORDS in page.what.text()
            assert "回执真实" in page.what.text() and "genuine" not in page.what.text()
            assert page.fix_choice.isVisible() and page.fix_choice.count() == 3

            # Choosing "void" asks for the record, not a time; the dispute is settled by a
            # check-out at 17:00 instead.
            assert page.choose_fix(CorrectionKind.VOID_RECORD)
            assert page.record.isVisible() and not page.when.isVisible()
            assert page.choose_fix(CorrectionKind.ADD_CHECKOUT)
            assert page.when.isVisible() and not page.record.isVisible()
            page.set_time(at(DAY1, 17, 0))
            page.by.setText("李老师")
            page.reason.setText("回执与签到表一致，签退机故障")
            page.resolve.click()
            qtbot.waitUntil(lambda: any(r.action == "correct" for r in results), timeout=WAIT)
            result = next(r for r in results if r.action == "correct")
            assert result.ok and result.code == "uploaded", result

            # The data: logged (who, why, which dispute) and on the platform.
            [logged] = ws.corrections(NUMBER)
            assert logged.kind is CorrectionKind.ADD_CHECKOUT and logged.id_number == a4
            assert logged.moment == datetime(2026, 5, 20, 17, 0, tzinfo=SHANGHAI)
            assert logged.resolves == dispute.uuid and logged.by == "李老师"
            stored = server_corrections.listing(server.admin.platform, NUMBER).corrections
            assert [(c.entry.kind, c.entry.attendee_id, c.entry.after.get("resolves"))
                    for c in stored] == [("add_checkout", "A4", dispute.uuid)]  # fmt: skip

            # The review: settled, not hidden, not blocking; the row is marked corrected.
            qtbot.waitUntil(lambda: bool(window.view and window.view.table.corrections),
                            timeout=WAIT)  # fmt: skip
            view = window.view
            assert view is not None
            disputes = [a for a in view.anomalies if a.kind is AnomalyKind.DISPUTE]
            assert [(a.resolved, a.blocking, a.staff_record, a.by) for a in disputes] == [
                (True, False, dispute.uuid, "李老师")
            ]
            row = next(r for r in view.table.rows if r.person.id_number == a4)
            assert (
                CreditFlag.CORRECTED in row.flags and CreditFlag.MISSING_CHECKOUT not in row.flags
            )
            # The screen: the resolved line says who corrected it; no open dispute is left.
            texts = [page.items.item(i).text() for i in range(page.items.count())]
            [done] = [t for t in texts if anomaly_text(AnomalyKind.DISPUTE) in t]
            assert done.startswith("✓") and flag_text(CreditFlag.CORRECTED) in done
            assert "李老师" in done
            assert not page.choose(AnomalyKind.DISPUTE.value, a4)
        finally:
            window.close()
            service.close()
            window.deleteLater()
            flush_deletes()
