"""ID-card readers: GA 467 SAM readers on serial ports and PC/SC contactless readers."""

from __future__ import annotations

import os
from pathlib import Path

from drivers.idcard.base import CardReader, Listener
from drivers.idcard.events import (
    CardError,
    CardEvent,
    CardRemoved,
    CardUid,
    IdCardRead,
    ReaderState,
    ReaderStatus,
)
from drivers.idcard.pcsc import PcscReader, PcscTiming
from drivers.idcard.sam import SamReader, SamTiming
from drivers.idcard.text import CardType, IdCardText
from drivers.idcard.uid import UID_FORMATS, format_uid
from drivers.idcard.wlt import WltDecoder, load_wlt_decoder

__all__ = [
    "UID_FORMATS",
    "CardError",
    "CardEvent",
    "CardReader",
    "CardRemoved",
    "CardType",
    "CardUid",
    "IdCardRead",
    "IdCardText",
    "Listener",
    "PcscReader",
    "PcscTiming",
    "ReaderState",
    "ReaderStatus",
    "SamReader",
    "SamTiming",
    "WltDecoder",
    "availability",
    "format_uid",
    "load_wlt_decoder",
    "pcsc_availability",
    "sam_availability",
    "wlt_availability",
]


def sam_availability(port: str) -> tuple[bool, str]:
    """Whether a SAM reader can be opened at `port`: pyserial present, the port there and ours."""
    try:
        import serial  # noqa: F401
    except ImportError as exc:
        return False, f"pyserial missing: {exc}"
    path = Path(port)
    if not path.exists():
        return False, f"{port} not present (reader unplugged or another port configured)"
    if not os.access(path, os.R_OK | os.W_OK):
        return False, f"{port} not accessible: add the kiosk user to the dialout group"
    return True, f"{port} present"


def pcsc_availability() -> tuple[bool, str]:
    """Whether pyscard imports and a PC/SC service answers, with its readers."""
    try:
        from smartcard import scard
    except ImportError as exc:
        return False, f"pyscard missing: {exc}"
    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        return False, f"pcscd not reachable: {scard.SCardGetErrorMessage(hr)}"
    try:
        hr, names = scard.SCardListReaders(ctx, [])
    finally:
        scard.SCardReleaseContext(ctx)
    if hr == scard.SCARD_E_NO_READERS_AVAILABLE or (hr == scard.SCARD_S_SUCCESS and not names):
        return True, "pcscd running, no reader connected"
    if hr != scard.SCARD_S_SUCCESS:
        return False, f"listing readers failed: {scard.SCardGetErrorMessage(hr)}"
    return True, f"{len(names)} reader(s): " + ", ".join(names)


def wlt_availability(path: Path | None, *, function: str = "unpack") -> tuple[bool, str]:
    """Whether ID-card photos can be decoded (a configured vendor library that loads)."""
    decoder, detail = load_wlt_decoder(path, function=function)
    return decoder is not None, detail


def availability(*, sam_port: str | None = None) -> tuple[bool, str]:
    """One doctor line for ID cards: usable if the SAM port (when given) or PC/SC works."""
    parts = []
    ok = False
    if sam_port is not None:
        sam_ok, detail = sam_availability(sam_port)
        ok = ok or sam_ok
        parts.append(f"SAM {detail}")
    pcsc_ok, detail = pcsc_availability()
    ok = ok or pcsc_ok
    parts.append(f"PC/SC {detail}")
    return ok, "; ".join(parts)
