"""Typed domain errors that carry a message fit for the person at the desk."""

from __future__ import annotations


class KioskError(Exception):
    """Base of every error the kiosk shows to staff: `screen_zh`/`screen_en` are for the desk."""

    screen_zh: str = "出现错误，请联系工作人员"
    screen_en: str = "Something went wrong, please call staff"

    def __init__(self, detail: str, *, screen_zh: str | None = None, screen_en: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if screen_zh is not None:
            self.screen_zh = screen_zh
        if screen_en is not None:
            self.screen_en = screen_en


class InvalidDocumentNumber(KioskError):
    """An identity document number failed validation (length, characters, date or check digit)."""

    screen_zh = "证件号码无效，请核对"
    screen_en = "Invalid document number, please check it"


class StorageUnavailable(KioskError):
    """The local store cannot take new records (disk full, read-only): nothing stored is lost."""

    screen_zh = "存储空间不足，暂停签到，请联系工作人员"
    screen_en = "Storage full: check-in paused, please call staff"


class KeysMissing(KioskError):
    """An existing kiosk database without its keys: nothing is minted, nothing is read."""

    screen_zh = "本机密钥缺失，无法读取数据，请联系技术支持"
    screen_en = "This kiosk's keys are missing: its data cannot be read, please call support"
