"""SAM status codes (SW3) as typed errors, each with a stable reason `code` the screen words."""

from __future__ import annotations

from kiosk.core.errors import KioskError


class IdCardError(KioskError):
    """Anything that stops an ID card from being read; `code` is the reason code for the desk.

    The words for each code live on the screen side (kiosk/ui/texts.py through Qt's translator;
    kiosk/services/driver_texts.py for the record's lines and the log): never here.
    """

    code = "idcard_error"


class SamStatusError(IdCardError):
    """The reader answered with a status other than the one the command expects."""

    code = "sam_status"

    def __init__(self, status: int, meaning: str) -> None:
        super().__init__(f"reader status 0x{status:02X}: {meaning}")
        self.status = status
        self.meaning = meaning


class CardNotReadable(SamStatusError):
    """The card and the SAM did not complete a read: moving the card usually fixes it."""

    code = "card_not_readable"


class UnknownCardType(SamStatusError):
    """The card on the reader is not an ID card the SAM knows."""

    code = "unknown_card_type"


class NoCard(SamStatusError):
    """Find or select found no card (normal while the reader waits)."""

    code = "no_card"


class NoContent(SamStatusError):
    """The card holds no such record (e.g. no additional address)."""

    code = "no_content"


class ReaderProtocolError(SamStatusError):
    """The reader rejected our frame: a transmission problem, retried automatically."""

    code = "reader_protocol"


class SamFault(SamStatusError):
    """The security module itself is not working: staff must look at the reader."""

    code = "sam_fault"


class UnexpectedStatus(SamStatusError):
    """A status code outside the protocol's table."""

    code = "unexpected_status"


class InvalidFrame(IdCardError):
    """A response that failed its checksum, was cut short or had an impossible layout."""

    code = "invalid_frame"


class InvalidCardData(IdCardError):
    """The card read fine but its contents do not parse (unknown type flag, bad text)."""

    code = "invalid_card_data"


class InvalidCardNumber(IdCardError):
    """The card's document number fails its check (a damaged or counterfeit card)."""

    code = "invalid_number"


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


# Every `CardError.code` a reader can emit: the error classes' codes (uid.py and wlt.py add theirs)
# and the PC/SC reader's own. Both catalogues of words are checked against this list.
CARD_ERROR_CODES: frozenset[str] = frozenset(
    {
        "idcard_error",
        "sam_status",
        "card_not_readable",
        "unknown_card_type",
        "no_card",
        "no_content",
        "reader_protocol",
        "sam_fault",
        "unexpected_status",
        "invalid_frame",
        "invalid_card_data",
        "invalid_number",
        "unusable_uid",  # uid.py
        "id_card_on_uid_reader",  # uid.py
        "wlt_unavailable",  # wlt.py
        "wlt_decode",  # wlt.py
        "uid_not_supported",  # pcsc.py: the card cannot give a UID
        "uid_format",  # pcsc_cards.py: the UID does not fit the configured format
    }
)
