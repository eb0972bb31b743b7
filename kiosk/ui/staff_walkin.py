"""The walk-in form: a person not on the roster, registered provisionally and checked in.

Document type; the number on the ID keypad (digits and X) or a keyboard, validated live with its
check digit (kiosk.services.staff_records.check_document, pure and quick): a wrong check digit
says why and keeps "register" disabled. Name, unit, department, title. The desk thread checks it
all again before recording (the organizer sees the member who registered them).
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.ids import DocumentType
from kiosk.services.checkin import Outcome
from kiosk.services.desk import DeskService
from kiosk.services.staff_records import WalkInForm, check_document
from kiosk.ui import theme
from kiosk.ui.keypad import ID_KEYS, Keypad
from kiosk.ui.staff_common import AnswerLine, entry, section_title, text_label, touch_button
from kiosk.ui.texts import QT_TRANSLATE_NOOP, reason_text, translate

_D = DocumentType
DOCUMENTS: tuple[tuple[DocumentType, str], ...] = (
    (_D.RESIDENT_ID, QT_TRANSLATE_NOOP("WalkIn", "Resident ID card")),
    (_D.HMT_PERMIT, QT_TRANSLATE_NOOP("WalkIn", "HK/Macau/Taiwan residence permit")),
    (_D.FOREIGNER_2023, QT_TRANSLATE_NOOP("WalkIn", "Foreigner permanent residence (2023)")),
    (_D.FOREIGNER_2017, QT_TRANSLATE_NOOP("WalkIn", "Foreigner permanent residence (2017)")),
    (_D.PASSPORT, QT_TRANSLATE_NOOP("WalkIn", "Passport")),
)
RESIDENT_LENGTH = 18


class WalkInPage(QWidget):
    """The form; `register` is enabled only for a valid number and a name."""

    def __init__(self, desk: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.title = section_title()
        self.doc_type = QComboBox()
        self.doc_type.setFont(theme.font(20))
        self.doc_type.setMinimumHeight(theme.TOUCH_PX + 8)
        self.doc_type.setStyleSheet("QComboBox QAbstractItemView::item { min-height: 56px; }")
        for kind, source in DOCUMENTS:
            self.doc_type.addItem(translate("WalkIn", source), kind.value)
        self.number = entry(px=28)
        self.number.setMaxLength(20)
        self.keypad = Keypad(self.number, keys=ID_KEYS)
        self.keypad.entered.connect(self.submit)
        self.check_label = text_label(bold=True)
        self.name = entry()
        self.unit = entry()
        self.department = entry()
        self.job_title = entry()
        self.register_button = touch_button(px=20)
        self.register_button.clicked.connect(self.submit)
        self.answer = AnswerLine()
        left = QVBoxLayout()
        for w in (self.doc_type, self.number, self.check_label, self.keypad):
            left.addWidget(w)
        left.addStretch(1)
        right = QVBoxLayout()
        for w in (self.name, self.unit, self.department, self.job_title):
            right.addWidget(w)
        right.addStretch(1)
        right.addWidget(self.register_button)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 1)
        column = QVBoxLayout(self)
        column.addWidget(self.title)
        column.addLayout(body, 1)
        column.addWidget(self.answer)
        self.number.textChanged.connect(self.validate)
        self.name.textChanged.connect(self.validate)
        self.doc_type.currentIndexChanged.connect(self.validate)
        self.retranslate()

    def form(self) -> WalkInForm:
        """What is typed, as the desk service takes it."""
        return WalkInForm(
            doc_type=str(self.doc_type.currentData()),
            number=self.number.text().strip().upper(),
            name=self.name.text().strip(),
            unit=self.unit.text().strip(),
            department=self.department.text().strip(),
            title=self.job_title.text().strip(),
        )

    def validate(self) -> bool:
        """Check the number as typed; enable "register" only when the form can be recorded."""
        form = self.form()
        ok = False
        if not form.number:
            self.check_label.setText("")
        elif form.doc_type == DocumentType.RESIDENT_ID and len(form.number) < RESIDENT_LENGTH:
            self.check_label.setStyleSheet(f"color: {theme.SLATE};")
            self.check_label.setText(
                translate("WalkIn", "%1 of 18 characters").replace("%1", str(len(form.number)))
            )
        else:
            check = check_document(form.doc_type, form.number)
            ok = check.ok
            if ok:
                self.check_label.setStyleSheet(f"color: {theme.GREEN};")
                self.check_label.setText("✓ " + translate("WalkIn", "Number valid"))
            else:
                self.check_label.setStyleSheet(f"color: {theme.RED};")
                self.check_label.setText("✗ " + reason_text(check.reason))
        ready = ok and bool(form.name)
        self.register_button.setEnabled(ready)
        return ready

    def submit(self) -> None:
        """Register and check in (refused on screen first if the form cannot be recorded)."""
        if not self.validate():
            form = self.form()
            problem = "name_required" if form.number and not form.name else "invalid_document"
            if self.check_label.text().startswith("✗"):
                problem = check_document(form.doc_type, form.number).reason
            self.answer.show_problem(reason_text(problem))
            return
        self.desk.register_walk_in(self.form())

    def show_outcome(self, outcome: Outcome) -> None:
        """The desk's answer; the form empties once the walk-in is recorded."""
        self.answer.show_outcome(outcome)
        if outcome.event is not None:
            for field in (self.number, self.name, self.unit, self.department, self.job_title):
                field.clear()

    def retranslate(self) -> None:
        """Texts in the language now installed."""
        self.title.setText(translate("WalkIn", "Register a walk-in"))
        for i, (_kind, source) in enumerate(DOCUMENTS):
            self.doc_type.setItemText(i, translate("WalkIn", source))
        self.number.setPlaceholderText(translate("WalkIn", "Document number"))
        self.name.setPlaceholderText(translate("WalkIn", "Name (required)"))
        self.unit.setPlaceholderText(translate("WalkIn", "Unit (hospital)"))
        self.department.setPlaceholderText(translate("WalkIn", "Department"))
        self.job_title.setPlaceholderText(translate("WalkIn", "Title"))
        self.register_button.setText(translate("WalkIn", "Register and check in"))
        self.keypad.retranslate()
        self.validate()
