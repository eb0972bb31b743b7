"""SAM status codes (SW3) as typed errors, each with a line for the desk in Chinese and English."""

from __future__ import annotations

from kiosk.core.errors import KioskError

_PLACE_AGAIN_ZH = "请重新放卡"
_PLACE_AGAIN_EN = "Card not readable, place it again"


class IdCardError(KioskError):
    """Anything that stops an ID card from being read; `code` is stable for logs and tests."""

    code = "idcard_error"
    screen_zh = _PLACE_AGAIN_ZH
    screen_en = _PLACE_AGAIN_EN


class SamStatusError(IdCardError):
    """The reader answered with a status other than the one the command expects."""

    code = "sam_status"

    def __init__(self, status: int, meaning: str, **screen: str):
        super().__init__(f"reader status 0x{status:02X}: {meaning}", **screen)
        self.status = status
        self.meaning = meaning


class CardNotReadable(SamStatusError):
    """The card and the SAM did not complete a read: moving the card usually fixes it."""

    code = "card_not_readable"


class UnknownCardType(SamStatusError):
    """The card on the reader is not an ID card the SAM knows."""

    code = "unknown_card_type"
    screen_zh = "无法识别的卡片，请放身份证或居住证"
    screen_en = "Not an ID card: place an ID card or residence permit"


class NoCard(SamStatusError):
    """Find or select found no card (normal while the reader waits)."""

    code = "no_card"
    screen_zh = "请放置证件"
    screen_en = "Place your ID card on the reader"


class NoContent(SamStatusError):
    """The card holds no such record (e.g. no additional address)."""

    code = "no_content"
    screen_zh = "卡内无此信息"
    screen_en = "The card holds no such information"


class ReaderProtocolError(SamStatusError):
    """The reader rejected our frame: a transmission problem, retried automatically."""

    code = "reader_protocol"
    screen_zh = "读卡器通信错误，请重新放卡"
    screen_en = "Reader communication error, place the card again"


class SamFault(SamStatusError):
    """The security module itself is not working: staff must look at the reader."""

    code = "sam_fault"
    screen_zh = "读卡器故障，请联系工作人员"
    screen_en = "Card reader fault, please call staff"


class UnexpectedStatus(SamStatusError):
    """A status code outside the protocol's table."""

    code = "unexpected_status"


class InvalidFrame(IdCardError):
    """A response that failed its checksum, was cut short or had an impossible layout."""

    code = "invalid_frame"
    screen_zh = "读卡器通信错误，请重新放卡"
    screen_en = "Reader communication error, place the card again"


class InvalidCardData(IdCardError):
    """The card read fine but its contents do not parse (unknown type flag, bad text)."""

    code = "invalid_card_data"
    screen_zh = "证件信息无法识别，请联系工作人员"
    screen_en = "The card's data cannot be read, please see staff"


class InvalidCardNumber(IdCardError):
    """The card's document number fails its check (a damaged or counterfeit card)."""

    code = "invalid_number"
    screen_zh = "证件号码校验失败，请联系工作人员"
    screen_en = "The card's number is not valid, please see staff"


# SW3 → (error class, meaning). 0x90 and 0x9F are successes and never reach this table.
STATUS_TABLE: dict[int, tuple[type[SamStatusError], str]] = {
    0x91: (NoContent, "no content"),
    0x10: (ReaderProtocolError, "checksum error in the command frame"),
    0x11: (ReaderProtocolError, "length error in the command frame"),
    0x21: (ReaderProtocolError, "command error"),
    0x23: (SamFault, "operation not authorised"),
    0x24: (ReaderProtocolError, "unrecognised error"),
    0x31: (CardNotReadable, "card failed to authenticate the SAM"),
    0x32: (CardNotReadable, "SAM failed to authenticate the card"),
    0x33: (CardNotReadable, "information verification error"),
    0x40: (UnknownCardType, "unknown card type"),
    0x41: (CardNotReadable, "read failed"),
    0x47: (CardNotReadable, "random number failure"),
    0x60: (SamFault, "SAM self-test failed"),
    0x66: (SamFault, "SAM not authorised"),
    0x80: (NoCard, "find card failed"),
    0x81: (NoCard, "select card failed"),
}


def status_error(status: int) -> SamStatusError:
    """The typed error for a non-success status code."""
    cls, meaning = STATUS_TABLE.get(status, (UnexpectedStatus, "status not in the protocol"))
    return cls(status, meaning)


def describe_status(status: int) -> str:
    """A short English meaning of any status code, successes included."""
    if status == 0x90:
        return "ok"
    if status == 0x9F:
        return "card found"
    return STATUS_TABLE.get(status, (UnexpectedStatus, "status not in the protocol"))[1]
