"""The ID-card photo (WLT): kept as bytes; decoded only through a vendor library, if configured.

WLT is a proprietary wavelet format and no open decoder exists. Reader vendors ship a shared
library (commonly `libwlt.so`) exporting `int unpack(char *wlt, char *bmp, int save_file)` that
writes a 102×126 24-bit BMP (38,862 bytes) and returns 1 on success. Without one, comparing the
live face with the card photo is off and faces are verified against enrolled templates only.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from pathlib import Path

from drivers.idcard.status import IdCardError

log = logging.getLogger(__name__)

WLT_LEN = 1024
BMP_LEN = 38862  # 54-byte header + 126 rows × 308 bytes (102 pixels × 3, padded to 4)
OFF_DETAIL = "not configured: ID-photo face comparison is off"


class WltUnavailable(IdCardError):
    """No usable decoder: the library is missing, does not load or lacks the function."""

    code = "wlt_unavailable"


class WltDecodeError(IdCardError):
    """The vendor library refused the photo bytes."""

    code = "wlt_decode"


class WltDecoder:
    """A vendor WLT→BMP library loaded through ctypes; calls are serialised (vendor code is
    rarely thread-safe)."""

    def __init__(self, path: Path, *, function: str = "unpack") -> None:
        try:
            lib = ctypes.CDLL(str(path))
        except OSError as exc:
            raise WltUnavailable(f"cannot load WLT decoder {path}: {exc}") from None
        try:
            fn = getattr(lib, function)
        except AttributeError:
            raise WltUnavailable(f"{path} has no function {function}()") from None
        fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
        fn.restype = ctypes.c_int
        self.path = path
        self._fn = fn
        self._lock = threading.Lock()

    def decode(self, wlt: bytes) -> bytes:
        """The photo as a BMP file's bytes; WltDecodeError if the library rejects it."""
        if len(wlt) != WLT_LEN:
            raise WltDecodeError(f"WLT photo has {len(wlt)} bytes, expected {WLT_LEN}")
        src = ctypes.create_string_buffer(wlt, WLT_LEN)
        dst = ctypes.create_string_buffer(BMP_LEN)
        with self._lock:
            rc = self._fn(src, dst, 0)  # 0: do not also write a file in the working directory
        bmp = dst.raw
        if rc != 1:
            raise WltDecodeError(f"{self.path.name} returned {rc}")
        if bmp[:2] != b"BM":
            raise WltDecodeError(f"{self.path.name} did not produce a BMP")
        return bmp


def load_wlt_decoder(
    path: Path | None, *, function: str = "unpack"
) -> tuple[WltDecoder | None, str]:
    """(decoder, status line); (None, why) when not configured or not loadable."""
    if path is None:
        return None, OFF_DETAIL
    if not path.exists():
        return None, f"{path} not found: ID-photo face comparison is off"
    try:
        decoder = WltDecoder(path, function=function)
    except WltUnavailable as exc:
        log.warning("%s", exc.detail)
        return None, f"{exc.detail}: ID-photo face comparison is off"
    return decoder, f"{path} loaded"
