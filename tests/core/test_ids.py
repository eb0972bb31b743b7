"""Every document-number rule, with valid and invalid numbers of each type."""

from __future__ import annotations

import pytest

from kiosk.core.errors import InvalidDocumentNumber
from kiosk.core.ids import (
    DocumentType,
    guess_document,
    mask_number,
    validate_document,
)


def iso7064_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 written from its definition (weights 2^(17-i) mod 11), not from our table."""
    s = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - s % 11) % 11
    return "X" if value == 10 else str(value)


def with_check(first17: str) -> str:
    return first17 + iso7064_check(first17)


RESIDENT_VALID = [
    "11010519491231002X",  # the example printed in GB 11643-1999
    with_check("44030619900101123"),
    with_check("15010219851215456"),  # Inner Mongolia, Hohhot
    with_check("50010320000229001"),  # Chongqing, a leap day
]


@pytest.mark.parametrize("number", RESIDENT_VALID)
def test_valid_resident_ids(number: str) -> None:
    doc = validate_document(DocumentType.RESIDENT_ID, number)
    assert doc.type is DocumentType.RESIDENT_ID
    assert doc.number == number.upper()


def test_lowercase_x_and_spaces_are_normalised() -> None:
    doc = validate_document("resident_id", " 110105 19491231 002x ")
    assert doc.number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("110105194912310021", "check digit"),  # last digit wrong
        ("1101051949123100", "18"),  # too short
        ("11010519491231002XX", "18"),  # too long
        ("1101051949123100A1", "18"),  # a letter inside
        (with_check("11010519490230002"), "not a date"),  # 30 February
        (with_check("11010518991231002"), "out of range"),  # before 1900
        (with_check("11010530001231002"), "out of range"),  # in the future
        (with_check("99010519491231002"), "region"),  # no province 99
        (with_check("11000019491231002"), "region"),  # 0000 below the province
    ],
)
def test_invalid_resident_ids(number: str, fragment: str) -> None:
    with pytest.raises(InvalidDocumentNumber) as err:
        validate_document(DocumentType.RESIDENT_ID, number)
    assert fragment in str(err.value)
    assert err.value.screen_zh  # every error has a line for the desk


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_hmt_permit_numbers(prefix: str) -> None:
    number = with_check(prefix + "19900101002")
    assert validate_document(DocumentType.HMT_PERMIT, number).type is DocumentType.HMT_PERMIT
    # A permit number offered as a resident ID is recognised for what it is, and refused as one.
    with pytest.raises(InvalidDocumentNumber, match="permit"):
        validate_document(DocumentType.RESIDENT_ID, number)
    assert guess_document(number).type is DocumentType.HMT_PERMIT


def test_hmt_permit_rejects_other_prefixes_and_bad_check() -> None:
    with pytest.raises(InvalidDocumentNumber, match="810000"):
        validate_document(DocumentType.HMT_PERMIT, with_check("11010519491231002"))
    good = with_check("81000019900101002")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InvalidDocumentNumber, match="check digit"):
        validate_document(DocumentType.HMT_PERMIT, bad)


def test_foreigner_2017_numbers() -> None:
    doc = validate_document(DocumentType.FOREIGNER_2017, "USA310812150001")
    assert doc.type is DocumentType.FOREIGNER_2017
    for bad in ("USA31081215000", "US1310812150001", "USA3108121500012", "USA311313150001"):
        with pytest.raises(InvalidDocumentNumber):
            validate_document(DocumentType.FOREIGNER_2017, bad)


def test_foreigner_2023_numbers() -> None:
    number = with_check("93611019851215001")
    assert (
        validate_document(DocumentType.FOREIGNER_2023, number).type is DocumentType.FOREIGNER_2023
    )
    assert guess_document(number).type is DocumentType.FOREIGNER_2023
    with pytest.raises(InvalidDocumentNumber, match="start with 9"):
        validate_document(DocumentType.FOREIGNER_2023, with_check("11010519491231002"))
    with pytest.raises(InvalidDocumentNumber, match="check digit"):
        validate_document(
            DocumentType.FOREIGNER_2023, number[:-1] + str((int(number[-1], 36) + 1) % 10)
        )


def test_passport_and_staff_card_shapes() -> None:
    assert validate_document(DocumentType.PASSPORT, "e12345678").number == "E12345678"
    assert validate_document(DocumentType.STAFF_CARD, "H00123").type is DocumentType.STAFF_CARD
    for bad in ("E1", "E123-456", "中文号码12345"):
        with pytest.raises(InvalidDocumentNumber):
            validate_document(DocumentType.PASSPORT, bad)


def test_guess_classifies_by_shape() -> None:
    assert guess_document("11010519491231002X").type is DocumentType.RESIDENT_ID
    assert guess_document("USA310812150001").type is DocumentType.FOREIGNER_2017
    with pytest.raises(InvalidDocumentNumber):
        guess_document("12345")


def test_masking_keeps_only_the_ends() -> None:
    assert mask_number("11010519491231002X") == "110***********002X"
    assert mask_number("123456") == "******"
    doc = validate_document(DocumentType.RESIDENT_ID, "11010519491231002X")
    assert "19491231" not in doc.masked()
