"""The organizer's workspace window: the project and its data's age on top, screens on the left.

Screens: Overview, Attendance, Anomalies, Assessment, Credits, Export, Submit, Staff. Every
action goes to the Qt-free workspace service (its worker thread does the SQLite, file and network
work); answers come back through the bridge as queued signals.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.credits.corrections import Correction
from kiosk.services.organizer import OrganizerService
from kiosk.services.organizer_view import ActionResult, WorkspaceView
from kiosk.ui import theme
from kiosk.ui.i18n import Translations
from kiosk.ui.lifetime import watch
from kiosk.ui.organizer.anomalies import AnomaliesPage
from kiosk.ui.organizer.assessment import AssessmentPage
from kiosk.ui.organizer.attendance import AttendancePage
from kiosk.ui.organizer.bridge import OrganizerBridge
from kiosk.ui.organizer.common import button, clock, label
from kiosk.ui.organizer.credits import CreditsPage
from kiosk.ui.organizer.export import ExportPage
from kiosk.ui.organizer.overview import OverviewPage
from kiosk.ui.organizer.staff import StaffPage
from kiosk.ui.organizer.submit import SubmitPage
from kiosk.ui.organizer.texts import SCREENS, fill, result_text
from kiosk.ui.texts import translate


class OrganizerWindow(QMainWindow):
    """One project's workspace over its service."""

    def __init__(
        self, service: OrganizerService, *, translations: Translations | None = None
    ) -> None:
        super().__init__()
        watch(self, "OrganizerWindow")
        self.service = service
        self.translations = translations
        self.bridge = OrganizerBridge(service, parent=self)
        self.view: WorkspaceView | None = None
        self.last_result: ActionResult | None = None
        self.project = label(px=20, bold=True)
        self.as_of = label()
        self.message = label()
        # New data: the review takes seconds for a large project, computed off the GUI thread.
        self.computing = label(px=20, bold=True)
        self.computing_panel = self._busy_panel(self.computing)
        self.refresh_button = button()
        self.refresh_button.clicked.connect(self.refresh)
        self.overview = OverviewPage()
        self.attendance = AttendancePage()
        self.anomalies = AnomaliesPage(self.correct)
        self.assessment = AssessmentPage(self.assess, self.mark)
        self.credits = CreditsPage()
        self.export = ExportPage(self.write)
        self.submit = SubmitPage(self.send)
        self.staff = StaffPage()
        self.pages = QStackedWidget()
        self.nav = QButtonGroup(self)
        column = self._navigation()
        head = QHBoxLayout()
        texts = QVBoxLayout()
        texts.addWidget(self.project)
        texts.addWidget(self.as_of)
        head.addLayout(texts, 1)
        head.addWidget(self.refresh_button)
        body = QHBoxLayout()
        body.addLayout(column)
        body.addWidget(self.pages, 1)
        root = QVBoxLayout()
        root.addLayout(head)
        root.addWidget(self.message)
        root.addWidget(self.computing_panel)
        root.addLayout(body, 1)
        central = QWidget()
        central.setLayout(root)
        self.setCentralWidget(central)
        self.bridge.view.connect(self.show_view)
        self.bridge.result.connect(self.show_result)
        self.bridge.computing.connect(self.show_computing)
        self.show_computing(False)
        self.retranslate()

    @staticmethod
    def _busy_panel(text: QLabel) -> QWidget:
        """`text` over a busy bar (no fraction: the engine does not report one)."""
        bar = QProgressBar()
        bar.setRange(0, 0)
        bar.setTextVisible(False)
        bar.setMinimumHeight(theme.TOUCH_PX // 2)
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.addWidget(text)
        column.addWidget(bar)
        return panel

    def _navigation(self) -> QVBoxLayout:
        """One checkable button per screen, in a column."""
        column = QVBoxLayout()
        pages = (self.overview, self.attendance, self.anomalies, self.assessment, self.credits,
                 self.export, self.submit, self.staff)  # fmt: skip
        for i, page in enumerate(pages):
            # A screen taller than the display scrolls; it never pushes the window off it.
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(page)
            self.pages.addWidget(scroll)
            b = QPushButton()
            b.setCheckable(True)
            b.setFont(theme.font(18, bold=True))
            b.setMinimumSize(160, theme.TOUCH_PX + 8)
            self.nav.addButton(b, i)
            column.addWidget(b)
        column.addStretch(1)
        self.nav.idClicked.connect(self.pages.setCurrentIndex)
        self.nav.button(0).setChecked(True)
        return column

    # -- actions (GUI thread: each only queues work on the service) ------------------------------

    def refresh(self) -> None:
        """Pull what changed from the platform."""
        self.message.setText(translate("Organizer", "Connecting to the platform…"))
        self.service.refresh()

    def correct(self, correction: Correction) -> None:
        """Resolve an anomaly."""
        self.service.correct(correction)

    def assess(self, path: Path, pass_mark: Decimal | None) -> None:
        """Import a results file."""
        self.service.assess(path, pass_mark=pass_mark)

    def mark(self, id_number: str, passed: bool) -> None:
        """Set one result by hand."""
        self.service.mark(id_number, passed=passed)

    def write(self, kind: str, path: Path, full_ids: bool) -> None:
        """Write an export."""
        self.service.export(kind, path, full_ids=full_ids)

    def send(self) -> None:
        """Submit (after the page's confirmation)."""
        self.message.setText(translate("Organizer", "Submitting…"))
        self.service.submit()

    def show_page(self, index: int) -> None:
        """Switch to a screen (as its button does)."""
        self.nav.button(index).setChecked(True)
        self.pages.setCurrentIndex(index)

    # -- answers from the service ----------------------------------------------------------------

    def show_view(self, view: WorkspaceView) -> None:
        """New data: every screen shows it."""
        self.view = view
        p = view.table.project
        self.project.setText(f"{p.number} {p.name}")
        if view.online:
            state = translate("Organizer", "online")
        else:
            state = translate("Organizer", "offline: the last pulled data")
        self.as_of.setText(fill(translate("Organizer", "Data as of %1 (platform time) · %2"),
                                clock(view.as_of), state))  # fmt: skip
        for page in (self.overview, self.attendance, self.anomalies, self.assessment,
                     self.credits, self.export, self.submit, self.staff):  # fmt: skip
            page.show_view(view)

    def show_computing(self, active: bool) -> None:
        """While the review is computed: say so, and keep the screens from taking input."""
        self.computing_panel.setVisible(active)
        self.pages.setEnabled(not active)
        self.refresh_button.setEnabled(not active)

    def show_result(self, result: ActionResult) -> None:
        """One line about what an action did; the screens concerned show the rest."""
        self.last_result = result
        self.message.setText(result_text(result))
        colour = theme.GREEN if result.ok and result.code != "offline" else theme.AMBER
        if not result.ok:
            colour = theme.RED
        self.message.setStyleSheet(f"color: {colour};")
        self.assessment.show_result(result)
        self.export.show_result(result)
        self.submit.show_result(result)

    # -- window ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Every text in the current language."""
        self.setWindowTitle(translate("Organizer", "CME organizer's workspace"))
        self.refresh_button.setText(translate("Organizer", "Refresh"))
        self.computing.setText(
            translate("Organizer", "Computing the review of the new data… (a few seconds)")
        )
        for i, text in enumerate(SCREENS):
            self.nav.button(i).setText(translate("Organizer", text))
        for page in (self.attendance, self.anomalies, self.assessment, self.credits,
                     self.export, self.submit, self.staff):  # fmt: skip
            page.retranslate()
        if self.view is not None:
            self.show_view(self.view)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """A new translator: every text again."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def fill_screen(self) -> None:
        """Show over the whole available screen."""
        screen = self.screen()
        if screen is not None:
            self.setGeometry(screen.availableGeometry())
        self.show()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """Stop listening before the window goes (the service is closed by its owner)."""
        self.bridge.close()
        super().closeEvent(event)
