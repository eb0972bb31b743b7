"""The demo window's caption: what each step of the day shows, in the desk's language.

The desk window shows the desk's answers; the caption along its foot says what the window alone
does not (who acts, why a record is flagged, the outage, the organizer's work). Source texts are
English, keyed by the step's key (kiosk.demo's day); Qt's translator gives the desk's language.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.ui.texts import QT_TRANSLATE_NOOP, translate

CONTEXT = "DemoCaption"

# step key → English source. tests/ui/test_demo.py checks every step of the day has one.
CAPTIONS: dict[str, str] = {
    "staff_sign_in": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "Staff: 周敏 signs in by name. Records staff make carry the member's id.",
    ),
    "card": QT_TRANSLATE_NOOP("DemoCaption", "ID card: 张伟 taps his card and is checked in."),
    "card_again": QT_TRANSLATE_NOOP(
        "DemoCaption", "ID card: 张伟 taps again minutes later. A repeat: nothing new is recorded."
    ),
    "ticket": QT_TRANSLATE_NOOP(
        "DemoCaption", "Scanner: 王芳's printed ticket, signed by the platform."
    ),
    "phone_code": QT_TRANSLATE_NOOP(
        "DemoCaption", "Camera: 李娜 holds up the rotating code on her phone."
    ),
    "replay": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "Scanner: a screenshot of 李娜's code, sent to an absent colleague. Each code counts once.",
    ),
    "forged": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "Scanner: a ticket made outside the platform. Refused, and kept for the audit.",
    ),
    "expired": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "ID card: 陈静's card has expired. Admitted with a flag, on purpose: the organizer"
        " reviews it.",
    ),
    "manual": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "Staff: 刘洋's card will not read. Found in the roster and checked in by hand, with the"
        " reason.",
    ),
    "walk_in": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "Staff: 孙丽 is not on the roster. The walk-in form; her record is flagged until the"
        " organizer checks it.",
    ),
    "mistaken_tap": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "ID card: 王芳 taps while asking a question. In auto mode that is a check-out.",
    ),
    "void": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "Staff undo the mistaken tap. Nothing is deleted: a signed void record undoes it.",
    ),
    "outage": QT_TRANSLATE_NOOP(
        "DemoCaption", "Lunch: the platform stops. The desk keeps answering on its own."
    ),
    "offline_out": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "ID card: 张伟 goes out for lunch. Stored and answered at once, uploaded later.",
    ),
    "offline_ticket": QT_TRANSLATE_NOOP(
        "DemoCaption", "Scanner: 刘洋, the morning's speaker, leaves. The pending count grows."
    ),
    "face_card": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "ID card: 杨磊 taps his card; the desk offers face check-in (optional, separate consent).",
    ),
    "face_enroll": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "Camera: 杨磊 accepts, staff confirm him, and his face is enrolled for this project only.",
    ),
    "offline_in": QT_TRANSLATE_NOOP(
        "DemoCaption", "ID card: 张伟 is back from lunch. The platform is still down."
    ),
    "catch_up": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "The platform is back. The desk uploads what it kept, in order, and the platform counts"
        " the desk complete.",
    ),
    "photo_attack": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "Camera: a printed photo of 杨磊. It cannot follow the liveness challenge: refused, and"
        " nobody is named.",
    ),
    "walk_in_out": QT_TRANSLATE_NOOP(
        "DemoCaption", "Staff: 孙丽, the walk-in, leaves; staff check her out."
    ),
    "card_out": QT_TRANSLATE_NOOP(
        "DemoCaption", "ID card: 张伟 checks out and sees his hours and receipt code."
    ),
    "dispute": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "Staff: 张伟 disputes his time. His words and receipt are kept; the records stay.",
    ),
    "phone_code_out": QT_TRANSLATE_NOOP(
        "DemoCaption", "Camera: 陈静 checks out with the code on her phone."
    ),
    "phone_ticket_out": QT_TRANSLATE_NOOP(
        "DemoCaption", "Camera: 王芳 checks out with the ticket on her phone."
    ),
    "face_out": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "Camera: 杨磊 checks out by face alone, turning his head as asked; his hours and receipt.",
    ),
    "organizer_open": QT_TRANSLATE_NOOP(
        "DemoCaption", "The organizer opens the workspace on the same data."
    ),
    "anomaly": QT_TRANSLATE_NOOP(
        "DemoCaption",
        "The organizer resolves one anomaly with an audited correction (who, when, why).",
    ),
    "assessments": QT_TRANSLATE_NOOP("DemoCaption", "The organizer imports the assessments."),
    "credits": QT_TRANSLATE_NOOP(
        "DemoCaption", "The credits, under the province's rules, each figure with its source."
    ),
    "exports": QT_TRANSLATE_NOOP(
        "DemoCaption", "The organizer writes the platform's xlsx and the archive PDF."
    ),
    "submission": QT_TRANSLATE_NOOP(
        "DemoCaption", "The organizer submits; the platform's submission number is the receipt."
    ),
}


def caption_text(key: str, at: str) -> str:
    """The caption of the step `key` at local time `at` ("hh:mm"), in the desk's language."""
    source = CAPTIONS.get(key)
    text = translate(CONTEXT, source) if source else key
    return f"{at}  {text}"


class Caption(QLabel):
    """The caption of the step on screen, along the foot of `window`."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._step: tuple[str, str] | None = None  # the key and time on screen
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setStyleSheet(
            "QLabel { background: rgba(20, 24, 32, 220); color: #f4f4f4; padding: 8px;"
            " font-size: 15px; }"
        )
        self.hide()

    def show_step(self, key: str, at: str) -> None:
        """Show the caption of step `key` at `at` over the bottom of the window."""
        self._step = (key, at)
        self.setText(caption_text(key, at))
        window = self._window
        width = window.width()
        self.setFixedWidth(width)
        self.adjustSize()
        height = min(self.height(), window.height() // 3)
        self.setGeometry(0, window.height() - height, width, height)
        self.raise_()
        self.show()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """A translator was installed or removed: the caption follows."""
        if event.type() == QEvent.Type.LanguageChange and self._step is not None:
            self.setText(caption_text(*self._step))
        super().changeEvent(event)
