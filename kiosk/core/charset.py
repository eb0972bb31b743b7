"""A scanned code's bytes as text in its maker's character set: ECI, UTF-8, GB18030, Shift_JIS.

Pure. Every input path (camera, `qr decode`, serial and HID-POS scanners, the verifier) turns bytes
into text here, so one code reads the same whichever way it arrives:

1. An ECI (the code names its character set) wins.
2. Valid UTF-8 stays UTF-8.
3. Otherwise the most plausible of GB18030 (GBK, GB2312), Shift_JIS and ISO 8859-1
   (`guess_charset`): byte-mode codes from Chinese hospital systems carry GBK without an ECI,
   older Japanese generators Shift_JIS, and the QR standard's own default is ISO 8859-1.
4. Bytes that are no text in any of them are shown as `hex:…` (charset "binary").

The exact bytes stay beside the text (`Payload.raw`): signed formats are verified over them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

Charset = Literal["auto", "utf-8", "gb18030"]  # what a scanner may be set to send
CHARSETS: tuple[Charset, ...] = ("auto", "utf-8", "gb18030")
BINARY = "binary"
HEX_PREFIX = "hex:"

# ECI assignments (AIM ITS/04-001) → Python codecs. GB2312 and GBK are read as GB18030, their
# superset; Shift_JIS as cp932, the superset Windows generators write (NEC and IBM extensions).
ECI_CODECS: dict[int, str] = {
    0: "cp437",
    1: "iso-8859-1",
    2: "cp437",
    3: "iso-8859-1",
    **{eci: f"iso-8859-{eci - 2}" for eci in range(4, 19) if eci != 14},
    20: "shift_jis",
    21: "cp1250",
    22: "cp1251",
    23: "cp1252",
    24: "cp1256",
    25: "utf-16-be",
    26: "utf-8",
    27: "ascii",
    28: "big5",
    29: "gb2312",
    30: "euc-kr",
    31: "gbk",
    32: "gb18030",
    33: "utf-16-le",
    34: "utf-32-be",
    35: "utf-32-le",
    170: "ascii",  # ISO/IEC 646 invariant
}
ECI_BINARY = 899
_PYTHON_CODEC = {"shift_jis": "cp932", "gb2312": "gb18030", "gbk": "gb18030"}

# Control characters a text payload may hold: tab, line ends, and the separators of GS1 and
# ISO/IEC 15434 data (EOT, FS, GS, RS). Any other control byte in a guessed reading means the
# guess is wrong.
_TEXT_CONTROLS = frozenset("\t\n\r\x04\x1c\x1d\x1e")
_NOT_TEXT = frozenset({"Cc", "Cs", "Co", "Cn"})  # controls, surrogates, private use, unassigned
_DESIGNATOR = re.compile(rb"\\(\\|\d{6})")


@dataclass(frozen=True, slots=True)
class Payload:
    """A scanned code: its exact bytes, and its text in the character set it was written in."""

    raw: bytes  # the payload's bytes as the symbol or scanner carried them
    text: str  # the text, or "hex:…" for bytes that are no text
    charset: str  # "utf-8", "gb18030", "shift_jis", "iso-8859-1", an ECI's charset, or "binary"
    eci: bool = False  # the code named its character set (an ECI)

    @property
    def binary(self) -> bool:
        """Whether the bytes are no text (the text is their hex)."""
        return self.charset == BINARY

    @classmethod
    def of_text(cls, text: str) -> Payload:
        """Characters typed by a keyboard-wedge scanner, as a payload (UTF-8 bytes)."""
        return cls(text.encode("utf-8", errors="surrogatepass"), text, "utf-8")


def hex_payload(raw: bytes) -> Payload:
    """Bytes that are no text: shown as hex."""
    return Payload(raw, HEX_PREFIX + raw.hex(), BINARY)


def _decode(raw: bytes, charset: str) -> str | None:
    try:
        return raw.decode(_PYTHON_CODEC.get(charset, charset))
    except (UnicodeDecodeError, LookupError):
        return None


def _is_text(text: str) -> bool:
    """Whether a reading of unlabelled bytes is plausible text (no stray control, private use…)."""
    return not any(
        unicodedata.category(ch) in _NOT_TEXT and ch not in _TEXT_CONTROLS for ch in text
    )


def _gb18030_score(text: str) -> int:
    # GB2312's 7,445 characters are nearly all of real text; GBK's extension holds rare ones, and
    # four-byte GB18030 sequences rarer ones still. Shift_JIS, Latin-1 or random bytes read as
    # GB18030 give mostly those (GB2312 covers under a third of the two-byte space).
    score = 0
    for ch in text:
        if ch.isascii():
            continue
        if _encodes(ch, "gb2312"):
            score += 1
        else:
            score -= 1 if _encodes(ch, "gbk") else 2
    return score


def _shift_jis_score(text: str) -> int:
    # Kana are what Japanese text is made of; JIS level-1 kanji are the common ones. Half-width
    # katakana are rare today, and they are what GBK's lead bytes A1–DF become in Shift_JIS.
    score = 0
    for ch in text:
        if ch.isascii():
            continue
        if "\u3041" <= ch <= "\u30ff":
            score += 2
        elif "\uff61" <= ch <= "\uff9f":
            score -= 1
        elif 0x889F <= _cp932_code(ch) <= 0x9872:
            score += 1
    return score


def _cp932_code(ch: str) -> int:
    try:
        return int.from_bytes(ch.encode("cp932"), "big")
    except UnicodeEncodeError:
        return 0


def _latin1_score(text: str) -> int:
    # European text has accented letters between plain ones ("Märchen"); GBK or Shift_JIS bytes
    # read as Latin-1 give runs of high characters ("ÕÅÎ°").
    score = 0
    for i, ch in enumerate(text):
        if ch.isascii():
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1 : i + 2]
        near_high = not before.isascii() or not after.isascii()
        near_letter = (before.isascii() and before.isalpha()) or (
            after.isascii() and after.isalpha()
        )
        score += 1 if ch.isalpha() and near_letter and not near_high else -1
    return score


def _encodes(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


# In order of preference on a tie: this desk is in China.
_CANDIDATES: tuple[tuple[str, Callable[[str], int], int], ...] = (
    ("gb18030", _gb18030_score, 0),  # a name may hold one rare character
    ("shift_jis", _shift_jis_score, 1),
    ("iso-8859-1", _latin1_score, 1),
)


def _guess(raw: bytes) -> tuple[str, str] | None:
    best: tuple[int, str, str] | None = None
    for charset, score_of, minimum in _CANDIDATES:
        text = _decode(raw, charset)
        if text is None or not _is_text(text):
            continue
        score = score_of(text)
        if score >= minimum and (best is None or score > best[0]):
            best = (score, charset, text)
    return None if best is None else (best[1], best[2])


def guess_charset(raw: bytes) -> str | None:
    """The most plausible of GB18030, Shift_JIS and ISO 8859-1 for bytes that are not UTF-8.

    None when no reading is text. Each reading must decode strictly and hold no stray control or
    private-use character; the readings are then scored by how typical their characters are.
    """
    guess = _guess(raw)
    return None if guess is None else guess[0]


def decode_payload(raw: bytes, *, charset: Charset = "auto") -> Payload:
    """The bytes as text: in `charset`, or (auto) UTF-8 if valid, else the best guess, else hex."""
    if b"\x00" in raw:
        return hex_payload(raw)  # NUL is in no text a code carries (UTF-16 comes with an ECI)
    if charset != "auto":
        text = _decode(raw, charset)
        return hex_payload(raw) if text is None else Payload(raw, text, charset)
    utf8 = _decode(raw, "utf-8")
    if utf8 is not None:
        # Controls stay (the verifier names them); a byte-order mark is no part of the text.
        return Payload(raw, utf8.removeprefix("\ufeff"), "utf-8")
    guess = _guess(raw)
    if guess is None:
        return hex_payload(raw)
    return Payload(raw, guess[1], guess[0])


def parse_eci_protocol(data: bytes) -> list[tuple[int | None, bytes]] | None:
    """Blocks of data in the ECI protocol: `\\NNNNNN` switches the ECI, `\\\\` is one backslash.

    Data before the first designator has no ECI (None). None if the data breaks the protocol (a
    backslash followed by neither).
    """
    blocks: list[tuple[int | None, bytes]] = []
    eci: int | None = None
    current = bytearray()
    pos = 0
    while True:
        slash = data.find(b"\\", pos)
        if slash < 0:
            current += data[pos:]
            break
        match = _DESIGNATOR.match(data, slash)
        if match is None:
            return None
        current += data[pos:slash]
        if match.group(1) == b"\\":
            current += b"\\"
        else:
            if current:
                blocks.append((eci, bytes(current)))
            current.clear()
            eci = int(match.group(1))
        pos = match.end()
    if current:
        blocks.append((eci, bytes(current)))
    return blocks


def decode_eci_blocks(blocks: Sequence[tuple[int | None, bytes]]) -> Payload:
    """Text from blocks each in its ECI; a block without one, or unknown or wrong, is guessed."""
    raw = b"".join(data for _, data in blocks)
    if any(eci == ECI_BINARY for eci, _ in blocks):
        return hex_payload(raw)
    texts: list[str] = []
    charsets: list[str] = []
    for eci, data in blocks:
        codec = ECI_CODECS.get(eci) if eci is not None else None
        text = _decode(data, codec) if codec is not None else None
        if codec is None or text is None:
            guessed = decode_payload(data)
            if guessed.binary:
                return hex_payload(raw)
            text, codec = guessed.text, guessed.charset
        texts.append(text)
        if codec not in charsets:
            charsets.append(codec)
    named = any(eci is not None for eci, _ in blocks)
    if not texts:
        return Payload(raw, "", "utf-8", eci=named)
    return Payload(raw, "".join(texts), "+".join(charsets), eci=named)


def decode_eci_protocol(data: bytes) -> Payload:
    """ECI-protocol data (a scanner's `]Q2` transmission, zxing-cpp's bytesECI) as a payload."""
    blocks = parse_eci_protocol(data)
    if blocks is None:
        return decode_payload(data)
    return decode_eci_blocks(blocks)
