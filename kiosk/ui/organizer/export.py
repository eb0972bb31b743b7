"""Export: the platform's xlsx, and the PDF archive sheet with IDs masked unless asked for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.services.organizer_view import ActionResult, WorkspaceView
from kiosk.ui import theme
from kiosk.ui.organizer.common import TEXT_PX, button, check, label, title
from kiosk.ui.organizer.texts import result_text
from kiosk.ui.texts import translate


class ExportPage(QWidget):
    """Where to write, what to write, and what was written."""

    def __init__(self, export: Callable[[str, Path, bool], object]) -> None:
        super().__init__()
        self._export = export
        self.heading = title()
        self.folder = QLineEdit()
        self.folder.setFont(theme.font(TEXT_PX))
        self.folder.setMinimumHeight(theme.TOUCH_PX)
        self.note = label()
        self.xlsx = button(bold=True)
        self.pdf = button(bold=True)
        self.full_ids = check()
        self.written = label()
        self.xlsx.clicked.connect(lambda: self.write("xlsx"))
        self.pdf.clicked.connect(lambda: self.write("pdf"))
        row = QHBoxLayout()
        row.addWidget(self.xlsx)
        row.addWidget(self.pdf)
        row.addWidget(self.full_ids, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.folder)
        layout.addWidget(self.note)
        layout.addLayout(row)
        layout.addWidget(self.written)
        layout.addStretch(1)
        self._number = "project"
        self.retranslate()

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.heading.setText(translate("Organizer", "Export"))
        self.folder.setPlaceholderText(translate("Organizer", "Folder to write into"))
        self.note.setText(translate(
            "Organizer", "The xlsx is for the platform: one row per person and session, with"
            " roles, times and a sheet of corrections. The PDF is the archive sheet to sign and"
            " seal: ID numbers are masked unless full numbers are asked for, and the sheet says"
            " which."))  # fmt: skip
        self.xlsx.setText(translate("Organizer", "Write the xlsx"))
        self.pdf.setText(translate("Organizer", "Write the PDF archive sheet"))
        self.full_ids.setText(translate("Organizer", "Full ID numbers on the PDF"))

    def show_view(self, view: WorkspaceView) -> None:
        """The project number names the files."""
        self._number = view.table.project.number

    def write(self, kind: str) -> None:
        """Write one export into the folder."""
        folder = Path(self.folder.text().strip() or Path.home())
        suffix = "-full-ids" if kind == "pdf" and self.full_ids.isChecked() else ""
        self._export(kind, folder / f"{self._number}{suffix}.{kind}",
                     kind == "pdf" and self.full_ids.isChecked())  # fmt: skip

    def show_result(self, result: ActionResult) -> None:
        """What was written."""
        if result.action.startswith("export_"):
            self.written.setText(result_text(result))
