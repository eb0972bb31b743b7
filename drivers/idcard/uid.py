"""Contactless card UIDs as hospitals' card systems print them (hex, decimal, 8H10D, Wiegand…)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args

from drivers.idcard.status import IdCardError

UidFormat = Literal["hex", "hex_reversed", "dec", "dec_reversed", "8h10d", "6h8d", "wiegand26"]
UID_FORMATS: tuple[str, ...] = get_args(UidFormat)

GET_UID_APDU = (0xFF, 0xCA, 0x00, 0x00, 0x00)  # PC/SC part 3 "get data": the card's UID


class UnusableUid(IdCardError):
    """A card whose UID identifies nobody (a Chinese ID card's PUPI is all zeros)."""

    code = "unusable_uid"


class IdCardOnUidReader(UnusableUid):
    """A resident ID card tapped on a plain PC/SC reader: it must go on the SAM reader."""

    code = "id_card_on_uid_reader"


def check_uid(raw: bytes) -> bytes:
    """Refuse UIDs that cannot tell people apart; return the UID unchanged otherwise."""
    if not raw:
        raise UnusableUid("the reader returned an empty UID")
    if not any(raw):
        # Resident ID cards answer ISO 14443-B with a zero PUPI: every card looks the same.
        raise IdCardOnUidReader(
            f"UID is {len(raw)} zero bytes: a Chinese ID card on a plain PC/SC reader"
        )
    return raw


def _wiegand26(raw: bytes) -> str:
    tail = _tail(raw, 3, "wiegand26")
    return f"{tail[0]:03d},{int.from_bytes(tail[1:], 'big'):05d}"


_FORMATTERS: dict[str, Callable[[bytes], str]] = {
    "hex": lambda raw: raw.hex().upper(),
    "hex_reversed": lambda raw: raw[::-1].hex().upper(),
    "dec": lambda raw: f"{int.from_bytes(raw, 'big'):010d}",
    "dec_reversed": lambda raw: f"{int.from_bytes(raw[::-1], 'big'):010d}",
    # 8H10D: the last 4 bytes (8 hex digits) as 10 decimal digits.
    "8h10d": lambda raw: f"{int.from_bytes(_tail(raw, 4, '8h10d'), 'big'):010d}",
    # 6H8D: the last 3 bytes (6 hex digits) as 8 decimal digits.
    "6h8d": lambda raw: f"{int.from_bytes(_tail(raw, 3, '6h8d'), 'big'):08d}",
    # Wiegand 26 as printed on access cards: facility code (1 byte), card number (2 bytes).
    "wiegand26": _wiegand26,
}


def format_uid(raw: bytes, fmt: str) -> str:
    """Format a UID (bytes as the reader returns them) in one of UID_FORMATS."""
    try:
        formatter = _FORMATTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown UID format {fmt!r}; one of {', '.join(UID_FORMATS)}") from None
    return formatter(raw)


def _tail(raw: bytes, n: int, fmt: str) -> bytes:
    if len(raw) < n:
        raise ValueError(f"UID of {len(raw)} bytes is too short for {fmt}")
    return raw[-n:]
