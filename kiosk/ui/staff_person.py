"""One person chosen in staff search: the fallbacks first, manual check-in/out, undo, dispute.

Where the project's profile accepts only QR or face (Inner Mongolia's provincial projects), the
page opens on what it accepts: the six-digit code on the attendee's phone, typed here, or a face
check-in at the camera. A manual record made anyway is kept and flagged for the organizer, and the
page says so before it is made. Every action goes to the desk thread; its answer comes back as
an Outcome (kiosk/ui/bridge.py) and is shown on `answer`.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.model import Direction
from kiosk.services.checkin import Outcome
from kiosk.services.desk import DeskService
from kiosk.services.staff_methods import Fallbacks
from kiosk.services.staff_search import PersonRow
from kiosk.ui import theme
from kiosk.ui.keypad import DIGITS, Keypad
from kiosk.ui.staff_common import (
    AnswerLine,
    ReasonPicker,
    entry,
    person_line,
    section_title,
    state_line,
    text_label,
    touch_button,
)
from kiosk.ui.texts import QT_TRANSLATE_NOOP, reason_text, translate

LOOK = QT_TRANSLATE_NOOP("Staff", "Ask them to look at the camera on the check-in screen.")
NO_FACE = QT_TRANSLATE_NOOP("Staff", "No enrolled face for this person: use another way.")
TYPE_CODE = QT_TRANSLATE_NOOP("Staff", "Type the six digits shown on the attendee's phone.")
NO_CODE = QT_TRANSLATE_NOOP("Staff", "This person has no phone code.")
FLAGGED = QT_TRANSLATE_NOOP(
    "Staff", "This project accepts only QR or face: a manual record is flagged."
)
UNDO = QT_TRANSLATE_NOOP(
    "Staff", "Undo this person's last record at this desk (it is kept, voided)."
)

# The actions, in the order of their tabs; the fallbacks come first when offered.
ACTIONS = ("phone_code", "face", "check_in", "check_out", "undo", "dispute")


class PersonPage(QWidget):
    """The actions for one person; `back` returns to the results, `to_camera` to the desk."""

    back = Signal()
    to_camera = Signal()

    def __init__(self, desk: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.person: PersonRow | None = None
        self.offers: Fallbacks | None = None
        self.back_button = touch_button()
        self.back_button.clicked.connect(self.back)
        self.name_label = section_title()
        self.name_label.setWordWrap(True)
        self.who_label = text_label()
        self.state_label = text_label()
        header = QHBoxLayout()
        header.addWidget(self.name_label, 1)
        header.addWidget(self.back_button)
        self.tabs = QButtonGroup(self)
        self.tab_buttons: dict[str, QPushButton] = {}
        tab_row = QGridLayout()
        self.forms = QStackedWidget()
        for i, key in enumerate(ACTIONS):
            button = touch_button(px=18)
            button.setCheckable(True)
            self.tabs.addButton(button, i)
            self.tab_buttons[key] = button
            tab_row.addWidget(button, i // 3, i % 3)
        self.tabs.idClicked.connect(self._tab)
        self.forms.addWidget(self._phone_form())
        self.forms.addWidget(self._face_form())
        self.forms.addWidget(self._manual_form(Direction.IN))
        self.forms.addWidget(self._manual_form(Direction.OUT))
        self.forms.addWidget(self._undo_form())
        self.forms.addWidget(self._dispute_form())
        self.answer = AnswerLine()
        column = QVBoxLayout(self)
        column.addLayout(header)
        column.addWidget(self.who_label)
        column.addWidget(self.state_label)
        column.addLayout(tab_row)
        column.addWidget(self.forms, 1)
        column.addWidget(self.answer)
        self.retranslate()

    # -- forms -----------------------------------------------------------------------------------

    def _phone_form(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.phone_hint = text_label()
        self.phone_code = entry(px=30)
        self.phone_code.setMaxLength(6)
        self.phone_keypad = Keypad(self.phone_code, keys=DIGITS, columns=6)
        self.phone_keypad.entered.connect(self.submit_phone_code)
        self.phone_code.returnPressed.connect(self.submit_phone_code)
        column.addWidget(self.phone_hint)
        column.addWidget(self.phone_code)
        column.addWidget(self.phone_keypad)
        column.addStretch(1)
        return page

    def _face_form(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.face_hint = text_label()
        self.face_button = touch_button()
        self.face_button.clicked.connect(self.to_camera)
        column.addWidget(self.face_hint)
        column.addWidget(self.face_button)
        column.addStretch(1)
        return page

    def _manual_form(self, direction: Direction) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        warning = text_label(bold=True)
        warning.setStyleSheet(f"color: {theme.AMBER};")
        picker = ReasonPicker()
        confirm = touch_button(px=24)
        confirm.clicked.connect(lambda: self.submit_manual(direction))
        picker.text.returnPressed.connect(lambda: self.submit_manual(direction))
        column.addWidget(warning)
        column.addWidget(picker)
        column.addStretch(1)
        column.addWidget(confirm)
        if direction is Direction.IN:
            self.in_warning, self.in_reason, self.in_button = warning, picker, confirm
        else:
            self.out_warning, self.out_reason, self.out_button = warning, picker, confirm
        return page

    def _undo_form(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.undo_hint = text_label()
        self.undo_reason = ReasonPicker()
        self.undo_button = touch_button(px=24)
        self.undo_button.setStyleSheet(f"color: {theme.RED};")
        self.undo_button.clicked.connect(self.submit_undo)
        column.addWidget(self.undo_hint)
        column.addWidget(self.undo_reason)
        column.addStretch(1)
        column.addWidget(self.undo_button)
        return page

    def _dispute_form(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.dispute_hint = text_label()
        self.dispute_words = entry(px=20)
        self.dispute_receipt = entry(px=16)
        self.dispute_button = touch_button(px=24)
        self.dispute_button.clicked.connect(self.submit_dispute)
        for w in (self.dispute_hint, self.dispute_words, self.dispute_receipt):
            column.addWidget(w)
        column.addStretch(1)
        column.addWidget(self.dispute_button)
        return page

    # -- state -----------------------------------------------------------------------------------

    def open(self, person: PersonRow) -> None:
        """Show `person`; their fallbacks are asked of the desk thread (manual until they come)."""
        self.person = person
        self.offers = None
        self.name_label.setText(person.name)
        self.who_label.setText(person_line(person))
        self.state_label.setText(state_line(person))
        for picker in (self.in_reason, self.out_reason, self.undo_reason):
            picker.reset()
        self.phone_code.clear()
        self.dispute_words.clear()
        self.dispute_receipt.clear()
        self.answer.clear_answer()
        for key in ("phone_code", "face"):
            self.tab_buttons[key].setVisible(False)
        self._hints()
        self.select("check_out" if person.state == "in" else "check_in")
        self.desk.manual_fallbacks(person.attendee_id)

    def update_row(self, person: PersonRow) -> None:
        """The same person read again (after a record): their state and times."""
        self.person = person
        self.state_label.setText(state_line(person))

    def show_fallbacks(self, offers: Fallbacks) -> None:
        """The accepted methods: offer the fallbacks first, warn that manual is flagged."""
        if self.person is None or offers.attendee_id != self.person.attendee_id:
            return
        self.offers = offers
        kinds = {o.kind: o for o in offers.offers}
        for key in ("phone_code", "face"):
            self.tab_buttons[key].setVisible(key in kinds)
        self._hints()
        first = next((o.kind for o in offers.offers if o.ready), "manual")
        if first != "manual" and self.person.state != "in":
            self.select(first)

    def _hints(self) -> None:
        """The fallbacks' and the manual forms' lines for the offers in hand."""
        kinds = {o.kind: o for o in self.offers.offers} if self.offers else {}
        face = kinds.get("face")
        self.face_button.setEnabled(face is not None and face.ready)
        self.face_hint.setText(translate("Staff", LOOK if face is None or face.ready else NO_FACE))
        phone = kinds.get("phone_code")
        self.phone_code.setEnabled(phone is not None and phone.ready)
        hint = TYPE_CODE if phone is None or phone.ready else NO_CODE
        self.phone_hint.setText(translate("Staff", hint))
        flagged = self.offers is not None and self.offers.manual_flagged
        self.in_warning.setText(translate("Staff", FLAGGED) if flagged else "")
        self.out_warning.setText(translate("Staff", FLAGGED) if flagged else "")

    def select(self, key: str) -> None:
        """Show one action's form."""
        index = ACTIONS.index(key)
        self.tab_buttons[key].setChecked(True)
        self.forms.setCurrentIndex(index)

    def _tab(self, index: int) -> None:
        self.forms.setCurrentIndex(index)

    def show_outcome(self, outcome: Outcome) -> None:
        """A staff action's answer from the desk thread."""
        self.answer.show_outcome(outcome)

    # -- actions (each returns at once: the desk thread answers) ---------------------------------

    def submit_manual(self, direction: Direction) -> None:
        """A manual check-in or check-out with the reason given."""
        if self.person is None:
            return
        picker = self.in_reason if direction is Direction.IN else self.out_reason
        reason = picker.reason()
        if not reason:
            self.answer.show_problem(reason_text("reason_required"))
            return
        self.desk.manual(self.person.attendee_id, direction=direction, reason=reason)

    def submit_phone_code(self) -> None:
        """The code from the attendee's phone, checked on the desk thread."""
        if self.person is None or not self.phone_code.isEnabled():
            return
        code = self.phone_code.text().strip()
        self.phone_code.clear()
        if len(code) != 6:
            self.answer.show_problem(translate("Staff", "The phone code has six digits"))
            return
        self.desk.phone_code(self.person.attendee_id, code)

    def submit_undo(self) -> None:
        """Undo the person's last record (a signed void record) with the reason given."""
        if self.person is None:
            return
        reason = self.undo_reason.reason()
        if not reason:
            self.answer.show_problem(reason_text("reason_required"))
            return
        self.desk.void_last(self.person.attendee_id, reason=reason)

    def submit_dispute(self) -> None:
        """The attendee's own words (and the receipt text, if they have it) for the organizer."""
        if self.person is None:
            return
        words = self.dispute_words.text().strip()
        if not words:
            self.answer.show_problem(reason_text("words_required"))
            return
        receipt = self.dispute_receipt.text().strip() or None
        self.desk.dispute(self.person.attendee_id, words=words, receipt=receipt)

    def retranslate(self) -> None:
        """Texts in the language now installed."""
        names = {
            "phone_code": translate("Staff", "Phone code"),
            "face": translate("Staff", "Face"),
            "check_in": translate("Staff", "Check in"),
            "check_out": translate("Staff", "Check out"),
            "undo": translate("Staff", "Undo"),
            "dispute": translate("Staff", "Dispute"),
        }
        for key, button in self.tab_buttons.items():
            button.setText(names[key])
        self.back_button.setText(translate("Staff", "Back to results"))
        self.face_button.setText(translate("Staff", "Open the camera screen"))
        self.in_button.setText(translate("Staff", "Record check-in"))
        self.out_button.setText(translate("Staff", "Record check-out"))
        self.undo_hint.setText(translate("Staff", UNDO))
        self.undo_button.setText(translate("Staff", "Undo the last record"))
        self.dispute_hint.setText(translate("Staff", "The attendee's own words:"))
        self.dispute_words.setPlaceholderText(translate("Staff", "e.g. I arrived at 8:50"))
        self.dispute_receipt.setPlaceholderText(
            translate("Staff", "Receipt text (optional: scan their receipt)")
        )
        self.dispute_button.setText(translate("Staff", "Record the dispute"))
        for picker in (self.in_reason, self.out_reason, self.undo_reason):
            picker.retranslate()
        self.phone_keypad.retranslate()
        self._hints()
