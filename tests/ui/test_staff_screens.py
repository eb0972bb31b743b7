"""Staff mode's screens as real windows over a real store: search, manual, walk-in, undo,
dispute, today's list, dead letters, sound, and the check-out receipt on the answer card.

Each flow is driven through the widgets (keypads, buttons, fields) and checked twice: in the
store (what was recorded, by whom, why) and on the screen (what staff see).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from drivers.qr.decode import FrameDecoder
from kiosk.config import QrSection, SoundSection
from kiosk.core.codes.phone import phone_code_at
from kiosk.core.codes.receipt import parse_receipt
from kiosk.core.model import DeskMode, Direction, Flag, Method, RecordKind
from kiosk.runtime.sound import attach_sounds
from kiosk.services.checkin import Credential, Status
from kiosk.ui import theme
from kiosk.ui.desk_window import DeskWindow
from kiosk.ui.keypad import Keypad
from tests.support.desk import DeskRig, desk_rig
from tests.support.roster import make_roster
from tests.support.staff import PINS, give_staff

ROSTER = make_roster(3)  # A1 张伟, A2 王芳, A3 李娜
RIGHT = "11010519491231002X"
WRONG_DIGIT = RIGHT[:-1] + "3"  # the same number with a wrong check digit


class Staffed:
    """A desk window with named staff; S1 王芳 signed in, staff mode open."""

    def __init__(self, rig: DeskRig, window: DeskWindow) -> None:
        self.rig = rig
        self.window = window
        self.staff = window.staff


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[DeskRig]:
    r = desk_rig(tmp_path)
    give_staff(r.store, r.project.number)
    yield r
    r.close()


@pytest.fixture
def desk(qtbot: QtBot, rig: DeskRig) -> Staffed:
    window = rig.window(hold_ms=300, camera=False)
    window.show()
    rig.desk.sign_in(PINS["S1"]).result(10)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.staff, timeout=5000)
    assert window.staff.staff_label.text() == "已登录：王芳"
    return Staffed(rig, window)


def press(qtbot: QtBot, keypad: Keypad, keys: str) -> None:
    """Tap on-screen keys one by one."""
    for key in keys:
        button = next(b for b in keypad.buttons if b.text() == key)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def ime(field: QLineEdit, text: str) -> None:
    """Chinese text as an input method commits it (QTest types Latin-1 keys only)."""
    field.setFocus()
    field.insert(text)


def search(qtbot: QtBot, d: Staffed, keys: str) -> None:
    """Open search and type `keys` on the letters keypad; wait for the list."""
    click(qtbot, d.staff.nav_buttons["search"])
    page = d.staff.search
    page.field.clear()
    press(qtbot, page.keypad, keys.upper())
    qtbot.waitUntil(lambda: page.result is not None and page.result.query == page.field.text(),
                    timeout=5000)  # fmt: skip


def open_person(qtbot: QtBot, d: Staffed, keys: str, name: str) -> None:
    """Search, then tap the person's row; wait for their offers."""
    search(qtbot, d, keys)
    page = d.staff.search
    row = next(i for i in range(page.results.count()) if name in page.results.item(i).text())
    item = page.results.item(row)
    qtbot.mouseClick(page.results.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.results.visualItemRect(item).center())  # fmt: skip
    qtbot.waitUntil(lambda: page.person.offers is not None, timeout=5000)
    assert page.currentWidget() is page.person and page.person.name_label.text() == name


def records(rig: DeskRig, kind: RecordKind = RecordKind.CHECKIN) -> list[object]:
    return [e.event for e in rig.store.records.events() if e.event.kind is kind]


def test_zw_finds_zhang_wei_and_a_manual_check_in_records_the_member_and_reason(
    qtbot: QtBot, desk: Staffed
) -> None:
    search(qtbot, desk, "zw")
    page = desk.staff.search
    assert page.results.count() == 1 and page.count_label.text() == "找到 1 人"
    row = page.results.item(0).text()
    assert "张伟" in row and ROSTER[0].document.masked() in row
    assert ROSTER[0].document.number not in row  # never the full number on screen
    open_person(qtbot, desk, "zw", "张伟")
    person = page.person
    # Inner Mongolia, provincial: QR or face only. The phone code is offered first (no face
    # enrolled), and the manual form warns that a manual record is flagged.
    assert person.tab_buttons["phone_code"].isVisible() and person.tab_buttons["face"].isVisible()
    assert person.forms.currentIndex() == 0 and not person.face_button.isEnabled()
    click(qtbot, person.tab_buttons["check_in"])
    assert "标记" in person.in_warning.text()
    click(qtbot, person.in_button)  # no reason yet: refused on screen, nothing sent
    assert person.answer.text() == "✗ 请填写原因" and records(desk.rig) == []
    click(qtbot, person.in_reason.buttons["card"])
    ime(person.in_reason.text, "芯片损坏")
    click(qtbot, person.in_button)
    qtbot.waitUntil(lambda: person.answer.status is Status.ACCEPTED, timeout=5000)
    assert person.answer.text().startswith("✓ 签到成功")
    (event,) = records(desk.rig)
    assert (event.attendee_id, event.staff_id, event.method) == ("A1", "S1", Method.MANUAL)
    assert event.note == "读卡失败 — 芯片损坏" and event.direction is Direction.IN
    assert event.flags == {Flag.METHOD_NOT_ACCEPTED}
    qtbot.waitUntil(lambda: person.state_label.text().startswith("已到 · 签到 08:20"), timeout=5000)
    # Back to the list: the row now says they are in, with the time on the desk clock.
    click(qtbot, person.back_button)
    qtbot.waitUntil(lambda: "已到 · 签到 08:20" in page.results.item(0).text(), timeout=5000)


def test_the_phone_code_fallback_checks_in_by_the_code_typed(qtbot: QtBot, desk: Staffed) -> None:
    open_person(qtbot, desk, "wf", "王芳")
    person = desk.staff.search.person
    assert person.forms.currentIndex() == 0  # the phone code form first
    press(qtbot, person.phone_keypad, "123")
    click(qtbot, person.phone_keypad.enter_button)
    assert person.answer.text() == "✗ 手机验证码为六位数字"
    secret = desk.rig.keys.secret("A2")
    code = phone_code_at(project=desk.rig.project.number, attendee_id="A2", secret=secret,
                         at=desk.rig.clock())  # fmt: skip
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    press(qtbot, person.phone_keypad, wrong)
    click(qtbot, person.phone_keypad.enter_button)
    qtbot.waitUntil(lambda: person.answer.text() == "✗ 验证码不正确或已过期 · 王芳", timeout=5000)
    press(qtbot, person.phone_keypad, code)
    click(qtbot, person.phone_keypad.enter_button)
    qtbot.waitUntil(lambda: person.answer.status is Status.ACCEPTED, timeout=5000)
    (event,) = records(desk.rig)
    assert (event.attendee_id, event.method, event.staff_id) == ("A2", Method.QR, "S1")
    assert not event.flags  # an accepted method: nothing to flag


def test_walk_in_with_a_wrong_check_digit_is_refused_on_screen_then_accepted_when_fixed(
    qtbot: QtBot, desk: Staffed
) -> None:
    click(qtbot, desk.staff.nav_buttons["walk_in"])
    page = desk.staff.walk_in
    assert page.doc_type.currentData() == "resident_id"
    ime(page.name, "欧阳娜娜")
    ime(page.unit, "旗人民医院")
    press(qtbot, page.keypad, WRONG_DIGIT[:10])
    assert page.check_label.text() == "已输入 10/18 位"
    press(qtbot, page.keypad, WRONG_DIGIT[10:])
    assert page.check_label.text().startswith("✗ 校验位错误")
    assert not page.register_button.isEnabled()
    click(qtbot, page.keypad.enter_button)  # the keypad's OK tries to submit: refused, says why
    assert page.answer.text().startswith("✗ 校验位错误")
    desk.rig.desk.settled().result(10)
    number = desk.rig.project.number
    assert records(desk.rig) == [] and desk.rig.store.roster.roster_size(number) == 3
    click(qtbot, next(b for b in page.keypad.buttons if b.text() == "⌫"))
    press(qtbot, page.keypad, "X")
    assert page.check_label.text() == "✓ 号码有效" and page.register_button.isEnabled()
    click(qtbot, page.register_button)
    qtbot.waitUntil(lambda: page.answer.status is Status.ACCEPTED, timeout=5000)
    (event,) = records(desk.rig)
    assert event.staff_id == "S1" and event.attendee_id.startswith("P-")
    assert desk.rig.store.roster.roster_size(number) == 4
    person = desk.rig.store.roster.get_attendee(number, event.attendee_id)
    assert person is not None and person.provisional and person.name == "欧阳娜娜"
    assert person.document.number == RIGHT and person.unit == "旗人民医院"
    assert page.number.text() == "" and page.name.text() == ""  # ready for the next one
    assert RIGHT not in page.answer.text()


def test_undo_voids_the_last_record_and_a_dispute_keeps_the_attendees_words(
    qtbot: QtBot, desk: Staffed
) -> None:
    tap = desk.rig.desk.submit(Credential.id_card(document=ROSTER[2].document)).result(10)
    assert tap.event is not None
    open_person(qtbot, desk, "ln", "李娜")
    person = desk.staff.search.person
    assert person.tab_buttons["check_out"].isChecked()  # they are in: check-out comes first
    click(qtbot, person.tab_buttons["undo"])
    click(qtbot, person.undo_reason.buttons["mistake"])
    click(qtbot, person.undo_button)
    qtbot.waitUntil(lambda: person.answer.status is Status.ACCEPTED, timeout=5000)
    assert person.answer.text().startswith("✓ 已撤销最后一条记录")
    (void,) = records(desk.rig, RecordKind.VOID)
    assert (void.refers_to, void.staff_id, void.note) == (tap.event.uuid, "S1", "误刷")
    assert desk.rig.store.records.attendance(desk.rig.project.number, "A3", desk_name="A") == []
    click(qtbot, person.undo_button)  # nothing left to undo: the desk says so
    qtbot.waitUntil(lambda: person.answer.text() == "✗ 此人没有可撤销的记录 · 李娜", timeout=5000)
    click(qtbot, person.tab_buttons["dispute"])
    click(qtbot, person.dispute_button)
    assert person.answer.text() == "✗ 请记录学员的原话"
    ime(person.dispute_words, "我八点就到了")
    click(qtbot, person.dispute_button)
    qtbot.waitUntil(lambda: person.answer.text().startswith("✓ 申诉已记录"), timeout=5000)
    (dispute,) = records(desk.rig, RecordKind.DISPUTE)
    assert (dispute.attendee_id, dispute.note, dispute.staff_id) == ("A3", "我八点就到了", "S1")


def test_the_session_list_filters_not_arrived_in_out_and_flagged(
    qtbot: QtBot, desk: Staffed
) -> None:
    rig = desk.rig
    rig.desk.submit(Credential.id_card(document=ROSTER[0].document)).result(10)
    rig.desk.submit(Credential.id_card(document=ROSTER[1].document)).result(10)
    rig.clock.advance(hours=2)
    rig.desk.change_mode(DeskMode.OUT).result(10)
    rig.desk.submit(Credential.id_card(document=ROSTER[1].document)).result(10)
    rig.desk.manual("A3", direction=Direction.IN, reason="无卡").result(10)  # flagged
    click(qtbot, desk.staff.nav_buttons["sessions"])
    page = desk.staff.sessions

    def shown(button: str) -> list[str]:
        click(qtbot, page.filter_buttons[button])  # type: ignore[index]
        qtbot.waitUntil(lambda: page.listed is not None and page.listed.filter == button,
                        timeout=5000)  # fmt: skip
        return [page.rows.item(i).text() for i in range(page.rows.count())]

    from kiosk.services.staff_search import ListFilter

    assert shown(ListFilter.NOT_ARRIVED) == []
    assert page.count_label.text() == "名单为空"
    in_rows = shown(ListFilter.IN)  # 张伟 tapped in, 李娜 checked in by staff
    assert len(in_rows) == 2 and "张伟" in in_rows[0] and "李娜" in in_rows[1]
    assert "签到 08:20 · 签退 –" in in_rows[0] and "签到 10:20" in in_rows[1]
    (out_row,) = shown(ListFilter.OUT)
    assert "王芳" in out_row and "签到 08:20 · 签退 10:20" in out_row
    flagged = shown(ListFilter.FLAGGED)
    assert len(flagged) == 1 and "李娜" in flagged[0] and "⚑" in flagged[0]
    assert len(shown(ListFilter.ALL)) == 3 and page.count_label.text() == "找到 3 人"
    assert not page.next_button.isEnabled() and not page.previous_button.isEnabled()


def test_dead_letters_show_the_platforms_reason_and_are_retried_or_dismissed(
    qtbot: QtBot, desk: Staffed
) -> None:
    rig = desk.rig
    taps = [rig.desk.submit(Credential.id_card(document=p.document)).result(10) for p in ROSTER[:2]]
    uuids = [t.event.uuid for t in taps if t.event is not None]
    rig.store.outbox.apply_answers(
        "event", [(uuids[0], "rejected", "outside_project_days"),
                  (uuids[1], "rejected", "retired_device")],
    )  # fmt: skip
    click(qtbot, desk.staff.nav_buttons["sync"])
    page = desk.staff.sync
    qtbot.waitUntil(lambda: page.letters.count() == 2, timeout=5000)
    assert page.letters_title.text() == "平台拒收了 2 条记录："
    assert "今天不是本项目的培训日" in page.letters.item(0).text()
    assert "retired_device" in page.letters.item(1).text()  # a code the desk has no words for
    assert not page.retry_button.isEnabled()  # nothing chosen yet
    page.letters.setCurrentRow(0)
    click(qtbot, page.retry_button)
    qtbot.waitUntil(lambda: page.letters.count() == 1, timeout=5000)
    assert page.answer.text() == "✓ 已重新排队上传"
    assert uuids[0] in {e.event.uuid for e in rig.store.outbox.pending_events()}
    page.letters.setCurrentRow(0)
    click(qtbot, page.dismiss_button)  # a dismissal needs a reason
    assert page.answer.text() == "✗ 请填写原因"
    ime(page.dismiss_reason, "设备已停用")
    click(qtbot, page.dismiss_button)
    qtbot.waitUntil(lambda: page.letters.count() == 0, timeout=5000)
    assert page.letters_title.text() == "没有失败记录"
    audit = {r["uuid"]: r for r in rig.store.outbox.dead_letters()}
    assert audit[uuids[0]]["resolved_action"] == "retried"
    assert (audit[uuids[1]]["resolved_action"], audit[uuids[1]]["resolved_by"],
            audit[uuids[1]]["resolved_note"]) == ("dismissed", "S1", "设备已停用")  # fmt: skip
    (dismiss,) = records(rig, RecordKind.DISMISS)
    assert dismiss.refers_to == uuids[1]


def test_volume_and_mute_reach_the_desks_sounds(qtbot: QtBot, rig: DeskRig) -> None:
    sounds = attach_sounds(rig.desk, SoundSection(volume=70))
    try:
        window = rig.window(hold_ms=300, camera=False, sounds=sounds)
        window.show()
        rig.desk.sign_in(PINS["S2"]).result(10)
        qtbot.waitUntil(lambda: window.pages.currentWidget() is window.staff, timeout=5000)
        staff = window.staff
        click(qtbot, staff.nav_buttons["settings"])
        assert staff.volume.value() == 70 and staff.volume_label.text() == "音量：70"
        staff.volume.setFocus()
        qtbot.keyClick(staff.volume, Qt.Key.Key_PageDown)  # one step down, as a tap on the groove
        assert sounds.volume == 60 and staff.volume_label.text() == "音量：60"
        click(qtbot, staff.mute_button)
        assert sounds.muted and staff.volume_label.text() == "音量：60 · 已静音"
        click(qtbot, staff.mute_button)
        assert not sounds.muted
        assert staff.volume.height() >= theme.TOUCH_PX and staff.mute_button.height() >= 48
    finally:
        sounds.stop()


def test_the_check_out_card_shows_the_hours_and_the_receipt_qr(qtbot: QtBot, rig: DeskRig) -> None:
    window = rig.window(hold_ms=300, camera=False)
    window.show()
    person = ROSTER[0].document
    rig.desk.submit(Credential.id_card(document=person)).result(10)
    rig.clock.advance(hours=3)
    rig.desk.change_mode(DeskMode.OUT).result(10)
    out = rig.desk.submit(Credential.id_card(document=person)).result(10)
    assert out.receipt is not None and out.receipt.text
    card = window.card
    qtbot.waitUntil(lambda: card.receipt_text == out.receipt.text, timeout=5000)  # type: ignore[union-attr]
    assert card.qr_label.isVisible() and not card.qr_label.pixmap().isNull()
    hours = card.hours_label.text()
    titles = {s.id: s.title for s in rig.project.sessions}
    for s in out.receipt.sessions:
        assert f"{titles[s.session_id]}：{s.hours:.2f} 小时" in hours
    assert f"今日计入 {out.receipt.total_hours:.2f} 小时" in hours
    # The QR on screen decodes (with the desk's own camera decoder and symbologies: all of them
    # may also read a phantom 1D barcode inside a QR code) to the signed receipt.
    image = card.qr_label.pixmap().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(bytes(image.constBits()), dtype=np.uint8)
    gray = rows.reshape(image.height(), image.bytesPerLine())[:, : image.width()].copy()
    (found,) = FrameDecoder.open("zxing", formats=QrSection().formats).decode(gray)
    assert found.text == out.receipt.text
    assert parse_receipt(found.text).receipt.record_uuid == out.event.uuid  # type: ignore[union-attr]
    # The next tap replaces it at once.
    rig.desk.submit(Credential.id_card(document=ROSTER[1].document)).result(10)
    qtbot.waitUntil(lambda: not card.qr_label.isVisible(), timeout=5000)


def test_a_quick_page_turn_never_shows_a_stale_page(qtbot: QtBot, rig: DeskRig) -> None:
    """Turn twice while the first turn's read is slow: only the last page's rows are shown."""
    from dataclasses import replace

    from kiosk.services.staff_search import ListFilter, SessionList
    from kiosk.ui.staff_common import person_line
    from kiosk.ui.staff_sessions import PAGE

    rig.store.roster.save_roster(rig.project.number, make_roster(PAGE * 2 + 30))
    window = rig.window(hold_ms=300, camera=False)
    window.show()
    rig.desk.sign_in(PINS["S1"]).result(10)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.staff, timeout=5000)
    click(qtbot, window.staff.nav_buttons["sessions"])
    page = window.staff.sessions
    click(qtbot, page.filter_buttons[ListFilter.ALL])
    qtbot.waitUntil(lambda: page.listed is not None and page.listed.filter is ListFilter.ALL,
                    timeout=5000)  # fmt: skip
    lists = rig.desk._lists
    read = lists.session_list
    slow, stale = threading.Event(), []

    def slow_second_page(which: ListFilter, *, limit: int = 200, offset: int = 0) -> SessionList:
        listed = read(which, limit=limit, offset=offset)
        if offset == PAGE:  # the desk thread is slow with the first turn's page
            stale.append(listed)
            slow.wait(10)
        return listed

    shown: list[str] = []  # every row the list widget ever held, as it was inserted
    page.rows.model().rowsInserted.connect(
        lambda _parent, first, last: shown.extend(
            page.rows.item(i).text() for i in range(first, last + 1)
        )
    )
    lists.session_list = slow_second_page  # type: ignore[method-assign]
    click(qtbot, page.next_button)  # page 2: its read hangs on the desk thread
    click(qtbot, page.next_button)  # page 3 asked before page 2 answered
    slow.set()
    qtbot.waitUntil(lambda: page.listed is not None and page.listed.request == page.asked,
                    timeout=5000)  # fmt: skip
    last = [page.rows.item(i).text() for i in range(page.rows.count())]
    assert len(last) == 30 and page.count_label.text() == "第 101–130 人，共 130 人"
    [late] = stale
    stale_lines = {person_line(row) for row in late.rows}
    assert len(stale_lines) == PAGE and not stale_lines & {text.split("\n")[0] for text in shown}
    # The slow answer arriving after the newer one (published again, its token the old one).
    rig.desk.publish(replace(late, request=page.asked - 1))
    qtbot.wait(100)
    assert [page.rows.item(i).text() for i in range(page.rows.count())] == last
    lists.session_list = read  # type: ignore[method-assign]
