"""Every desk screen and state as a real window: a PNG each, and a report of what was checked.

Run under an X server (tests/ui/test_screens.py starts Xvfb; `make screenshots` does too):

    python -m tests.support.screens --out DIR --lang zh [--only STATE ...]

For each state it drives the real desk window over a real store into that state, then checks:
the window fills the screen; no visible label's or button's text is elided or clipped; every
visible button is at least 48 px each way; every glyph of the laid-out texts exists in a font (no
tofu boxes, fallback fonts included). The report is JSON on stdout: one entry per state.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractEventDispatcher, QEventLoop, QPointF
from PySide6.QtGui import QTextLayout, QTextOption
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from kiosk.config import SoundSection
from kiosk.core.model import DeskMode, Direction
from kiosk.runtime.devices import StatusBoard
from kiosk.runtime.sound import desk_sounds
from kiosk.services.checkin import Credential
from kiosk.services.screen import DeviceReason, EnrollmentOffer, FacePrompt, SyncState
from kiosk.services.staff_search import ListFilter
from kiosk.ui import theme
from kiosk.ui.i18n import Translations
from tests.support.desk import DeskRig, flush_deletes
from tests.support.roster import DAY1, FakeClock, at, make_roster
from tests.support.staff import PINS, give_staff

MIN_TOUCH = theme.TOUCH_PX


@dataclass
class Check:
    """What one state's window showed and what failed."""

    state: str
    png: str
    problems: list[str] = field(default_factory=list)
    texts: int = 0


def visible(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def tofu(text: str, widget: QWidget) -> list[str]:
    """Characters of `text` that no font the widget can use draws (glyph index 0)."""
    layout = QTextLayout(text, widget.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.NoWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    if line.isValid():
        line.setLineWidth(1e6)
        line.setPosition(QPointF(0, 0))
    layout.endLayout()
    missing = []
    for run in layout.glyphRuns():
        if any(index == 0 for index in run.glyphIndexes()):
            missing.append(run.rawFont().familyName())
    return [f"tofu in {text!r} ({', '.join(missing)})"] if missing else []


def label_fits(label: QLabel) -> list[str]:
    """A label's text fits its box: wrapped labels by height, others by width."""
    text = label.text()
    if not text or (label.pixmap() is not None and not label.pixmap().isNull()):
        return []
    box = label.contentsRect()
    if label.wordWrap():
        needed = label.heightForWidth(box.width())
        if needed > box.height() + 1:
            return [f"label clipped ({needed} > {box.height()} px high): {text[:60]!r}"]
        return []
    widest = max(label.fontMetrics().horizontalAdvance(line) for line in text.split("\n"))
    if widest > box.width() + 1:
        return [f"label elided ({widest} > {box.width()} px wide): {text[:60]!r}"]
    return []


def button_fits(button: QAbstractButton) -> list[str]:
    """A button is a touch target (≥ 48 px each way) and shows its whole text."""
    problems = []
    if button.width() < MIN_TOUCH or button.height() < MIN_TOUCH:
        problems.append(f"button {button.text()!r} is {button.width()}×{button.height()} px")
    text = button.text()
    if text and button.fontMetrics().horizontalAdvance(text) > button.width() - 8:
        problems.append(f"button text cut: {text!r} in {button.width()} px")
    return problems


def check_window(window: QWidget) -> tuple[list[str], int]:
    """Every problem visible in the window (and its open dialogs), and how many texts."""
    problems: list[str] = []
    screen = window.screen()
    if screen is not None and window.geometry() != screen.availableGeometry():
        problems.append(f"window {window.geometry()} does not fill {screen.availableGeometry()}")
    texts = 0
    tops = [window] + [
        w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window
    ]
    for top in tops:
        for label in top.findChildren(QLabel):
            if visible(label) and label.text():
                texts += 1
                problems += label_fits(label) + tofu(label.text(), label)
        for button in top.findChildren(QAbstractButton):
            if visible(button):
                texts += 1
                problems += button_fits(button) + tofu(button.text(), button)
    return problems, texts


QUIET_S = 0.1  # X answers a map or an expose within milliseconds; a repeating timer is slower


def settle(seconds: float) -> None:
    """Run the GUI thread's events until none came for QUIET_S (queued signals, layouts,
    repaints and the X server's answers), or for at most `seconds`."""
    dispatcher = QAbstractEventDispatcher.instance()
    assert dispatcher is not None
    start = quiet_since = time.monotonic()
    while (now := time.monotonic()) - start < seconds:
        if dispatcher.processEvents(QEventLoop.ProcessEventsFlag.AllEvents):
            quiet_since = now
        elif now - quiet_since >= QUIET_S:
            return
        else:
            time.sleep(0.005)


def translated_app(lang: str) -> tuple[QApplication, Translations]:
    """The application, speaking `lang` (the caller removes the translations at the end)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    translations = Translations(app)
    if not translations.use(lang):
        raise SystemExit(f"translation {lang} not found: run make dev")
    return app, translations


def report_main(
    argv: list[str] | None, *, doc: str, prefix: str, render: Callable[..., list[Check]]
) -> int:
    """A screens module's command line: render, print the JSON report, 1 if any problem."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--prefix", default=prefix)
    parser.add_argument("--only", nargs="*", default=[])
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    checks = render(args.out, lang=args.lang, only=args.only, prefix=args.prefix)
    report: list[dict[str, Any]] = [c.__dict__ for c in checks]
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 1 if any(c.problems for c in checks) else 0


class Offer:
    """The consent screen's controls for a screenshot: nothing is captured here."""

    def accept(self) -> None:
        """Not used in screenshots."""

    def decline(self) -> None:
        """Not used in screenshots."""

    def confirm(self) -> None:
        """Not used in screenshots."""

    def cancel(self) -> None:
        """Not used in screenshots."""


class Stage:
    """A desk window over a real store; each method puts it in one state."""

    def __init__(self, tmp: Path, translations: Translations) -> None:
        self.rig = DeskRig(tmp, clock=FakeClock(at(DAY1, 9, 12)))
        # The desk's real sound controls, never started: the settings page shows them, silent.
        sounds = desk_sounds(SoundSection(volume=70), desk=self.rig.desk,
                             board=StatusBoard(self.rig.desk))  # fmt: skip
        self.window = self.rig.window(hold_ms=3_600_000, translations=translations, sounds=sounds)
        self.window.fill_screen()
        self.rig.desk.announce()
        for name, ok, reason in (
            ("身份证 SAM", True, DeviceReason("reader_ready", ("/dev/cme-sam",))),
            ("摄像头 camera", True, DeviceReason("camera_running", ("/dev/video0",))),
            ("人脸 face", True, DeviceReason("face_ready", ("120",))),
            ("扫码枪 serial", False, DeviceReason("scanner_absent", ("/dev/cme-scanner",))),
        ):
            self.rig.desk.report_device(name, ok=ok, reason=reason)
        self.rig.desk.publish(SyncState("在线 online · 待上传 3 pending 3", ok=True))
        self.settle()

    def settle(self, seconds: float = 0.3) -> None:
        settle(seconds)

    def present(self, credential: Credential) -> None:
        self.rig.desk.submit(credential).result(10)
        self.settle()

    def idle(self) -> None:
        self.window.card.show_idle()

    def accepted(self) -> None:
        person = make_roster(3)[0]
        self.present(Credential.id_card(document=person.document, name=person.name))

    def already(self) -> None:
        self.accepted()
        self.accepted()

    def refused(self) -> None:
        self.present(Credential.card_uid("04A1B2C3D4"))

    def liveness(self) -> None:
        prompt = FacePrompt(
            "liveness", "请眨眨眼", "Blink your eyes", time.monotonic() + 5, code="blink"
        )
        self.rig.desk.publish(prompt)
        self.settle()

    def consent(self) -> None:
        person = make_roster(3)[1]
        self.rig.desk.submit(Credential.id_card(document=person.document, name=person.name))
        outcome = self.rig.outcomes.wait(len(self.rig.outcomes.items) + 1)
        self.rig.desk.publish(EnrollmentOffer(outcome, Offer(), self.rig.project.name))
        self.settle()

    def staff_sign_in(self) -> None:
        from kiosk.services.pins import PinGuard

        PinGuard(self.rig.store, "staff").set_pin("284619")
        self.window.enter_staff()
        self.settle(0.8)

    def staff(self, section: str) -> Callable[[], None]:
        def show() -> None:
            self.signed_in()
            self.window.staff.open_section(section)
            self.settle()

        return show

    def signed_in(self) -> None:
        """王芳 (S1), a named member, signed in to staff mode."""
        give_staff(self.rig.store, self.rig.project.number)
        self.rig.desk.sign_in(PINS["S1"]).result(10)
        self.settle()

    def search(self, query: str = "内蒙古") -> None:
        self.signed_in()
        self.window.staff.open_section("search")
        self.window.staff.search.field.setText(query)
        self.window.staff.search.search_now()
        self.rig.desk.settled().result(10)
        self.settle(0.5)

    def person(self, tab: str) -> Callable[[], None]:
        def show() -> None:
            self.search("zw")
            page = self.window.staff.search
            page.choose(0)
            self.settle()
            page.person.select(tab)
            if tab == "check_in":
                page.person.in_reason.buttons["card"].click()
                page.person.submit_manual(Direction.IN)
            elif tab == "undo":
                page.person.undo_reason.buttons["mistake"].click()
                page.person.submit_undo()
            self.rig.desk.settled().result(10)
            self.settle(0.5)

        return show

    def walk_in(self) -> None:
        self.signed_in()
        self.window.staff.open_section("walk_in")
        page = self.window.staff.walk_in
        page.name.setText("欧阳娜娜")
        page.unit.setText("锡林郭勒盟中心医院")
        page.department.setText("急诊科")
        page.job_title.setText("主治医师")
        page.number.setText("110105194912310023")  # a wrong check digit: said why, blocked
        page.submit()
        self.settle()

    def sessions(self) -> None:
        for person in make_roster(3)[:2]:
            self.rig.desk.submit(Credential.id_card(document=person.document, name=person.name))
        self.rig.desk.settled().result(10)
        self.staff("sessions")()
        staff = self.window.staff.sessions
        staff.show_filter(ListFilter.ALL)
        self.rig.desk.settled().result(10)
        self.settle(0.5)

    def dead_letter(self) -> None:
        person = make_roster(3)[1]
        tap = self.rig.desk.submit(Credential.id_card(document=person.document)).result(10)
        assert tap.event is not None
        self.rig.store.outbox.apply_answers(
            "event", [(tap.event.uuid, "rejected", "outside_project_days")]
        )
        self.staff("sync")()
        self.window.staff.sync.letters.setCurrentRow(0)
        self.rig.desk.settled().result(10)
        self.settle(0.5)

    def receipt(self) -> None:
        person = make_roster(3)[0]
        self.present(Credential.id_card(document=person.document, name=person.name))
        self.rig.clock.advance(hours=3)
        self.rig.desk.change_mode(DeskMode.OUT).result(10)
        self.present(Credential.id_card(document=person.document, name=person.name))

    def close(self) -> None:
        self.rig.close()
        flush_deletes()


STATES: dict[str, Callable[[Stage], Callable[[], None]]] = {
    "idle": lambda s: s.idle,
    "accepted": lambda s: s.accepted,
    "already": lambda s: s.already,
    "refused": lambda s: s.refused,
    "liveness": lambda s: s.liveness,
    "consent": lambda s: s.consent,
    "staff-sign-in": lambda s: s.staff_sign_in,
    "receipt": lambda s: s.receipt,
    "staff-mode": lambda s: s.staff("mode"),
    "staff-search": lambda s: s.search,
    "staff-manual": lambda s: s.person("check_in"),
    "staff-undo": lambda s: s.person("undo"),
    "staff-walk-in": lambda s: s.walk_in,
    "staff-sessions": lambda s: s.sessions,
    "staff-devices": lambda s: s.staff("devices"),
    "staff-sync": lambda s: s.dead_letter,
    "staff-settings": lambda s: s.staff("settings"),
}


def run(out: Path, *, lang: str, only: list[str], prefix: str) -> list[Check]:
    """Render the states (all, or `only`) into `out`; the checks made on each."""
    app, translations = translated_app(lang)
    checks = []
    for state in only or list(STATES):
        with tempfile.TemporaryDirectory() as tmp:
            stage = Stage(Path(tmp), translations)
            try:
                STATES[state](stage)()
                png = out / f"{prefix}{state}.png"
                stage.settle(0.2)
                # The whole screen: dialogs (the PIN prompt) are windows of their own.
                shot = app.primaryScreen().grabWindow(0)
                shot.save(str(png), "PNG")
                problems, texts = check_window(stage.window)
                checks.append(Check(state, str(png), problems, texts))
            finally:
                stage.close()
    translations.remove()
    return checks


def main(argv: list[str] | None = None) -> int:
    """Render, print the JSON report, exit 1 if any state had a problem."""
    return report_main(argv, doc=__doc__ or "", prefix="desk-", render=run)


if __name__ == "__main__":
    raise SystemExit(main())
