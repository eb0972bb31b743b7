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
from kiosk.ui.widgets import white_label

CONSENT_ZH = (
    "开通刷脸签到需要您单独同意。\n"
    "保存什么：由您面部计算出的特征数值（模板），不保存照片；之后每次刷脸签到，"
    "会随签到记录保存一张小的面部截图，供主办方核查争议。\n"
    "用途：只用于本项目（{project}）的签到和签退。\n"
    "保存多久：到本项目数据保留期结束时删除。\n"
    "如何撤回：随时告诉工作人员，模板立即删除。\n"
    "不同意不影响本次签到，您可以继续刷身份证或扫码。"
)
CONSENT_EN = (
    "Face check-in needs your separate consent. We keep numbers computed from your face "
    "(a template), not a photo; each face check-in also keeps a small face picture with the "
    "record for the organizer's review of disputes. Used only for check-in and check-out at "
    "this project, deleted when the project's retention period ends. To withdraw, tell staff "
    "at any time: the template is deleted at once. Declining changes nothing: your check-in "
    "stands and your card and code keep working."
)
ASK = ("开通刷脸签到？", "Enable face check-in?")
STAFF = (
    "工作人员确认：摄像头前是持卡人本人？",
    "Staff: is the person at the camera the cardholder?",
)
CAPTURING = ("请看向摄像头，保持不动", "Look at the camera and hold still")
RESULTS = {
    "stored": ("已开通刷脸签到", "Face check-in is on"),
    "declined": ("未开通。您的签到有效", "Not enabled. Your check-in stands"),
    "timeout": ("未能采集到清晰的面部，请继续刷卡", "No clear face captured: keep using your card"),
    "enrolled_as_other": ("此面孔已登记在他人名下，请联系工作人员",
                          "This face is enrolled under another name — please see staff"),
}  # fmt: skip
STAGE_COLOURS = {
    "ask": "#37474f",  # slate: a question, nothing decided
    "staff": "#4527a0",  # purple: for staff, not the attendee
    "capturing": "#1565c0",  # blue: the person has something to do
    "stored": "#2e7d32",
    "declined": "#37474f",
    "failed": "#c62828",
}


def _button(text: str, colour: str) -> QPushButton:
    button = QPushButton(text)
    font = QFont()
    font.setPointSize(22)
    font.setBold(True)
    button.setFont(font)
    button.setMinimumHeight(88)
    button.setStyleSheet(
        f"QPushButton {{ background: {colour}; color: white; border: 2px solid white;"
        " border-radius: 12px; padding: 8px 24px; }"
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
        self.accept_button = _button("同意 Agree", "#2e7d32")
        self.decline_button = _button("不同意 Decline", "#546e7a")
        self.confirm_button = _button("是本人，开始采集 Yes, capture", "#2e7d32")
        self.cancel_button = _button("取消 Cancel", "#546e7a")
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

    # -- driven by the station --------------------------------------------------------------

    def open(self, offer: EnrollmentOffer) -> None:
        """Ask the person who just checked in by card (the outcome stays visible on top)."""
        self.offer = offer
        person = offer.outcome.attendee
        masked = person.document.masked() if person else ""
        self.checked_in_label.setText(
            f"✓ {offer.outcome.message_zh}　{masked}\n{offer.outcome.message_en}"
        )
        self.checked_in_label.setStyleSheet("color: white; background: #2e7d32; padding: 6px;")
        self.text_label.setText(CONSENT_ZH.format(project=offer.project_name) + "\n\n" + CONSENT_EN)
        self._stage("ask", *ASK)

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
            self._stage("staff", *STAFF)

    def _decline(self) -> None:
        if self.offer is not None and self.stage == "ask":
            self.offer.controls.decline()
            self._result("declined", "declined")

    def _confirm(self) -> None:
        if self.offer is not None and self.stage == "staff":
            self.offer.controls.confirm()
            self._stage("capturing", *CAPTURING)

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

    def _stage(self, stage: str, zh: str, en: str) -> None:
        self.stage = stage
        self.setStyleSheet(
            f"ConsentScreen {{ background: {STAGE_COLOURS[stage]}; border-radius: 16px; }}"
        )
        self.title_label.setText(zh)
        self.subtitle_label.setText(en)
        self.text_label.setVisible(stage == "ask")
        self.accept_button.setVisible(stage == "ask")
        self.decline_button.setVisible(stage == "ask")
        self.confirm_button.setVisible(stage == "staff")
        self.cancel_button.setVisible(stage in ("staff", "capturing"))
        self._timer.start(self._ms.get(stage, self._result_ms))

    def _result(self, colour: str, key: str) -> None:
        zh, en = RESULTS.get(key, ("未能开通刷脸签到，请继续刷卡", "Face check-in not enabled"))
        self._stage(colour, zh, en)

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
