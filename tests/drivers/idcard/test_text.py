"""Text blocks of resident cards, both foreigner cards and HMT permits, from byte offsets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from drivers.idcard.codes import NATION_TEXT, nation_text, sex_text
from drivers.idcard.status import InvalidCardData
from drivers.idcard.text import CardType, encode_text, parse_text
from drivers.sim.idcard_samples import (
    SimCard,
    foreigner_2017_card,
    foreigner_2023_card,
    hmt_card,
    resident_card,
    with_check_digit,
)
from kiosk.core.errors import InvalidDocumentNumber
from kiosk.core.ids import DocumentType, mod11_2_check


def block(fields: dict[tuple[int, int], str], flag: str = " ") -> bytes:
    """A text block written straight from the protocol's byte offsets (independent of LAYOUTS)."""
    buf = bytearray(" ".encode("utf-16-le") * 128)
    for (start, end), value in fields.items():
        buf[start:end] = value.ljust((end - start) // 2).encode("utf-16-le")
    buf[248:250] = flag.encode("utf-16-le")
    return bytes(buf)


NUMBER = "11010519491231002" + mod11_2_check("11010519491231002")
MAINLAND = {
    (0, 30): "欧阳娜娜",
    (30, 32): "2",
    (32, 36): "03",
    (36, 52): "19491231",
    (52, 122): "北京市朝阳区建国路1号院2号楼301室",
    (122, 158): NUMBER,
    (158, 188): "北京市公安局朝阳分局",
    (188, 204): "20100101",
    (204, 220): "长期",
}


def test_mainland_card_fields_from_their_offsets() -> None:
    card = parse_text(block(MAINLAND))
    assert card.card_type is CardType.RESIDENT
    assert card.name == "欧阳娜娜"
    assert (card.sex, card.sex_text) == ("2", "女")
    assert (card.nation, card.nation_text) == ("03", "回")
    assert card.birth == "19491231"
    assert card.address == "北京市朝阳区建国路1号院2号楼301室"
    assert card.id_number == NUMBER
    assert card.authority == "北京市公安局朝阳分局"
    assert (card.valid_from, card.valid_to) == ("20100101", "长期")


def test_long_term_card_never_expires() -> None:
    card = parse_text(block(MAINLAND))
    assert card.valid_to_date is None
    assert not card.expired(date(2099, 12, 31))


def test_expiry_is_relative_to_the_injected_day() -> None:
    card = parse_text(block({**MAINLAND, (204, 220): "20250101"}))
    assert card.valid_to_date == date(2025, 1, 1)
    assert not card.expired(date(2025, 1, 1))  # the last valid day is still valid
    assert card.expired(date(2025, 1, 2))


def test_nul_flag_of_early_cards_is_resident() -> None:
    raw = bytearray(block(MAINLAND))
    raw[248:250] = b"\x00\x00"
    assert parse_text(bytes(raw)).card_type is CardType.RESIDENT


def test_hmt_permit_adds_permit_number_and_issue_count() -> None:
    number = with_check_digit("81000019900718045")
    fields = {**MAINLAND, (32, 36): "", (122, 158): number}
    fields[(220, 238)] = "H12345678"
    fields[(238, 242)] = "02"
    card = parse_text(block(fields, flag="J"))
    assert card.card_type is CardType.HK_MACAU_TAIWAN
    assert (card.permit_number, card.issue_count) == ("H12345678", "02")
    assert card.document().type is DocumentType.HMT_PERMIT


def test_foreigner_2017_card_layout() -> None:
    fields = {
        (0, 120): "SMITH, JOHN",
        (120, 122): "1",
        (122, 152): "USA317804220017",
        (152, 158): "USA",
        (158, 188): "史密斯",
        (188, 204): "20180301",
        (204, 220): "20280301",
        (220, 236): "19780422",
        (236, 240): "13",
        (240, 248): "1500",
    }
    card = parse_text(block(fields, flag="I"))
    assert card.card_type is CardType.FOREIGNER_2017
    assert (card.english_name, card.name) == ("SMITH, JOHN", "史密斯")
    assert (card.id_number, card.nationality) == ("USA317804220017", "USA")
    assert (card.birth, card.card_version, card.authority) == ("19780422", "13", "1500")
    doc = card.document()
    assert doc.type is DocumentType.FOREIGNER_2017


def test_foreigner_2023_card_english_name_continues_after_byte_220() -> None:
    number = with_check_digit("93172419820915002")
    fields = {
        (0, 30): "玛丽亚",
        (30, 32): "2",
        (32, 36): "01",
        (36, 52): "19820915",
        (52, 122): "GARCIA FERNANDEZ, MARIA DE LOS ANG",  # 34 chars + 1 pad: fits 35
        (122, 158): number,
        (158, 188): "国家移民管理局",
        (188, 204): "20230601",
        (204, 220): "20330601",
        (242, 248): "ESP",
        (250, 256): "1",
    }
    raw = bytearray(block(fields, flag="Y"))
    # A 35-character first part, continued in 220-242.
    raw[52:122] = "GARCIA FERNANDEZ, MARIA DE LOS ANGE".encode("utf-16-le")
    raw[220:242] = "LES".ljust(11).encode("utf-16-le")
    card = parse_text(bytes(raw))
    assert card.card_type is CardType.FOREIGNER_2023
    assert card.english_name == "GARCIA FERNANDEZ, MARIA DE LOS ANGELES"
    assert (card.name, card.issue_count, card.nationality) == ("玛丽亚", "01", "ESP")
    assert card.previous_link == "1"
    assert card.document().type is DocumentType.FOREIGNER_2023


@pytest.mark.parametrize(
    ("sample", "kind", "doc_type"),
    [
        (resident_card(), CardType.RESIDENT, DocumentType.RESIDENT_ID),
        (hmt_card(), CardType.HK_MACAU_TAIWAN, DocumentType.HMT_PERMIT),
        (foreigner_2017_card(), CardType.FOREIGNER_2017, DocumentType.FOREIGNER_2017),
        (foreigner_2023_card(), CardType.FOREIGNER_2023, DocumentType.FOREIGNER_2023),
    ],
)
def test_samples_parse_and_validate(
    sample: SimCard, kind: CardType, doc_type: DocumentType
) -> None:
    card = parse_text(sample.text)
    assert card.card_type is kind
    assert card.id_number == sample.number
    assert card.document().type is doc_type


def test_a_bad_check_digit_fails_validation_not_parsing() -> None:
    card = parse_text(resident_card(bad_check_digit=True).text)
    with pytest.raises(InvalidDocumentNumber, match="check digit"):
        card.document()


def test_personal_fields_stay_out_of_repr() -> None:
    card = parse_text(block(MAINLAND))
    text = repr(card)
    assert NUMBER not in text and "欧阳娜娜" not in text and "建国路" not in text
    assert card.masked_number == NUMBER[:3] + "*" * 11 + NUMBER[-4:]


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda b: b[:255], "has 255 bytes"),
        (lambda b: b[:248] + "X".encode("utf-16-le") + b[250:], "unknown card-type flag 'X'"),
        (lambda b: b[:204] + "2025AB01".encode("utf-16-le") + b[220:], "is not YYYYMMDD"),
        (lambda b: b[:204] + "20250231".encode("utf-16-le") + b[220:], "not a calendar date"),
        (lambda b: b[:122] + " ".encode("utf-16-le") * 18 + b[158:], "empty document number"),
        (lambda b: b"\x00\xd8" + b[2:], "not UCS-2"),  # an unpaired surrogate
    ],
)
def test_malformed_text_is_a_typed_error(mutate: Callable[[bytes], bytes], words: str) -> None:
    with pytest.raises(InvalidCardData, match=words):
        parse_text(mutate(block(MAINLAND)))


def test_encode_refuses_fields_the_layout_lacks_or_values_too_long() -> None:
    with pytest.raises(ValueError, match="no field nation"):
        encode_text(CardType.FOREIGNER_2017, {"nation": "01", "id_number": "X"})
    with pytest.raises(ValueError, match="too long"):
        encode_text(CardType.RESIDENT, {"name": "名" * 16, "id_number": "X"})


def test_nation_and_sex_tables() -> None:
    assert len(NATION_TEXT) == 58  # 56 groups, 97 other, 98 foreign origin
    assert (nation_text("01"), nation_text("56"), nation_text("98")) == (
        "汉",
        "基诺",
        "外国血统中国籍人士",
    )
    assert nation_text("") == "" and nation_text("77") == "77"
    assert [sex_text(c) for c in "0129"] == ["未知", "男", "女", "未说明"]
