"""UID formats with the issue's test vectors; a zero PUPI is refused, not matched."""

from __future__ import annotations

import pytest

from drivers.idcard.uid import UID_FORMATS, UnusableUid, check_uid, format_uid
from drivers.sim.vpcd_card import answer
from kiosk.config import PcscSection


@pytest.mark.parametrize(
    ("uid", "fmt", "expected"),
    [
        ("2A83155E", "hex", "2A83155E"),
        ("2A83155E", "hex_reversed", "5E15832A"),
        ("2A83155E", "dec", "0713233758"),
        ("2A83155E", "dec_reversed", "1578468138"),
        ("026F6C3A", "8h10d", "0040856634"),
        ("026F6C3A", "6h8d", "07302202"),
        ("026F6C3A", "wiegand26", "111,27706"),
        ("2A83155E", "8h10d", "0713233758"),
        ("04A23B1C5D6E80", "hex", "04A23B1C5D6E80"),  # a 7-byte UID
        ("04A23B1C5D6E80", "8h10d", f"{0x1C5D6E80:010d}"),
        ("04A23B1C5D6E80", "6h8d", f"{0x5D6E80:08d}"),
        ("04A23B1C5D6E80", "dec", f"{0x04A23B1C5D6E80:010d}"),
        ("00000001", "wiegand26", "000,00001"),
    ],
)
def test_uid_formats(uid: str, fmt: str, expected: str) -> None:
    assert format_uid(bytes.fromhex(uid), fmt) == expected


def test_config_offers_exactly_the_driver_formats() -> None:
    field = PcscSection.model_fields["uid_format"]
    assert set(field.annotation.__args__) == set(UID_FORMATS)  # type: ignore[union-attr]


def test_unknown_format_and_short_uids_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown UID format 'octal'"):
        format_uid(b"\x01\x02\x03\x04", "octal")
    with pytest.raises(ValueError, match="too short for 8h10d"):
        format_uid(b"\x01\x02\x03", "8h10d")


def test_a_chinese_id_card_zero_pupi_is_unusable() -> None:
    with pytest.raises(UnusableUid) as info:
        check_uid(bytes(4))
    assert "Chinese ID card" in info.value.detail
    assert info.value.code == "id_card_on_uid_reader"
    with pytest.raises(UnusableUid):
        check_uid(b"")
    assert check_uid(b"\x00\x00\x00\x01") == b"\x00\x00\x00\x01"


@pytest.mark.parametrize(
    ("apdu", "response"),
    [
        ("FFCA000000", "2A83155E9000"),
        ("FFCA000004", "2A83155E9000"),
        ("FFCA000002", "6C04"),
        ("FFCA010000", "6A81"),
        ("FFB0000010", "6D00"),
        ("00A4040000", "6E00"),
        ("FF", "6700"),
    ],
)
def test_virtual_card_answers(apdu: str, response: str) -> None:
    assert answer(bytes.fromhex(apdu), bytes.fromhex("2A83155E")).hex().upper() == response
