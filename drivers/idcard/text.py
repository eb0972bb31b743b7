"""The 256-byte text block of ID cards and residence permits (UCS-2 LE, space padded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from drivers.idcard.codes import nation_text, sex_text
from drivers.idcard.status import InvalidCardData
from kiosk.core.ids import DocumentType, IdentityDocument, mask_number, validate_document

TEXT_LEN = 256
LONG_TERM = "长期"  # printed in place of an end date on cards valid for life


class CardType(StrEnum):
    """The card kinds a SAM reads, named as `idcard decode` prints them."""

    RESIDENT = "resident"
    FOREIGNER_2017 = "foreigner_2017"
    FOREIGNER_2023 = "foreigner_2023"
    HK_MACAU_TAIWAN = "hk_macau_taiwan"

    @property
    def document_type(self) -> DocumentType:
        """The identity document type the number is validated as."""
        return _DOCUMENT_TYPES[self]


_DOCUMENT_TYPES = {
    CardType.RESIDENT: DocumentType.RESIDENT_ID,
    CardType.FOREIGNER_2017: DocumentType.FOREIGNER_2017,
    CardType.FOREIGNER_2023: DocumentType.FOREIGNER_2023,
    CardType.HK_MACAU_TAIWAN: DocumentType.HMT_PERMIT,
}

# The card-type flag at bytes 248-250: a space on resident cards (NUL on some early ones).
FLAG_SLICE = (248, 250)
FLAGS = {
    " ": CardType.RESIDENT,
    "\x00": CardType.RESIDENT,
    "I": CardType.FOREIGNER_2017,
    "Y": CardType.FOREIGNER_2023,
    "J": CardType.HK_MACAU_TAIWAN,
}
FLAG_CHAR = {
    CardType.RESIDENT: " ",
    CardType.FOREIGNER_2017: "I",
    CardType.FOREIGNER_2023: "Y",
    CardType.HK_MACAU_TAIWAN: "J",
}

_MAINLAND: tuple[tuple[str, int, int], ...] = (
    ("name", 0, 30),
    ("sex", 30, 32),
    ("nation", 32, 36),
    ("birth", 36, 52),
    ("address", 52, 122),
    ("id_number", 122, 158),
    ("authority", 158, 188),
    ("valid_from", 188, 204),
    ("valid_to", 204, 220),
)

# Byte ranges per card type; a field listed twice is one value continued in a second range.
LAYOUTS: dict[CardType, tuple[tuple[str, int, int], ...]] = {
    CardType.RESIDENT: _MAINLAND,
    CardType.HK_MACAU_TAIWAN: (*_MAINLAND, ("permit_number", 220, 238), ("issue_count", 238, 242)),
    CardType.FOREIGNER_2017: (
        ("english_name", 0, 120),
        ("sex", 120, 122),
        ("id_number", 122, 152),
        ("nationality", 152, 158),
        ("name", 158, 188),
        ("valid_from", 188, 204),
        ("valid_to", 204, 220),
        ("birth", 220, 236),
        ("card_version", 236, 240),
        ("authority", 240, 248),
    ),
    CardType.FOREIGNER_2023: (
        ("name", 0, 30),
        ("sex", 30, 32),
        ("issue_count", 32, 36),  # renewal count (换证次数)
        ("birth", 36, 52),
        ("english_name", 52, 122),
        ("id_number", 122, 158),
        ("authority", 158, 188),
        ("valid_from", 188, 204),
        ("valid_to", 204, 220),
        ("english_name", 220, 242),
        ("nationality", 242, 248),
        ("previous_link", 250, 256),  # links the card to a previous card's number
    ),
}


@dataclass(frozen=True, slots=True)
class IdCardText:
    """The fields of one card, stripped of padding, exactly as stored (dates YYYYMMDD or 长期).

    Personal fields stay out of `repr()` so an event that reaches a log never leaks them.
    """

    card_type: CardType
    id_number: str = field(repr=False)
    name: str = field(default="", repr=False)
    english_name: str = field(default="", repr=False)
    sex: str = ""
    nation: str = ""
    birth: str = field(default="", repr=False)
    address: str = field(default="", repr=False)
    authority: str = ""
    valid_from: str = ""
    valid_to: str = ""
    permit_number: str = field(default="", repr=False)
    issue_count: str = ""
    nationality: str = ""
    card_version: str = ""
    previous_link: str = ""

    @property
    def masked_number(self) -> str:
        """The document number as logs and screens show it."""
        return mask_number(self.id_number)

    @property
    def sex_text(self) -> str:
        """男/女/未知/未说明."""
        return sex_text(self.sex)

    @property
    def nation_text(self) -> str:
        """The ethnic group's name (resident cards)."""
        return nation_text(self.nation)

    @property
    def valid_to_date(self) -> date | None:
        """The last valid day, None for 长期; InvalidCardData if the field is not a date."""
        if self.valid_to == LONG_TERM:
            return None
        return parse_card_date(self.valid_to, what="valid-to date")

    def expired(self, today: date) -> bool:
        """Whether the card's last valid day is before `today` (长期 never expires)."""
        end = self.valid_to_date
        return end is not None and end < today

    def document(self) -> IdentityDocument:
        """The validated document; raises kiosk.core.errors.InvalidDocumentNumber if it fails."""
        return validate_document(self.card_type.document_type, self.id_number)


def parse_card_date(value: str, *, what: str) -> date:
    """A YYYYMMDD field as a date; InvalidCardData naming the field otherwise."""
    if len(value) != 8 or not value.isdigit():
        raise InvalidCardData(f"{what} {value!r} is not YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise InvalidCardData(f"{what} {value} is not a calendar date") from None


def _decode(text: bytes, start: int, end: int) -> str:
    try:
        return text[start:end].decode("utf-16-le")
    except UnicodeDecodeError:
        raise InvalidCardData(f"bytes {start}-{end} of the text block are not UCS-2") from None


def card_type_of(text: bytes) -> CardType:
    """The card type from the flag at bytes 248-250."""
    flag = _decode(text, *FLAG_SLICE)
    try:
        return FLAGS[flag]
    except KeyError:
        raise InvalidCardData(f"unknown card-type flag {flag!r} at bytes 248-250") from None


def parse_text(text: bytes) -> IdCardText:
    """Parse a 256-byte text block of any supported card type (pure; raises InvalidCardData)."""
    if len(text) != TEXT_LEN:
        raise InvalidCardData(f"text block has {len(text)} bytes, expected {TEXT_LEN}")
    kind = card_type_of(text)
    raw: dict[str, str] = {}
    for name, start, end in LAYOUTS[kind]:
        raw[name] = raw.get(name, "") + _decode(text, start, end)
    values = {k: v.strip(" \x00\u3000") for k, v in raw.items()}
    if not values.get("id_number"):
        raise InvalidCardData(f"{kind.value} card with an empty document number")
    card = IdCardText(card_type=kind, **values)
    if card.valid_to != LONG_TERM:
        parse_card_date(card.valid_to, what="valid-to date")
    return card


def encode_text(card_type: CardType, values: dict[str, str]) -> bytes:
    """Build a text block from field values (inverse of parse_text; the simulator uses it)."""
    known = {name for name, _, _ in LAYOUTS[card_type]}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"the {card_type.value} layout has no field {', '.join(unknown)}")
    buf = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    remaining = dict(values)
    for name, start, end in LAYOUTS[card_type]:
        width = (end - start) // 2
        value = remaining.get(name, "")
        part, remaining[name] = value[:width], value[width:]
        buf[start:end] = part.ljust(width).encode("utf-16-le")
    left = {k: v for k, v in remaining.items() if v}
    if left:
        raise ValueError(f"values too long for the {card_type.value} layout: {sorted(left)}")
    buf[FLAG_SLICE[0] : FLAG_SLICE[1]] = FLAG_CHAR[card_type].encode("utf-16-le")
    return bytes(buf)
