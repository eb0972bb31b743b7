"""What the desk concludes from one scanned payload: a kind, a machine-readable reason, messages."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class VerdictKind(StrEnum):
    """The format a payload was recognised as, or `rejected`."""

    TICKET = "ticket"
    ROTATING = "rotating"
    ROSTER_CODE = "roster_code"
    REJECTED = "rejected"


class Reason(StrEnum):
    """Why a payload was accepted, left unverified, or rejected (stable: logged and uploaded)."""

    OK = "ok"
    # Inspection without a roster (`qr decode` on a laptop): the format is known, not verified.
    UNVERIFIED_NO_KEY = "unverified_no_key"
    UNVERIFIED_NO_SECRET = "unverified_no_secret"  # noqa: S105 - a reason name, not a secret
    UNVERIFIED_NO_ROSTER = "unverified_no_roster"
    # Rejections.
    EMPTY = "empty"
    OVERSIZED = "oversized"
    BINARY = "binary"
    CONTROL_CHARACTERS = "control_characters"
    UNKNOWN_PREFIX = "unknown_prefix"
    UNSUPPORTED_VERSION = "unsupported_version"
    MALFORMED = "malformed"
    OTHER_PROJECT = "other_project"
    NO_KEYS = "no_keys"
    UNKNOWN_KEY_ID = "unknown_key_id"
    BAD_SIGNATURE = "bad_signature"
    BAD_MAC = "bad_mac"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REPLAY = "replay"
    UNKNOWN_ATTENDEE = "unknown_attendee"
    ROSTER_CODES_DISABLED = "roster_codes_disabled"


_MESSAGES: dict[Reason, tuple[str, str]] = {
    Reason.OK: ("二维码有效", "Valid code"),
    Reason.UNVERIFIED_NO_KEY: (
        "签名未验证：没有验证密钥",
        "Signature unverifiable: no key",
    ),
    Reason.UNVERIFIED_NO_SECRET: (
        "动态码未验证：没有该学员的密钥",
        "Rotating code unverifiable: no secret",
    ),
    Reason.UNVERIFIED_NO_ROSTER: ("编号未核对：没有名单", "Number unchecked: no roster"),
    Reason.EMPTY: ("未读到内容，请重新扫码", "Nothing read, please scan again"),
    Reason.OVERSIZED: ("二维码内容过长，不是签到码", "Code too long: not a check-in code"),
    Reason.BINARY: ("二维码内容无法识别", "Unreadable code content (binary data)"),
    Reason.CONTROL_CHARACTERS: ("二维码含有非法字符", "Code contains invalid characters"),
    Reason.UNKNOWN_PREFIX: ("不是本系统的签到码", "Not a check-in code of this system"),
    Reason.UNSUPPORTED_VERSION: (
        "签到码版本不受支持，请联系工作人员",
        "Code version not supported, please see staff",
    ),
    Reason.MALFORMED: ("签到码已损坏，请重新获取", "Damaged code, please get a new one"),
    Reason.OTHER_PROJECT: ("这是其他项目的签到码", "This code is for another project"),
    Reason.NO_KEYS: (
        "本机尚未下载验证密钥，请联系工作人员",
        "This kiosk has no verification keys yet, please see staff",
    ),
    Reason.UNKNOWN_KEY_ID: (
        "签到码的签发密钥未知，请联系工作人员",
        "Code signed by an unknown key, please see staff",
    ),
    Reason.BAD_SIGNATURE: ("签到码签名无效", "Invalid code: signature check failed"),
    Reason.BAD_MAC: ("动态码无效", "Invalid rotating code"),
    Reason.EXPIRED: ("签到码已过期", "Code expired"),
    Reason.NOT_YET_VALID: ("签到码尚未生效", "Code not valid yet"),
    Reason.REPLAY: (
        "此动态码已使用过，请等待刷新后再扫",
        "This code was already used, wait for the next one",
    ),
    Reason.UNKNOWN_ATTENDEE: (
        "未找到报名信息，请联系工作人员",
        "Not on the roster, please see staff",
    ),
    Reason.ROSTER_CODES_DISABLED: (
        "本项目不接受胸牌编号签到",
        "Badge numbers are not accepted for this project",
    ),
}

# A rotating code that expired is usually a phone that stopped refreshing: say what to do.
_ROTATING_EXPIRED = ("动态码已过期，请刷新后重试", "Code expired, refresh it and scan again")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The judgement on one payload; `accepted` only when verified against the desk's roster."""

    kind: VerdictKind
    reason: Reason
    family: VerdictKind | None = None  # the format recognised even when rejected
    project: str | None = None
    attendee_id: str | None = None
    verified: bool = False
    detail: str = ""  # for the log and the denied record: never a secret or a whole payload

    @property
    def accepted(self) -> bool:
        """Whether the desk may check this attendee in."""
        return self.kind is not VerdictKind.REJECTED and self.verified

    @property
    def message_zh(self) -> str:
        """One line for the screen, Chinese."""
        return self._messages()[0]

    @property
    def message_en(self) -> str:
        """One line for the screen, English."""
        return self._messages()[1]

    def message(self, lang: str) -> str:
        """The screen line in the desk's language ("zh" or "en")."""
        return self.message_zh if lang == "zh" else self.message_en

    def _messages(self) -> tuple[str, str]:
        if self.reason is Reason.EXPIRED and self.family is VerdictKind.ROTATING:
            return _ROTATING_EXPIRED
        return _MESSAGES[self.reason]


def rejected(
    reason: Reason,
    *,
    family: VerdictKind | None = None,
    project: str | None = None,
    attendee_id: str | None = None,
    detail: str = "",
) -> Verdict:
    """A rejection with the format it was recognised as, if any."""
    return Verdict(
        VerdictKind.REJECTED,
        reason,
        family=family,
        project=project,
        attendee_id=attendee_id,
        detail=detail,
    )


def messages(reason: Reason) -> tuple[str, str]:
    """(zh, en) screen lines for a reason (every reason has both)."""
    return _MESSAGES[reason]
