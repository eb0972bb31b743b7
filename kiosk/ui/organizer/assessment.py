"""Assessment: import results (xlsx or CSV, errors by line number) or mark pass or fail by hand."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.ids import mask_number
from kiosk.services.organizer_view import ActionResult, WorkspaceView
from kiosk.ui import theme
from kiosk.ui.organizer.common import TEXT_PX, button, field, label, title
from kiosk.ui.organizer.texts import fill, result_text
from kiosk.ui.texts import translate


class AssessmentPage(QWidget):
    """The file to import, its errors, and who still has no result."""

    def __init__(
        self,
        assess: Callable[[Path, Decimal | None], object],
        mark: Callable[[str, bool], object],
    ) -> None:
        super().__init__()
        self._assess, self._mark = assess, mark
        self.heading = title()
        self.path = field(QLineEdit())
        self.pass_mark = field(QLineEdit())
        self.browse = button()
        self.browse.clicked.connect(self._browse)
        self.import_button = button(bold=True)
        self.import_button.clicked.connect(self.import_file)
        self.errors = QListWidget()
        self.errors.setFont(theme.font(TEXT_PX))
        self.summary = label()
        self.missing_title = label(bold=True)
        self.missing = QListWidget()
        self.missing.setFont(theme.font(TEXT_PX))
        self.passed = button()
        self.failed = button()
        self.passed.clicked.connect(lambda: self._mark_current(True))
        self.failed.clicked.connect(lambda: self._mark_current(False))
        row = QHBoxLayout()
        row.addWidget(self.path, 3)
        row.addWidget(self.browse)
        row.addWidget(self.pass_mark, 1)
        row.addWidget(self.import_button)
        marks = QHBoxLayout()
        marks.addWidget(self.missing_title, 1)
        marks.addWidget(self.passed)
        marks.addWidget(self.failed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.errors, 1)
        layout.addLayout(marks)
        layout.addWidget(self.missing, 2)
        self._ids: list[str] = []
        self.retranslate()

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.heading.setText(translate("Organizer", "Assessment"))
        self.path.setPlaceholderText(translate("Organizer", "Results file (xlsx or CSV)"))
        self.pass_mark.setPlaceholderText(translate("Organizer", "Pass mark"))
        self.browse.setText(translate("Organizer", "Choose…"))
        self.import_button.setText(translate("Organizer", "Import"))
        self.passed.setText(translate("Organizer", "Passed"))
        self.failed.setText(translate("Organizer", "Failed"))

    def show_view(self, view: WorkspaceView) -> None:
        """Who has no result yet."""
        self.missing_title.setText(
            fill(translate("Organizer", "No result yet: %1"), len(view.no_result))
        )
        self.missing.clear()
        self._ids = [p.id_number for p in view.no_result]
        # One call for the list: an item made per person from Python took a second for 5,000.
        self.missing.addItems([f"{p.name or '?'} ({mask_number(p.id_number)})"
                               for p in view.no_result])  # fmt: skip

    def show_result(self, result: ActionResult) -> None:
        """An import's outcome: the errors by line, or the counts."""
        if result.action not in ("assess", "mark"):
            return
        self.summary.setText(result_text(result))
        self.errors.clear()
        for e in result.errors:
            QListWidgetItem(e, self.errors)

    def import_file(self) -> None:
        """Import the file named in the path field."""
        text = self.path.text().strip()
        if not text:
            return
        mark = None
        if self.pass_mark.text().strip():
            try:
                mark = Decimal(self.pass_mark.text().strip())
            except InvalidOperation:
                self.summary.setText(translate("Organizer", "The pass mark is not a number"))
                return
        self._assess(Path(text), mark)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, translate("Organizer", "Results file"), "", "xlsx, CSV (*.xlsx *.csv)"
        )
        if path:
            self.path.setText(path)

    def _mark_current(self, passed: bool) -> None:
        i = self.missing.currentRow()
        if 0 <= i < len(self._ids):
            self._mark(self._ids[i], passed)
