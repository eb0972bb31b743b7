"""Submit: a preview of exactly what is sent, a confirmation naming the deadline, the receipt.

When the window is not open or the data is incomplete it says why and sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from kiosk.services.organizer_view import ActionResult, WorkspaceView
from kiosk.ui.organizer.common import TextRows, button, label, text_table, title
from kiosk.ui.organizer.texts import fill, refusal_text, result_text, state_text
from kiosk.ui.texts import translate

COLUMNS = ("attendee_id", "role", "hours", "assessment", "credits", "notes")


class SubmitPage(QWidget):
    """The state, the reasons not to, the preview, and the confirmation."""

    def __init__(self, submit: Callable[[], object]) -> None:
        super().__init__()
        self._submit = submit
        self.heading = title()
        self.state = label(bold=True)
        self.reasons = label()
        self.lines = TextRows(self._headers)
        self.preview = text_table(self.lines)
        self.send = button(bold=True)
        self.send.clicked.connect(self.ask)
        self.confirm_box = QFrame()
        self.confirm_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.question = label(bold=True)
        self.confirm = button(bold=True)
        self.cancel = button()
        self.confirm.clicked.connect(self._confirmed)
        self.cancel.clicked.connect(lambda: self.confirm_box.setVisible(False))
        box = QVBoxLayout(self.confirm_box)
        box.addWidget(self.question)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.confirm)
        box.addLayout(buttons)
        self.confirm_box.setVisible(False)
        self.receipt = label(bold=True)
        row = QHBoxLayout()
        row.addWidget(self.state, 1)
        row.addWidget(self.send)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(row)
        layout.addWidget(self.reasons)
        layout.addWidget(self.confirm_box)
        layout.addWidget(self.receipt)
        layout.addWidget(self.preview, 1)
        self._view: WorkspaceView | None = None
        self.retranslate()

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.heading.setText(translate("Organizer", "Submit"))
        self.send.setText(translate("Organizer", "Submit to the platform…"))
        self.confirm.setText(translate("Organizer", "Yes, submit"))
        self.cancel.setText(translate("Organizer", "Cancel"))
        self.lines.retranslate()

    @staticmethod
    def _headers() -> list[str]:
        return [
            translate("Organizer", "Reference"), translate("Organizer", "Role"),
            translate("Organizer", "Hours"), translate("Organizer", "Assessment"),
            translate("Organizer", "Credits"), translate("Organizer", "Notes"),
        ]  # fmt: skip

    def show_view(self, view: WorkspaceView) -> None:
        """The window's state, what would refuse it, and the lines that would be sent."""
        self._view = view
        w = view.window
        self.state.setText(fill(
            translate("Organizer", "Window: %1 · deadline %2 · %3 lines to send"),
            state_text(w.state), w.deadline_day.isoformat(), len(view.lines)))  # fmt: skip
        refusals = view.refusals()
        self.reasons.setText(
            "\n".join(f"• {refusal_text(r)}" for r in refusals)
            or translate("Organizer", "Ready: nothing stops the submission.")
        )
        self.reasons.setVisible(True)
        self.send.setEnabled(not refusals)
        self.lines.set_rows(view.lines, lambda line: [str(line.get(k, "")) for k in COLUMNS])

    def ask(self) -> None:
        """Show the confirmation naming the deadline (or why not, again)."""
        view = self._view
        if view is None:
            return
        if view.refusals():
            self.confirm_box.setVisible(False)
            return
        text = translate(
            "Organizer",
            "Submit %1 lines for project %2 now? The deadline is the end of %3; a later"
            " submission inside the window replaces this one.",
        )
        deadline = view.window.deadline_day.isoformat()
        self.question.setText(fill(text, len(view.lines), view.table.project.number, deadline))
        self.confirm_box.setVisible(True)

    def _confirmed(self) -> None:
        self.confirm_box.setVisible(False)
        self.send.setEnabled(False)
        self._submit()

    def show_result(self, result: ActionResult) -> None:
        """The receipt number, or why the platform refused."""
        if result.action == "submit":
            self.receipt.setText(result_text(result))
