"""Every SAM status code becomes a typed error with a desk message in both languages."""

from __future__ import annotations

import pytest

from drivers.idcard.status import (
    CARD_ERROR_CODES,
    STATUS_TABLE,
    CardNotReadable,
    NoCard,
    NoContent,
    ReaderProtocolError,
    SamFault,
    SamStatusError,
    UnexpectedStatus,
    UnknownCardType,
    describe_status,
    status_error,
)
from kiosk.core.errors import KioskError
from kiosk.services.driver_texts import card_error_text

EXPECTED = {
    0x91: NoContent,
    0x10: ReaderProtocolError,
    0x11: ReaderProtocolError,
    0x21: ReaderProtocolError,
    0x23: SamFault,
    0x24: ReaderProtocolError,
    0x31: CardNotReadable,
    0x32: CardNotReadable,
    0x33: CardNotReadable,
    0x40: UnknownCardType,
    0x41: CardNotReadable,
    0x47: CardNotReadable,
    0x60: SamFault,
    0x66: SamFault,
    0x80: NoCard,
    0x81: NoCard,
}


def test_the_table_covers_every_error_status_of_the_protocol() -> None:
    assert set(STATUS_TABLE) == set(EXPECTED)


@pytest.mark.parametrize(("status", "cls"), sorted(EXPECTED.items()))
def test_status_becomes_its_typed_error(status: int, cls: type[SamStatusError]) -> None:
    err = status_error(status)
    assert type(err) is cls
    assert isinstance(err, KioskError)
    assert err.status == status
    assert f"0x{status:02X}" in err.detail
    assert err.code in CARD_ERROR_CODES  # a reason code the screen words, no sentence


def test_card_errors_ask_to_place_the_card_again() -> None:
    err = status_error(0x41)
    assert err.code == "card_not_readable"
    assert card_error_text(err.code) == ("请重新放卡", "Card not readable, place it again")


def test_sam_faults_call_staff() -> None:
    for status in (0x23, 0x60, 0x66):
        assert status_error(status).code == "sam_fault"
        assert "工作人员" in card_error_text(status_error(status).code)[0]


def test_an_unknown_status_is_still_typed() -> None:
    err = status_error(0x55)
    assert isinstance(err, UnexpectedStatus) and err.status == 0x55
    assert describe_status(0x55) == "status not in the protocol"


def test_successes_are_described() -> None:
    assert describe_status(0x90) == "ok"
    assert describe_status(0x9F) == "card found"
    assert describe_status(0x31) == "card failed to authenticate the SAM"
