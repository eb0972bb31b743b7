"""What staff read when sync fails: one Chinese and one English sentence and a machine reason."""

from __future__ import annotations

from kiosk.core.errors import KioskError
from sync.client.errors import PermanentSyncError, TransientError
from sync.client.status import attention_text

# Enrollment refusals staff can act on; the rest go through sync.client.status.attention_text.
_ENROLL_REASONS: dict[str, tuple[str, str]] = {
    "invalid_code": (
        "注册码无效，请向管理员重新申请",
        "unknown enrollment code: ask for a new one",
    ),
    "code_used": ("注册码已被使用，请向管理员重新申请", "this enrollment code was already used"),
    "code_expired": ("注册码已过期，请向管理员重新申请", "this enrollment code has expired"),
    "invalid_public_key": ("本机密钥无效", "the kiosk's device key was refused"),
}


class PlatformProblem(Exception):
    """A failure staff must read: a Chinese and an English sentence and a machine reason."""

    def __init__(self, zh: str, en: str, *, reason: str):
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en
        self.reason = reason


def explain(exc: BaseException) -> PlatformProblem:  # noqa: PLR0911 - one sentence per kind
    """Any sync failure as a bilingual sentence for staff (detail stays in English)."""
    if isinstance(exc, PlatformProblem):
        return exc
    if isinstance(exc, TransientError):
        return PlatformProblem(
            "暂时无法连接平台，记录已保存在本机，稍后自动重试",
            f"cannot reach the platform now ({exc}); records are kept here and retried",
            reason="transient",
        )
    if isinstance(exc, PermanentSyncError):
        if exc.reason in _ENROLL_REASONS:
            zh, en = _ENROLL_REASONS[exc.reason]
            return PlatformProblem(zh, en, reason=exc.reason)
        zh, _, en = attention_text(exc.reason).partition(" / ")
        if not en:  # a reason without a sentence of its own
            zh, en = "平台拒绝了请求，请联系管理员", f"the platform refused ({exc.reason})"
        return PlatformProblem(zh, f"{en}: {exc}", reason=exc.reason)
    if isinstance(exc, KioskError):  # e.g. StorageUnavailable: the disk is full
        return PlatformProblem(exc.screen_zh, f"{exc.screen_en} ({exc.detail})", reason="local")
    if isinstance(exc, OSError):
        return PlatformProblem(
            "本机存储或文件错误", f"local storage or file error: {exc}", reason="local_io"
        )
    return PlatformProblem("同步失败", f"sync failed: {type(exc).__name__}: {exc}", reason="error")
