"""Words for the drivers' reason codes where no Qt translator runs: a record's lines, logs, doctor.

Drivers emit codes only (`CardError.code`, `FaceHint.problem`, `Challenge`, `LivenessFailed.reason`,
`FaceStatus`). The desk's screen words them through Qt's translator (kiosk/ui/texts.py); this is the
Chinese/English pair the services put in an `Outcome` (the CLI, the demo and the log read those).
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.face.availability import FaceStatus
from drivers.face.liveness import Challenge

_PLACE_AGAIN = ("请重新放卡", "Card not readable, place it again")
_READER_ERROR = ("读卡器通信错误，请重新放卡", "Reader communication error, place the card again")
_TAP_AGAIN = ("无法读取此卡，请重新刷卡", "Card not readable, tap it again")
_PHOTO_OFF = (
    "证件照片无法解码，已关闭证件照人脸比对",
    "ID photo cannot be decoded: photo comparison is off",
)

# CardError.code → (zh, en); drivers.idcard.status.CARD_ERROR_CODES lists every code.
CARD_ERRORS: dict[str, tuple[str, str]] = {
    "idcard_error": _PLACE_AGAIN,
    "sam_status": _PLACE_AGAIN,
    "card_not_readable": _PLACE_AGAIN,
    "unexpected_status": _PLACE_AGAIN,
    "unknown_card_type": (
        "无法识别的卡片，请放身份证或居住证",
        "Not an ID card: place an ID card or residence permit",
    ),
    "no_card": ("请放置证件", "Place your ID card on the reader"),
    "no_content": ("卡内无此信息", "The card holds no such information"),
    "reader_protocol": _READER_ERROR,
    "invalid_frame": _READER_ERROR,
    "sam_fault": ("读卡器故障，请联系工作人员", "Card reader fault, please call staff"),
    "invalid_card_data": (
        "证件信息无法识别，请联系工作人员",
        "The card's data cannot be read, please see staff",
    ),
    "invalid_number": (
        "证件号码校验失败，请联系工作人员",
        "The card's number is not valid, please see staff",
    ),
    "unusable_uid": (
        "此卡无法在本读卡器上识别，请使用身份证读卡器或联系工作人员",
        "This card cannot be used on this reader: use the ID-card reader or see staff",
    ),
    "id_card_on_uid_reader": (
        "身份证请在身份证读卡器上刷卡",
        "Resident ID cards must be read on the ID-card (SAM) reader",
    ),
    "wlt_unavailable": _PHOTO_OFF,
    "wlt_decode": ("证件照片无法解码", "The ID photo could not be decoded"),
    "uid_not_supported": _TAP_AGAIN,
    "uid_format": _TAP_AGAIN,
}

# FaceHint.problem → (zh, en)
FACE_HINTS: dict[str, tuple[str, str]] = {
    "too_small": ("请靠近一点", "Please come closer"),
    "blurry": ("请保持不动", "Please hold still"),
    "not_frontal": ("请正对摄像头", "Please face the camera"),
}

CHALLENGES: dict[Challenge, tuple[str, str]] = {
    Challenge.BLINK: ("请眨眨眼", "Please blink"),
    Challenge.TURN_LEFT: ("请向左转头", "Please turn your head to your left"),
    Challenge.TURN_RIGHT: ("请向右转头", "Please turn your head to your right"),
}

# Every LivenessFailed.reason gets the same words: the attendee needs staff either way.
LIVENESS_FAILED = ("活体检测未通过，请联系工作人员", "Liveness check failed — please see staff")

_FALLBACK = ("出现错误，请联系工作人员", "Something went wrong, please call staff")


def card_error_text(code: str) -> tuple[str, str]:
    """(zh, en) for a card reader's error code; an unknown code gets the generic line."""
    return CARD_ERRORS.get(code, _FALLBACK)


def face_hint_text(problem: str) -> tuple[str, str]:
    """(zh, en) for a face hint's problem code; an unknown one is shown as its code."""
    return FACE_HINTS.get(problem, (problem, problem))


def challenge_text(challenge: Challenge) -> tuple[str, str]:
    """(zh, en) instruction for a liveness challenge."""
    return CHALLENGES[challenge]


def face_status_line(status: FaceStatus, lang: str = "en") -> str:
    """One line for the status bar and `doctor`: ready, or disabled with the technical why."""
    if lang == "zh":
        return "人脸签到可用" if status.ok else f"人脸签到已停用：{status.detail}"
    return "face check-in ready" if status.ok else f"face check-in disabled: {status.detail}"


@dataclass(frozen=True, slots=True)
class FaceCheckState:
    """The face station's state as its consumers read it: the driver's status with its line."""

    ok: bool
    detail: str

    @classmethod
    def of(cls, status: FaceStatus) -> FaceCheckState:
        """The state for a driver's FaceStatus."""
        return cls(status.ok, status.detail)

    def line(self, lang: str = "en") -> str:
        """One line for the status bar and the console."""
        return face_status_line(FaceStatus(self.ok, self.detail), lang)
