"""The one reader of a code's bytes as text (kiosk.core.charset), and the verifier reading them."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.charset import (
    Payload,
    decode_eci_blocks,
    decode_eci_protocol,
    decode_payload,
    guess_charset,
    parse_eci_protocol,
)
from kiosk.core.codes import Reason, VerdictKind, classify_and_verify, credential_text
from kiosk.core.codes.verify import inspection_context
from tests.support.charsets import BINARY, JAPANESE, NAME_CARD, UNIT
from tests.support.qr import PlatformKeys
from tests.support.roster import DAY1, FakeClock, at, make_project


def test_the_unit_name_is_thirty_characters() -> None:
    assert len(UNIT) == 30 and NAME_CARD.startswith("张伟 ")


@pytest.mark.parametrize(
    ("raw", "charset", "text"),
    [
        (b"CME-NUM1:A17", "utf-8", "CME-NUM1:A17"),
        (NAME_CARD.encode("utf-8"), "utf-8", NAME_CARD),
        (b"\xef\xbb\xbf" + "张伟".encode(), "utf-8", "张伟"),  # a byte-order mark is no text
        ("张伟".encode("gb18030"), "gb18030", "张伟"),  # as Shift_JIS: half-width ﾕﾅﾎｰ
        (NAME_CARD.encode("gbk"), "gb18030", NAME_CARD),  # as Latin-1: ÕÅÎ° ÄÚÃÉ…
        ("王堃".encode("gbk"), "gb18030", "王堃"),  # a name with a GBK-only character
        ("华中科技大学同济医学院附属协和医院".encode("gb2312"), "gb18030", "华中科技大学同济医学院附属协和医院"),
        (JAPANESE.encode("shift_jis"), "shift_jis", JAPANESE),  # as GBK: rare GBK/3 characters
        ("東京都千代田区".encode("cp932"), "shift_jis", "東京都千代田区"),  # kanji only
        ("こんにちは".encode("shift_jis"), "shift_jis", "こんにちは"),
        ("Märchenbücher".encode("latin-1"), "iso-8859-1", "Märchenbücher"),
        ("café".encode("latin-1"), "iso-8859-1", "café"),
    ],
)  # fmt: skip
def test_text_in_the_character_set_its_maker_used(raw: bytes, charset: str, text: str) -> None:
    payload = decode_payload(raw)
    assert (payload.text, payload.charset, payload.raw) == (text, charset, raw)
    assert not payload.eci and not payload.binary


@pytest.mark.parametrize(
    "raw",
    [
        BINARY,
        b"\x00",
        b"\xc3\x28",  # broken UTF-8; "Ã(" has no letter beside the Ã
        bytes(range(0x80, 0xA0)),  # C1 controls in every reading
        b"\xff\xfe\xfd",
        "𠀀".encode("gb18030"),  # a four-byte GB18030 character alone: rarer than noise
    ],
)
def test_bytes_that_are_no_text_are_hex(raw: bytes) -> None:
    payload = decode_payload(raw)
    assert payload.binary and payload.charset == "binary"
    assert payload.text == "hex:" + raw.hex() and payload.raw == raw
    assert guess_charset(raw) is None


def test_utf8_stays_utf8_even_when_gbk_could_read_it() -> None:
    # "é" in UTF-8 is C3 A9, which GBK reads as 茅: valid UTF-8 wins.
    assert decode_payload("é".encode()).text == "é"
    assert guess_charset("é".encode()) == "gb18030"


def test_utf8_controls_stay_for_the_verifier_to_name() -> None:
    payload = decode_payload(b"CME-NUM1:A1\x1b[2J")
    assert payload.charset == "utf-8" and payload.text == "CME-NUM1:A1\x1b[2J"


def test_a_scanner_set_to_a_charset_is_read_in_it() -> None:
    gbk = NAME_CARD.encode("gbk")
    assert decode_payload(gbk, charset="gb18030") == Payload(gbk, NAME_CARD, "gb18030")
    assert decode_payload(gbk, charset="utf-8").binary  # not UTF-8: no guessing when told
    utf8 = "张伟".encode()
    assert decode_payload(utf8, charset="utf-8").text == "张伟"
    assert decode_payload(b"A17", charset="gb18030").text == "A17"  # ASCII is ASCII
    assert decode_payload(b"\x81\x20", charset="gb18030").binary


def test_eci_protocol_blocks_and_escaped_backslashes() -> None:
    data = b"\\000026a\\\\b\xe5\xbc\xa0\\000029\xce\xb0"
    assert parse_eci_protocol(data) == [(26, b"a\\b\xe5\xbc\xa0"), (29, b"\xce\xb0")]
    payload = decode_eci_protocol(data)
    assert payload == Payload(b"a\\b\xe5\xbc\xa0\xce\xb0", "a\\b张伟", "utf-8+gb2312", eci=True)
    assert parse_eci_protocol(b"no designator") == [(None, b"no designator")]
    assert parse_eci_protocol(b"") == []
    assert parse_eci_protocol(b"\\00002") is None  # five digits: not the protocol
    assert parse_eci_protocol(b"a\\b") is None


@pytest.mark.parametrize(
    ("blocks", "text", "charset"),
    [
        ([(20, JAPANESE.encode("shift_jis"))], JAPANESE, "shift_jis"),
        ([(3, "Märchen".encode("latin-1"))], "Märchen", "iso-8859-1"),
        ([(28, "張偉".encode("big5"))], "張偉", "big5"),  # only an ECI tells Big5 from GBK
        ([(32, NAME_CARD.encode("gb18030"))], NAME_CARD, "gb18030"),
        ([(25, "张伟".encode("utf-16-be"))], "张伟", "utf-16-be"),  # NUL bytes, still text
        # An ECI this reader does not know, or bytes its charset cannot read: guessed instead.
        ([(999, "张伟".encode("gbk"))], "张伟", "gb18030"),
        ([(26, "张伟".encode("gbk"))], "张伟", "gb18030"),
        ([(None, b"CME-"), (26, b"NUM1:A1")], "CME-NUM1:A1", "utf-8"),
    ],
)
def test_an_eci_wins(blocks: list[tuple[int | None, bytes]], text: str, charset: str) -> None:
    payload = decode_eci_blocks(blocks)
    assert (payload.text, payload.charset, payload.eci) == (text, charset, True)
    assert not decode_eci_blocks([(None, data) for _, data in blocks]).eci
    assert payload.raw == b"".join(data for _, data in blocks)


def test_binary_eci_and_unreadable_blocks_are_hex() -> None:
    assert decode_eci_blocks([(899, b"\x01\x02")]).text == "hex:0102"
    assert decode_eci_blocks([(26, b"ok"), (999, b"\x00\xff")]).text == "hex:6f6b00ff"


@settings(max_examples=300, deadline=None)
@given(
    raw=st.binary(max_size=200),
    charset=st.sampled_from(["auto", "utf-8", "gb18030"]),
)
def test_any_bytes_become_text_or_hex_and_keep_their_bytes(raw: bytes, charset: str) -> None:
    payload = decode_payload(raw, charset=charset)  # type: ignore[arg-type]
    assert payload.raw == raw
    if payload.binary:
        assert payload.text == "hex:" + raw.hex()
    if charset == "auto" and b"\x00" not in raw:
        try:
            utf8 = raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            assert payload.text == utf8.removeprefix("\ufeff")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 999_999), st.binary(max_size=40)), max_size=4))
def test_eci_protocol_round_trip(blocks: list[tuple[int, bytes]]) -> None:
    data = b"".join(
        f"\\{eci:06d}".encode() + chunk.replace(b"\\", b"\\\\") for eci, chunk in blocks
    )
    parsed = parse_eci_protocol(data)
    assert parsed is not None
    assert b"".join(chunk for _, chunk in parsed) == b"".join(chunk for _, chunk in blocks)
    payload = decode_eci_protocol(data)  # never raises, whatever the ECIs say
    assert payload.raw == b"".join(chunk for _, chunk in blocks)


# ---- the verifier ---------------------------------------------------------------------------------

KEYS = PlatformKeys()
CLOCK = FakeClock(at(DAY1, 9))
PROJECT = make_project()


def test_gbk_bytes_are_read_as_text_not_refused_as_binary() -> None:
    v = classify_and_verify(NAME_CARD.encode("gbk"), context=inspection_context(clock=CLOCK))
    assert (v.kind, v.reason) == (VerdictKind.REJECTED, Reason.UNKNOWN_PREFIX)
    # A name is personal data: the log detail keeps its length, not its characters.
    assert "张" not in v.detail and v.detail == f"{len(NAME_CARD)} characters, not ASCII"
    bare = classify_and_verify(b"HELLO:WORLD", context=inspection_context(clock=CLOCK))
    assert bare.detail == "11 characters, starts 'HELL'"
    binary = classify_and_verify(BINARY, context=inspection_context(clock=CLOCK))
    assert (binary.reason, binary.detail) == (Reason.BINARY, f"{len(BINARY)} bytes, not text")


def test_a_bare_reference_in_a_code_from_another_system() -> None:
    context = KEYS.context(PROJECT, clock=CLOCK, roster={"A17"})
    allowing = dataclasses.replace(context, allow_plain_roster_codes=True)
    # The same badge number, printed in Shift_JIS with an ECI: the text is what is matched.
    payload = decode_eci_blocks([(20, "A17".encode("shift_jis"))])
    v = classify_and_verify(payload, context=allowing)
    assert (v.kind, v.reason, v.attendee_id) == (VerdictKind.ROSTER_CODE, Reason.OK, "A17")


def test_signed_codes_are_checked_over_their_exact_bytes() -> None:
    ticket = KEYS.ticket(PROJECT.number, "A17", start=at(DAY1, 0))
    context = KEYS.context(PROJECT, clock=CLOCK, roster={"A17"})
    # With an ECI naming UTF-8 (as some generators always add): the bytes are the ticket's.
    labelled = decode_eci_protocol(b"\\000026" + ticket.encode())
    assert labelled.eci and labelled.raw == ticket.encode()
    assert classify_and_verify(labelled, context=context).accepted
    # The same text from other bytes (UTF-16 behind an ECI): never verified over re-encoded text.
    utf16 = decode_eci_blocks([(25, ticket.encode("utf-16-be"))])
    assert utf16.text == ticket
    v = classify_and_verify(utf16, context=context)
    assert (v.kind, v.reason) == (VerdictKind.REJECTED, Reason.MALFORMED)
    assert "ASCII, byte for byte" in v.detail
    # A payload whose text and bytes disagree (a decoder bug) is refused, not trusted.
    forged = Payload(b"CME-TKT1:" + b"A" * 8, ticket, "utf-8")
    assert classify_and_verify(forged, context=context).reason is Reason.MALFORMED


def test_the_denied_record_keeps_the_codes_text() -> None:
    # Read by the camera (GBK bytes) or by a scanner sending UTF-8: one credential.
    assert credential_text(NAME_CARD.encode("gbk")) == NAME_CARD
    assert credential_text(NAME_CARD.encode("utf-8")) == NAME_CARD
    assert credential_text(BINARY) == "hex:" + BINARY.hex()
    assert credential_text(decode_payload(NAME_CARD.encode("gbk"))) == NAME_CARD
