"""Byte-level building blocks shared by the code formats: fields, base32 and text screening."""

from __future__ import annotations

import base64
import binascii
import struct
import unicodedata

MAX_PAYLOAD = 512  # characters or bytes: longer than any format we issue, so longer is hostile
MAX_PROJECT_BYTES = 40  # UTF-8 bytes of a project number (e.g. "2026-15-01-001(国)")
MAX_ATTENDEE_BYTES = 40  # UTF-8 bytes of an attendee reference ("A17", a UUID, …)
MAX_KEY_ID_BYTES = 16

# Control, format (bidi overrides, zero-width), surrogate, private-use and unassigned characters:
# none belongs in a code, and bidi/zero-width ones are how a payload hides what it says.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


class WireError(ValueError):
    """A payload whose bytes do not follow its format (the verdict reason is `malformed`)."""


def has_forbidden_characters(text: str) -> bool:
    """Whether text contains a control, format, surrogate, private-use or unassigned character."""
    return any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in text)


def check_field(value: str, *, name: str, limit: int) -> bytes:
    """A text field's UTF-8 bytes; ValueError if empty, too long or not printable."""
    if not value:
        raise ValueError(f"{name} is empty")
    if has_forbidden_characters(value) or value != value.strip():
        raise ValueError(f"{name} contains control characters or surrounding spaces")
    raw = value.encode("utf-8")
    if len(raw) > limit:
        raise ValueError(f"{name} is {len(raw)} bytes long (at most {limit})")
    return raw


class Writer:
    """Appends length-prefixed text and fixed-width integers."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def text(self, value: str, *, name: str, limit: int) -> None:
        """A field as one length byte and its UTF-8 bytes."""
        raw = check_field(value, name=name, limit=limit)
        self._parts.append(bytes([len(raw)]) + raw)

    def u32(self, value: int) -> None:
        """An unsigned 32-bit big-endian integer."""
        if not 0 <= value < 2**32:
            raise ValueError(f"{value} does not fit in 32 bits")
        self._parts.append(struct.pack(">I", value))

    def raw(self, value: bytes) -> None:
        """Bytes as they are (a signature or MAC at the end)."""
        self._parts.append(value)

    def getvalue(self) -> bytes:
        """Everything written so far."""
        return b"".join(self._parts)


class Reader:
    """Reads what Writer wrote; every short read or bad field is a WireError."""

    def __init__(self, data: bytes):
        self._data = data
        self._pos = 0

    def _take(self, n: int) -> bytes:
        if self._pos + n > len(self._data):
            raise WireError("payload ends early")
        out = self._data[self._pos : self._pos + n]
        self._pos += n
        return out

    def text(self, *, name: str, limit: int) -> str:
        """A length-prefixed UTF-8 field within its limit and free of control characters."""
        size = self._take(1)[0]
        if size == 0 or size > limit:
            raise WireError(f"{name} length {size} out of range")
        try:
            value = self._take(size).decode("utf-8")
        except UnicodeDecodeError:
            raise WireError(f"{name} is not UTF-8") from None
        if has_forbidden_characters(value) or value != value.strip():
            raise WireError(f"{name} contains control characters")
        return value

    def u32(self) -> int:
        """An unsigned 32-bit big-endian integer."""
        return int(struct.unpack(">I", self._take(4))[0])

    def rest(self, n: int) -> bytes:
        """Exactly the last n bytes: anything before or after them is an error."""
        if len(self._data) - self._pos != n:
            raise WireError("payload has the wrong length")
        return self._take(n)

    @property
    def consumed(self) -> bytes:
        """The bytes read so far (what a trailing signature covers)."""
        return self._data[: self._pos]


def b32encode(data: bytes) -> str:
    """RFC 4648 base32 without padding: upper-case letters and digits fit QR alphanumeric mode."""
    return base64.b32encode(data).decode("ascii").rstrip("=")


def b32decode(text: str) -> bytes:
    """Decode unpadded base32, any case (a scanner with Caps Lock on inverts letters)."""
    if not text or len(text) % 8 in (1, 3, 6):
        raise WireError("not base32")
    padded = text.upper() + "=" * (-len(text) % 8)
    try:
        data = base64.b32decode(padded)
    except (binascii.Error, ValueError):
        raise WireError("not base32") from None
    # The last character's spare bits must be zero, as b32encode writes them: otherwise several
    # texts would carry one payload, and a changed last character could go unnoticed.
    if b32encode(data) != text.upper():
        raise WireError("not canonical base32")
    return data
