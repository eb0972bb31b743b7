"""Anomalies: each resolved in place by an audited correction with who and why.

Resolved ones stay in the list, marked "corrected by the organizer (manual)", and no longer block
the submission. The correction itself is made, checked, logged and sent by the workspace service.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.credits.corrections import Correction, CorrectionKind
from kiosk.core.credits.records import CreditFlag
from kiosk.core.ids import mask_number, normalise
from kiosk.core.timeutil import SHANGHAI, utc_now
from kiosk.reports.anomalies import AnomalyItem
from kiosk.services.organizer import new_correction
from kiosk.services.organizer_view import WorkspaceView
from kiosk.ui import theme
from kiosk.ui.organizer.common import TEXT_PX, button, clock, field, label, labelled_form, title
from kiosk.ui.organizer.texts import (
    about_line,
    anomaly_text,
    direction_text,
    fill,
    fix_text,
    flag_text,
    method_text,
    not_held_text,
)
from kiosk.ui.texts import translate


class AnomaliesPage(QWidget):
    """The list on the left half, the selected item's resolution below it."""

    def __init__(self, correct: Callable[[Correction], object]) -> None:
        super().__init__()
        self._correct = correct
        self.heading = title()
        self.items = QListWidget()
        self.items.setFont(theme.font(TEXT_PX))
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.items.currentRowChanged.connect(self._chosen)
        self.what = label(bold=True)
        self.fix_choice = field(QComboBox())  # a dispute: which change the evidence supports
        self.fix_choice.currentIndexChanged.connect(lambda _i: self._show_fields(self.current()))
        self.when = field(QDateTimeEdit())
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.setTimeZone(QTimeZone(b"Asia/Shanghai"))
        self.record = field(QComboBox())
        self.into = field(QLineEdit())
        self.by = field(QLineEdit())
        self.reason = field(QLineEdit())
        self.resolve = button(bold=True)
        self.resolve.clicked.connect(self._resolve)
        self.form, captions = labelled_form(
            self.fix_choice, self.when, self.record, self.into, self.by, self.reason
        )
        (self.fix_label, self.when_label, self.record_label, self.into_label, self.by_label,
         self.reason_label) = captions  # fmt: skip
        panel = QVBoxLayout()
        panel.addWidget(self.what)
        panel.addLayout(self.form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.resolve)
        panel.addLayout(row)
        panel.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.items, 3)
        body.addLayout(panel, 2)
        # Records the platform refused or does not hold (issue #14): no correction brings them
        # back, but the organizer must know they existed.
        self.not_held_title = label(bold=True)
        self.not_held = QListWidget()
        self.not_held.setFont(theme.font(TEXT_PX))
        self.not_held.setMaximumHeight(theme.TOUCH_PX * 4)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(body, 1)
        layout.addWidget(self.not_held_title)
        layout.addWidget(self.not_held)
        self._view: WorkspaceView | None = None
        self._shown: list[AnomalyItem] = []
        self.retranslate()
        self._chosen(-1)

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.heading.setText(translate("Organizer", "Anomalies"))
        self.fix_label.setText(translate("Organizer", "Resolution"))
        self.when_label.setText(translate("Organizer", "Time (desk clock)"))
        self.record_label.setText(translate("Organizer", "Record"))
        self.into_label.setText(translate("Organizer", "Roster entry's ID number"))
        self.by_label.setText(translate("Organizer", "Corrected by"))
        self.reason_label.setText(translate("Organizer", "Reason"))
        self.resolve.setText(translate("Organizer", "Resolve"))
        if self._view is not None:
            self.show_view(self._view)

    def show_view(self, view: WorkspaceView) -> None:
        """The anomalies of the new view; the selection follows the same item if it is open."""
        chosen = self.current()
        self._view = view
        self._shown = list(view.anomalies)
        self.items.blockSignals(True)
        self.items.clear()
        for a in self._shown:
            who = f"{a.name or '?'} ({mask_number(a.id_number)})" if a.id_number else ""
            if a.resolved:
                text = (f"✓ {anomaly_text(a.kind)} · {who} · {flag_text(CreditFlag.CORRECTED)}"
                        f" · {a.by}: {a.reason}")  # fmt: skip
            else:
                mark = "!" if a.blocking else "·"
                what = f"«{a.note}»" if a.staff_record else fix_text(a.fix)
                text = f"{mark} {anomaly_text(a.kind)} · {who} · {what}"
            QListWidgetItem(text, self.items)
        self.items.blockSignals(False)
        self._show_not_held(view)
        again = next((i for i, a in enumerate(self._shown) if a == chosen), -1)
        self.items.setCurrentRow(again)
        self._chosen(again)

    def _show_not_held(self, view: WorkspaceView) -> None:
        self.not_held.clear()
        self.not_held.addItems([not_held_text(r) for r in view.not_held])
        self.not_held.setVisible(bool(view.not_held))
        self.not_held_title.setText(
            fill(translate("Organizer", "Records the platform refused or does not hold: %1"),
                 len(view.not_held))
            if view.not_held
            else translate("Organizer", "The platform holds every record the desks reported.")
        )  # fmt: skip

    def current(self) -> AnomalyItem | None:
        """The selected item."""
        i = self.items.currentRow()
        return self._shown[i] if 0 <= i < len(self._shown) else None

    def choose(self, kind: str, id_number: str) -> bool:
        """Select the open item of `kind` for a person (tests and links from other screens)."""
        for i, a in enumerate(self._shown):
            if a.kind.value == kind and a.id_number == id_number and not a.resolved:
                self.items.setCurrentRow(i)
                return True
        return False

    def _chosen(self, row: int) -> None:
        item = self._shown[row] if 0 <= row < len(self._shown) else None
        self.fix_choice.blockSignals(True)
        self.fix_choice.clear()
        for fix in item.fixes if item is not None and not item.resolved else ():
            self.fix_choice.addItem(fix_text(fix), fix.value)
        self.fix_choice.blockSignals(False)
        self._show_fields(item)
        if item is None:
            self.what.setText(translate("Organizer", "Choose an anomaly to resolve it."))
            return
        if item.resolved:
            self.what.setText(fill(translate("Organizer", "Resolved by %1 at %2: %3"),
                                   item.by, clock(item.at), item.reason))  # fmt: skip
            return
        if item.staff_record:
            # The desk's words: the staff member's reason or the attendee's, and the receipt.
            about = f"[{about_line(item.about)}]" if item.about else ""
            text = translate("Organizer", "%1 (desk %2): «%3» %4")
            self.what.setText(fill(text, anomaly_text(item.kind), item.desk, item.note, about))
        else:
            self.what.setText(f"{anomaly_text(item.kind)}: {fix_text(item.fix)}")
        moment = item.suggested or (self._view.now if self._view else utc_now())
        self.when.setDateTime(QDateTime.fromSecsSinceEpoch(int(moment.timestamp())))
        if self._view is not None:
            self.record.clear()
            for r in self._view.records.get(item.id_number, ()):
                self.record.addItem(
                    f"{clock(r.at)} {direction_text(r.direction)} {method_text(r.method)}",
                    r.record_id,
                )

    def _fix(self, item: AnomalyItem | None) -> CorrectionKind | None:
        """The correction the form makes for `item` (None: nothing to resolve)."""
        if item is None or item.resolved:
            return None
        chosen = self.fix_choice.currentData()
        return CorrectionKind(chosen) if chosen else item.fix

    def _show_fields(self, item: AnomalyItem | None) -> None:
        """Only the inputs the chosen correction needs."""
        fix = self._fix(item)
        adding = fix in (CorrectionKind.ADD_CHECKOUT, CorrectionKind.ADD_CHECKIN)
        choosing = item is not None and not item.resolved and len(item.fixes) > 1
        shown: tuple[tuple[QWidget, bool], ...] = (
            (self.fix_choice, choosing), (self.fix_label, choosing),
            (self.when, adding), (self.when_label, adding),
            (self.record, fix is CorrectionKind.VOID_RECORD),
            (self.record_label, fix is CorrectionKind.VOID_RECORD),
            (self.into, fix is CorrectionKind.MERGE_PROVISIONAL),
            (self.into_label, fix is CorrectionKind.MERGE_PROVISIONAL),
        )  # fmt: skip
        for widget, wanted in shown:
            widget.setVisible(wanted)
        others: tuple[QWidget, ...] = (
            self.by, self.reason, self.by_label, self.reason_label, self.resolve,
        )  # fmt: skip
        for widget in others:
            widget.setVisible(fix is not None)

    def choose_fix(self, fix: CorrectionKind) -> bool:
        """Pick the resolution of the selected item (a dispute offers several)."""
        i = self.fix_choice.findData(fix.value)
        if i >= 0:
            self.fix_choice.setCurrentIndex(i)
        return i >= 0

    def set_time(self, moment: datetime) -> None:
        """Put `moment` in the time field."""
        self.when.setDateTime(QDateTime.fromSecsSinceEpoch(int(moment.timestamp())))

    def _resolve(self) -> None:
        item = self.current()
        fix = self._fix(item)
        if item is None or fix is None:
            return
        if not self.by.text().strip() or not self.reason.text().strip():
            self.what.setText(translate("Organizer", "Say who corrects it and why (audited)."))
            return
        moment = None
        if fix in (CorrectionKind.ADD_CHECKOUT, CorrectionKind.ADD_CHECKIN):
            seconds = self.when.dateTime().toSecsSinceEpoch()
            moment = datetime.fromtimestamp(seconds, SHANGHAI)
        now = self._view.now if self._view is not None else utc_now()
        self._correct(
            new_correction(
                fix.value, by=self.by.text(), reason=self.reason.text(), at=now,
                id_number=item.id_number, moment=moment,
                record_id=str(self.record.currentData() or "")
                if fix is CorrectionKind.VOID_RECORD else "",
                into=normalise(self.into.text()), resolves=item.staff_record,
            )
        )  # fmt: skip
