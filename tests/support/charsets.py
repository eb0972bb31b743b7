"""QR codes written by other systems: one payload in UTF-8, GB18030 and Shift_JIS, with and without
an ECI, and bytes that are no text, as symbols (segno writes ECIs) and as the bytes a scanner sends.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import segno
from PIL import Image

Gray = npt.NDArray[np.uint8]

# A roster line as a hospital information system prints it: a name and a 30-character unit.
UNIT = "内蒙古自治区人民医院重症医学科继续医学教育培训项目管理办公室"
NAME_CARD = f"张伟 {UNIT}"
JAPANESE = "Google モバイル"  # the Shift_JIS content zxing-cpp read right and `qr decode` did not
# A PNG header and seeded noise: bytes, not text (NUL, C1 controls, no valid multibyte run).
BINARY = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(
    np.random.default_rng(19).integers(0, 256, 24, dtype=np.uint8)
)


@dataclass(frozen=True)
class CharsetCode:
    """One code: what is written in it, how, and what every reader must make of it."""

    name: str
    content: str | bytes  # text written with `eci` as its ECI, or bytes in byte mode without one
    eci: str | None  # the character set the symbol names (segno's encoding name), or None
    text: str  # the text every path must read
    zbar_text: str | None = None  # zbar's documented different reading, if any

    @property
    def raw(self) -> bytes:
        """The bytes in the symbol's data segments."""
        if isinstance(self.content, bytes):
            return self.content
        assert self.eci is not None
        return self.content.encode(self.eci)

    @property
    def zbar_raw(self) -> bytes:
        """The bytes zbar hands over: for an ECI it knows (ISO 8859, Shift_JIS), its UTF-8."""
        return self.text.encode("utf-8") if self.eci == "shift_jis" else self.raw

    def symbol(self, *, module_px: int = 6) -> Gray:
        """The code as a grayscale image (black on white, level M, 4-module quiet zone)."""
        if isinstance(self.content, bytes):
            qr = segno.make_qr(self.content, mode="byte", error="m", boost_error=False)
        else:
            qr = segno.make_qr(
                self.content, mode="byte", encoding=self.eci, eci=True, error="m",
                boost_error=False,
            )  # fmt: skip
        buf = io.BytesIO()
        qr.save(buf, kind="png", scale=module_px, border=4)
        buf.seek(0)
        with Image.open(buf) as image:
            return np.asarray(image.convert("L"), dtype=np.uint8).copy()


CODES = [
    CharsetCode("utf8", NAME_CARD.encode("utf-8"), None, NAME_CARD),
    CharsetCode("utf8_eci", NAME_CARD, "utf-8", NAME_CARD),
    CharsetCode("gb18030", NAME_CARD.encode("gb18030"), None, NAME_CARD),
    CharsetCode("gb18030_short", "张伟".encode("gb18030"), None, "张伟"),
    # segno names GB18030 text with ECI 29 (GB2312); zbar drops ECIs it does not know, and the
    # bytes are then read as GB18030 by plausibility: the same text.
    CharsetCode("gb18030_eci", NAME_CARD, "gb18030", NAME_CARD),
    CharsetCode("shift_jis", JAPANESE.encode("shift_jis"), None, JAPANESE),
    CharsetCode("shift_jis_eci", JAPANESE, "shift_jis", JAPANESE),
    CharsetCode("binary", BINARY, None, "hex:" + BINARY.hex()),
    # Big5 is told apart from GBK only by its ECI (28), which zbar drops: zbar reads GB18030.
    CharsetCode("big5_eci", "張偉", "big5", "張偉", zbar_text="眎岸"),
]
BY_NAME = {c.name: c for c in CODES}


def expected(code: CharsetCode, backend: str) -> tuple[str, bytes]:
    """(text, raw) that a backend must report for the code."""
    if backend == "zbar":
        return (code.zbar_text or code.text), code.zbar_raw
    return code.text, code.raw


def eci_protocol(code: CharsetCode) -> bytes:
    """The code as a scanner transmits it with the ECI protocol on (`]Q2`): designator, data."""
    numbers = {"utf-8": 26, "gb18030": 32, "shift_jis": 20, "big5": 28}
    data = code.raw.replace(b"\\", b"\\\\")
    return data if code.eci is None else f"\\{numbers[code.eci]:06d}".encode() + data
