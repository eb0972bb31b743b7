"""Realistic ID-card contents for tests and the demo: text blocks and whole read responses.

Every number carries a correct check digit (GB 11643 MOD 11-2) so the kiosk's validation
passes; `bad_check_digit=True` builds the damaged/forged variant.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from drivers.idcard.frames import STATUS_OK, build_read_data, build_response
from drivers.idcard.text import CardType, encode_text
from kiosk.core.ids import mod11_2_check

PHOTO_LEN = 1024
FINGERPRINT_LEN = 1024


@dataclass(frozen=True, slots=True)
class SimCard:
    """What a simulated card answers to a read: 256 bytes of text, a WLT photo, fingerprints."""

    text: bytes
    photo: bytes = field(repr=False)
    fingerprint: bytes | None = field(default=None, repr=False)
    number: str = field(default="", repr=False)  # the document number, for assertions

    def read_data(self, *, with_fingerprint: bool = False) -> bytes:
        """The data of a successful read response (block lengths and blocks)."""
        fp = None
        if with_fingerprint:
            fp = self.fingerprint if self.fingerprint is not None else bytes(FINGERPRINT_LEN)
        return build_read_data(self.text, self.photo, fp)

    def read_response(self, *, with_fingerprint: bool = False) -> bytes:
        """The whole response frame: 1295 bytes, or 2321 with the fingerprint block."""
        return build_response(STATUS_OK, self.read_data(with_fingerprint=with_fingerprint))


def with_check_digit(first17: str, *, bad_check_digit: bool = False) -> str:
    """An 18-character number: the 17 digits and their MOD 11-2 check (or a wrong one)."""
    check = mod11_2_check(first17)
    if bad_check_digit:
        check = "0" if check != "0" else "1"
    return first17 + check


def wlt_photo(seed: str) -> bytes:
    """1024 bytes shaped like a WLT photo (the format's 'WLf' magic, then opaque bytes)."""
    out = bytearray(b"WLf\x00~2\x00\x00")
    counter = 0
    while len(out) < PHOTO_LEN:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:PHOTO_LEN])


def _card(kind: CardType, values: dict[str, str], *, fingerprint: bool) -> SimCard:
    number = values["id_number"]
    fp = wlt_photo("fp:" + number)[:FINGERPRINT_LEN] if fingerprint else None
    return SimCard(encode_text(kind, values), wlt_photo(number), fp, number)


def resident_card(
    *,
    name: str = "张伟",
    sex: str = "1",
    nation: str = "01",
    birth: str = "19850312",
    region: str = "150102",
    seq: str = "123",
    address: str = "内蒙古自治区呼和浩特市新城区新华大街63号",
    authority: str = "呼和浩特市公安局新城区分局",
    valid_from: str = "20150601",
    valid_to: str = "20350601",
    fingerprint: bool = False,
    bad_check_digit: bool = False,
) -> SimCard:
    """A mainland resident ID card (flag: space)."""
    number = with_check_digit(region + birth + seq, bad_check_digit=bad_check_digit)
    values = {
        "name": name,
        "sex": sex,
        "nation": nation,
        "birth": birth,
        "address": address,
        "id_number": number,
        "authority": authority,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    return _card(CardType.RESIDENT, values, fingerprint=fingerprint)


def hmt_card(
    *,
    name: str = "陈家明",
    sex: str = "1",
    birth: str = "19900718",
    region: str = "810000",
    seq: str = "045",
    address: str = "广东省深圳市福田区福华路88号",
    authority: str = "深圳市公安局",
    valid_from: str = "20200101",
    valid_to: str = "20250101",
    permit_number: str = "H12345678",
    issue_count: str = "01",
    bad_check_digit: bool = False,
) -> SimCard:
    """A Hong Kong / Macau / Taiwan residence permit (flag J): number 810000/820000/830000…."""
    number = with_check_digit(region + birth + seq, bad_check_digit=bad_check_digit)
    values = {
        "name": name,
        "sex": sex,
        "birth": birth,
        "address": address,
        "id_number": number,
        "authority": authority,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "permit_number": permit_number,
        "issue_count": issue_count,
    }
    return _card(CardType.HK_MACAU_TAIWAN, values, fingerprint=False)


def foreigner_2017_card(
    *,
    english_name: str = "SMITH, JOHN MICHAEL",
    name: str = "史密斯",
    sex: str = "1",
    nationality: str = "USA",
    birth: str = "19780422",
    region: str = "31",
    seq: str = "0017",
    valid_from: str = "20180301",
    valid_to: str = "20280301",
    version: str = "13",
    authority: str = "1500",
) -> SimCard:
    """A 2017 foreigner permanent residence card (flag I): 3 letters, then 12 digits."""
    number = f"{nationality}{region}{birth[2:]}{seq}"
    values = {
        "english_name": english_name,
        "sex": sex,
        "id_number": number,
        "nationality": nationality,
        "name": name,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "birth": birth,
        "card_version": version,
        "authority": authority,
    }
    return _card(CardType.FOREIGNER_2017, values, fingerprint=False)


def foreigner_2023_card(
    *,
    name: str = "玛丽亚",
    english_name: str = "GARCIA FERNANDEZ, MARIA DE LOS ANGELES",
    sex: str = "2",
    renewal_count: str = "00",
    birth: str = "19820915",
    acceptance: str = "31",
    country_code: str = "724",
    seq: str = "002",
    authority: str = "国家移民管理局",
    valid_from: str = "20230601",
    valid_to: str = "20330601",
    nationality: str = "ESP",
    previous_link: str = "",
    bad_check_digit: bool = False,
) -> SimCard:
    """A 2023 foreigner permanent residence card (flag Y): 18 digits starting with 9."""
    number = with_check_digit(
        f"9{acceptance}{country_code}{birth}{seq}", bad_check_digit=bad_check_digit
    )
    values = {
        "name": name,
        "sex": sex,
        "issue_count": renewal_count,
        "birth": birth,
        "english_name": english_name,
        "id_number": number,
        "authority": authority,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "nationality": nationality,
        "previous_link": previous_link,
    }
    return _card(CardType.FOREIGNER_2023, values, fingerprint=False)
