"""Identity documents and their number rules (GB 11643, foreigner cards, HMT permits)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kiosk.core.errors import InvalidDocumentNumber

# GB 11643-1999 MOD 11-2 weights for positions 1..17 and the check character for remainder 0..10.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# First digits of GB/T 2260 province codes (11 Beijing … 65 Xinjiang, 71 Taiwan, 81/82 HK/Macau).
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37}
    | {41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
# HK/Macau/Taiwan residence permits use these pseudo region codes in place of an address code.
_HMT_PREFIXES = ("810000", "820000", "830000")
# 2017 foreigner permanent residence card: 3 letters (nationality) + 12 digits.
_FOREIGNER_2017 = re.compile(r"^[A-Z]{3}\d{12}$")


class DocumentType(StrEnum):
    """Kinds of identity document an attendee can present."""

    RESIDENT_ID = "resident_id"
    FOREIGNER_2017 = "foreigner_2017"
    FOREIGNER_2023 = "foreigner_2023"
    HMT_PERMIT = "hk_macau_taiwan"
    PASSPORT = "passport"
    STAFF_CARD = "staff_card"


@dataclass(frozen=True, slots=True)
class IdentityDocument:
    """A validated document: type and normalised number (upper-case, no spaces)."""

    type: DocumentType
    number: str

    def masked(self) -> str:
        """The number as shown on screens and in logs."""
        return mask_number(self.number)


def mask_number(number: str) -> str:
    """Keep the first 3 and last 4 characters: enough for staff to tell people apart, no more."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mod11_2_check(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def _birth_date(digits: str, number: str) -> date:
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidDocumentNumber(
            f"birth date {digits} in {mask_number(number)} is not a date",
            screen_zh="证件号码中的出生日期无效",
            screen_en="The birth date in the number is not valid",
        ) from None
    if born.year < 1900 or born > date.today():
        raise InvalidDocumentNumber(
            f"birth date {digits} out of range", screen_zh="证件号码中的出生日期无效"
        )
    return born


def _check_18(number: str, kind: str) -> None:
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise InvalidDocumentNumber(
            f"{kind} number must have 18 characters (17 digits, then a digit or X),"
            f" got {len(number)}",
            screen_zh="证件号码应为18位",
            screen_en="The number must have 18 characters",
        )
    if mod11_2_check(number[:17]) != number[17]:
        raise InvalidDocumentNumber(
            f"{kind} number {mask_number(number)} fails the MOD 11-2 check digit",
            screen_zh="证件号码校验位错误，请核对",
            screen_en="Check digit wrong, please re-enter the number",
        )
    _birth_date(number[6:14], number)


def normalise(number: str) -> str:
    """Upper-case and strip spaces (a lower-case x is a common typing slip)."""
    return re.sub(r"\s+", "", number).upper()


def validate_resident_id(number: str) -> IdentityDocument:
    """A GB 11643 18-digit citizen number: shape, region, birth date, check digit."""
    n = normalise(number)
    _check_18(n, "resident ID")
    if n.startswith(_HMT_PREFIXES):
        return IdentityDocument(DocumentType.HMT_PERMIT, n)
    if int(n[:2]) not in _PROVINCES or n[2:6] == "0000":
        raise InvalidDocumentNumber(
            f"region code {n[:6]} is not a valid address code",
            screen_zh="证件号码地区码无效",
            screen_en="Region code in the number is not valid",
        )
    return IdentityDocument(DocumentType.RESIDENT_ID, n)


def validate_hmt_permit(number: str) -> IdentityDocument:
    """HK/Macau/Taiwan residence permit: 810000/820000/830000 + birth date + MOD 11-2."""
    n = normalise(number)
    _check_18(n, "HK/Macau/Taiwan permit")
    if not n.startswith(_HMT_PREFIXES):
        raise InvalidDocumentNumber(
            "HK/Macau/Taiwan residence permit numbers start with 810000, 820000 or 830000",
            screen_zh="港澳台居住证号码应以810000/820000/830000开头",
        )
    return IdentityDocument(DocumentType.HMT_PERMIT, n)


def validate_foreigner_2017(number: str) -> IdentityDocument:
    """2017 foreigner permanent residence card: 15 characters, 3-letter country code then digits."""
    n = normalise(number)
    if not _FOREIGNER_2017.fullmatch(n):
        raise InvalidDocumentNumber(
            f"2017 permanent residence number must be 3 letters and 12 digits, got {len(n)} chars",
            screen_zh="外国人永久居留证号码应为15位",
            screen_en="Permanent residence card number must have 15 characters",
        )
    # Characters 6-11 are the birth date as YYMMDD (after nationality and the 2-digit region).
    yy = int(n[5:7])
    century = "19" if yy > date.today().year % 100 else "20"
    _birth_date(century + n[5:11], n)
    return IdentityDocument(DocumentType.FOREIGNER_2017, n)


def validate_foreigner_2023(number: str) -> IdentityDocument:
    """2023 foreigner permanent residence card: 18 digits starting with 9, MOD 11-2."""
    n = normalise(number)
    if not n.startswith("9"):
        raise InvalidDocumentNumber(
            "2023 permanent residence numbers start with 9",
            screen_zh="新版外国人永久居留证号码应以9开头",
        )
    _check_18(n, "2023 permanent residence")
    return IdentityDocument(DocumentType.FOREIGNER_2023, n)


def validate_document(doc_type: DocumentType | str, number: str) -> IdentityDocument:
    """Validate a number for its declared type; passports and staff cards only need a sane shape."""
    kind = DocumentType(doc_type)
    if kind is DocumentType.RESIDENT_ID:
        doc = validate_resident_id(number)
        if doc.type is not DocumentType.RESIDENT_ID:
            raise InvalidDocumentNumber(
                "this is a HK/Macau/Taiwan permit number, not a resident ID",
                screen_zh="此号码为港澳台居住证号码",
            )
        return doc
    if kind is DocumentType.HMT_PERMIT:
        return validate_hmt_permit(number)
    if kind is DocumentType.FOREIGNER_2017:
        return validate_foreigner_2017(number)
    if kind is DocumentType.FOREIGNER_2023:
        return validate_foreigner_2023(number)
    n = normalise(number)
    if not re.fullmatch(r"[A-Z0-9]{5,20}", n):
        raise InvalidDocumentNumber(
            f"{kind.value} number must be 5-20 letters or digits",
            screen_zh="证件号码格式无效",
        )
    return IdentityDocument(kind, n)


def guess_document(number: str) -> IdentityDocument:
    """Classify a bare number typed at the desk; raise if it fits no validated type."""
    n = normalise(number)
    if len(n) == 15:
        return validate_foreigner_2017(n)
    if len(n) == 18 and n.startswith("9"):
        return validate_foreigner_2023(n)
    return validate_resident_id(n)
