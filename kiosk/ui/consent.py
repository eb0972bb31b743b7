"""The consent screen for on-site face enrollment: ask, staff confirms, capture, result.

PIPL treats a face as sensitive personal information needing separate consent, so the screen
says in plain words what is stored, for how long and how to withdraw, and declining is as easy
as agreeing (same size buttons) and changes nothing about the check-in just made.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.services.screen import EnrollmentOffer, EnrollmentUpdate
from kiosk.ui.texts import QT_TRANSLATE_NOOP, outcome_line, translate
from kiosk.ui.widgets import white_label

CONTEXT = "Consent"
CONSENT = QT_TRANSLATE_NOOP(
    "Consent",
    "Face check-in needs your separate consent. We keep numbers computed from your face "
    "(a template), not a photo; each face check-in also keeps a small face picture with the "
    "record for the organizer's review of disputes. Used only for check-in and check-out at "
    "this project (%1), deleted when the project's retention period ends. To withdraw, tell "
    "staff at any time: the template is deleted at once. Declining changes nothing: your "
    "check-in stands and your card and code keep working.",
)
STAGES = {
    "ask": QT_TRANSLATE_NOOP("Consent", "Enable face check-in?"),
    "staff": QT_TRANSLATE_NOOP("Consent", "Staff: is the person at the camera the cardholder?"),
    "capturing": QT_TRANSLATE_NOOP("Consent", "Look at the camera and hold still"),
}
RESULTS = {
    "stored": QT_TRANSLATE_NOOP("Consent", "Face check-in is on"),
    "declined": QT_TRANSLATE_NOOP("Consent", "Not enabled. Your check-in stands"),
    "timeout": QT_TRANSLATE_NOOP("Consent", "No clear face captured: keep using your card"),
    "enrolled_as_other": QT_TRANSLATE_NOOP(
        "Consent", "This face is enrolled under another name — please see staff"
    ),
    "failed": QT_TRANSLATE_NOOP("Consent", "Face check-in not enabled: keep using your card"),
}
STAGE_COLOURS = {
    "ask": "#37474f",  # slate: a question, nothing decided
    "staff": "#4527a0",  # purple: for staff, not the attendee
    "capturing": "#1565c0",  # blue: the person has something to do
    "stored": "#2e7d32",
    "declined": "#37474f",
    "failed": "#c62828",
}


def _button(colour: str) -> QPushButton:
    button = QPushButton()
    font = QFont()
    font.setPointSize(22)
    font.setBold(True)
    button.setFont(font)
    button.setMinimumHeight(88)
    button.setStyleSheet(
        f"QPushButton {{ background: {colour}; color: white; border: 2px solid white;"
        " border-radius: 12px; padding: 8px 12px; }"
    )
    return button


class ConsentScreen(QFrame):
    """One offer at a time; emits `closed` when the desk may return to its answer card."""

    closed = Signal()

    def __init__(
        self, *, answer_ms: int = 45_000, capture_ms: int = 30_000, result_ms: int = 5000
    ) -> None:
        super().__init__()
        self.offer: EnrollmentOffer | None = None
        self.stage = ""
        self._ms = {"ask": answer_ms, "staff": answer_ms, "capturing": capture_ms}
        self._result_ms = result_ms
        layout = QVBoxLayout(self)
        self.checked_in_label = white_label(
            18, bold=True
        )  # the check-in that stands, whatever happens
        self.checked_in_label.setSizePolicy(
            QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum
        )
        self.title_label = white_label(32, bold=True)
        self.subtitle_label = white_label(20)
        self.text_label = white_label(15)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for w in (self.checked_in_label, self.title_label, self.subtitle_label, self.text_label):
            layout.addWidget(w)
        row = QHBoxLayout()
        self.accept_button = _button("#2e7d32")
        self.decline_button = _button("#546e7a")
        self.confirm_button = _button("#2e7d32")
        self.cancel_button = _button("#546e7a")
        for b in (self.accept_button, self.decline_button, self.confirm_button, self.cancel_button):
            row.addWidget(b)
        holder = QWidget()
        holder.setLayout(row)
        layout.addWidget(holder)
        self.accept_button.clicked.connect(self._accept)
        self.decline_button.clicked.connect(self._decline)
        self.confirm_button.clicked.connect(self._confirm)
        self.cancel_button.clicked.connect(self._cancel)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)
        for b in (self.confirm_button, self.cancel_button):
            b.hide()  # two buttons at a time: the layout's width is never four buttons wide
        self.retranslate()

    def retranslate(self) -> None:
        """Texts in the language now installed (the stage shown is said again)."""
        self.accept_button.setText(translate("Consent", "Agree"))
        self.decline_button.setText(translate("Consent", "Decline"))
        self.confirm_button.setText(translate("Consent", "Yes, capture"))
        self.cancel_button.setText(translate("Consent", "Cancel"))

    # -- driven by the station --------------------------------------------------------------

    def open(self, offer: EnrollmentOffer) -> None:
        """Ask the person who just checked in by card (the outcome stays visible on top)."""
        self.offer = offer
        person = offer.outcome.attendee
        masked = person.document.masked() if person else ""
        name = person.name if person else ""
        self.checked_in_label.setText(f"✓ {name} {outcome_line(offer.outcome)}　{masked}")
        self.checked_in_label.setStyleSheet("color: white; background: #2e7d32; padding: 6px;")
        self.text_label.setText(translate("Consent", CONSENT).replace("%1", offer.project_name))
        self._stage("ask")

    def update_from(self, update: EnrollmentUpdate) -> None:
        """The capture ended (stored / failed / cancelled)."""
        offer = self.offer
        if offer is None or offer.outcome.attendee is None:
            return
        if update.attendee_id != offer.outcome.attendee.id:
            return  # a late answer about an offer already replaced
        if update.state == "stored":
            self._result("stored", "stored")
        elif update.state == "failed":
            self._result("failed", update.reason)
        else:
            self._finish()

    # -- buttons (GUI thread) ---------------------------------------------------------------

    def _accept(self) -> None:
        if self.offer is not None and self.stage == "ask":
            self.offer.controls.accept()
            self._stage("staff")

    def _decline(self) -> None:
        if self.offer is not None and self.stage == "ask":
            self.offer.controls.decline()
            self._result("declined", "declined")

    def _confirm(self) -> None:
        if self.offer is not None and self.stage == "staff":
            self.offer.controls.confirm()
            self._stage("capturing")

    def _cancel(self) -> None:
        if self.offer is not None and self.stage in ("staff", "capturing"):
            self.offer.controls.cancel()
            self._finish()

    def _timed_out(self) -> None:
        """Nobody answered: nothing is stored (an unanswered offer is no consent)."""
        if self.offer is not None and self.stage in self._ms:
            self.offer.controls.cancel()
        self._finish()

    # -- painting ---------------------------------------------------------------------------

    def _stage(self, stage: str, text: str = "") -> None:
        self.stage = stage
        self.setStyleSheet(
            f"ConsentScreen {{ background: {STAGE_COLOURS[stage]}; border-radius: 16px; }}"
        )
        self.title_label.setText(text or translate("Consent", STAGES[stage]))
        self.subtitle_label.setText("")
        self.text_label.setVisible(stage == "ask")
        self.accept_button.setVisible(stage == "ask")
        self.decline_button.setVisible(stage == "ask")
        self.confirm_button.setVisible(stage == "staff")
        self.cancel_button.setVisible(stage in ("staff", "capturing"))
        self._timer.start(self._ms.get(stage, self._result_ms))

    def _result(self, colour: str, key: str) -> None:
        self._stage(colour, translate("Consent", RESULTS.get(key, RESULTS["failed"])))

    def dismiss(self) -> None:
        """Drop the offer without a word (another presentation took the screen)."""
        if self.offer is not None and self.stage in self._ms:
            self.offer.controls.cancel()  # an open question left behind would pause the camera
        self._timer.stop()
        self.offer = None
        self.stage = ""

    def _finish(self) -> None:
        self._timer.stop()
        self.offer = None
        self.stage = ""
        self.closed.emit()
