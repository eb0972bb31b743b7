"""SAM frames against the protocol's published byte strings; the stream decoder's resync."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.idcard.frames import (
    Command,
    Dropped,
    FrameDecoder,
    FrameError,
    build_request,
    build_response,
    checksum,
    parse_request,
    parse_response,
    split_frame,
    split_read_data,
)
from drivers.sim.idcard_samples import resident_card


@pytest.mark.parametrize(
    ("command", "frame"),
    [
        (Command.RESET_SAM, "AAAAAA9669000310FFEC"),
        (Command.SAM_STATUS, "AAAAAA9669000311FFED"),
        (Command.READ_SAM_ID, "AAAAAA9669000312FFEE"),
        (Command.FIND_CARD, "AAAAAA96690003200122"),
        (Command.SELECT_CARD, "AAAAAA96690003200221"),
        (Command.READ_TEXT_PHOTO, "AAAAAA96690003300132"),
        (Command.READ_NEW_ADDRESS, "AAAAAA96690003300330"),
        (Command.READ_WITH_FINGERPRINT, "AAAAAA96690003301023"),
    ],
)
def test_request_frames_match_the_protocol(command: Command, frame: str) -> None:
    assert build_request(command).hex().upper() == frame
    parsed = parse_request(bytes.fromhex(frame))
    assert parsed.command is command and parsed.data == b""


@pytest.mark.parametrize(
    ("frame", "status", "data"),
    [
        ("AAAAAA9669000400009094", 0x90, ""),
        ("AAAAAA9669000800009F0000000097", 0x9F, "00000000"),
        ("AAAAAA9669000400008084", 0x80, ""),
        ("AAAAAA9669000C00009000000000000000009C", 0x90, "0000000000000000"),
    ],
)
def test_response_frames_match_the_protocol(frame: str, status: int, data: str) -> None:
    raw = bytes.fromhex(frame)
    resp = parse_response(raw)
    assert (resp.sw1, resp.sw2, resp.status, resp.data.hex()) == (0, 0, status, data)
    assert build_response(status, bytes.fromhex(data)) == raw


def test_checksum_is_xor_from_length_to_last_data_byte() -> None:
    assert checksum(bytes.fromhex("0003200122")[:-1]) == 0x22
    assert checksum(b"") == 0


def test_read_response_is_1295_bytes_with_the_published_layout() -> None:
    frame = resident_card().read_response()
    assert len(frame) == 1295
    assert frame[:14].hex().upper() == "AAAAAA96690508000090" + "0100" + "0400"
    blocks = split_read_data(parse_response(frame).data)
    assert (len(blocks.text), len(blocks.photo), blocks.fingerprint) == (256, 1024, None)


def test_read_with_fingerprint_is_2321_bytes() -> None:
    frame = resident_card(fingerprint=True).read_response(with_fingerprint=True)
    assert len(frame) == 2321
    assert frame[:16].hex().upper() == "AAAAAA9669090A000090" + "0100" + "0400" + "0400"
    blocks = split_read_data(parse_response(frame).data)
    assert blocks.fingerprint is not None and len(blocks.fingerprint) == 1024


@pytest.mark.parametrize(
    ("frame", "kind", "words"),
    [
        ("", "header", "no frame header"),
        ("BBAAAA9669000400009094", "header", "no frame header"),
        ("AAAAAA966900", "truncated", "length field is cut"),
        ("AAAAAA96690004000090", "truncated", "only 3 present"),
        ("AAAAAA9669000400009095", "checksum", "frame has 0x95, computed 0x94"),
        ("AAAAAA9669000400009094FF", "length", "1 bytes after the end"),
        ("AAAAAA96690002009092", "length", "outside"),
        ("AAAAAA9669FFFF", "length", "outside"),
    ],
)
def test_bad_frames_name_the_problem(frame: str, kind: str, words: str) -> None:
    with pytest.raises(FrameError) as info:
        split_frame(bytes.fromhex(frame))
    assert info.value.kind == kind
    assert words in str(info.value)


def test_read_data_whose_lengths_do_not_add_up_is_refused() -> None:
    with pytest.raises(FrameError, match="do not add up"):
        split_read_data(bytes.fromhex("01000400") + bytes(100))
    with pytest.raises(FrameError, match="no block lengths"):
        split_read_data(b"\x01")


FIND_OK = bytes.fromhex("AAAAAA9669000800009F0000000097")
NO_CARD = bytes.fromhex("AAAAAA9669000400008084")


def frames_of(items: list[bytes | Dropped]) -> list[bytes]:
    return [i for i in items if isinstance(i, bytes)]


def test_decoder_skips_garbage_before_a_frame() -> None:
    d = FrameDecoder()
    out = d.feed(b"\x00\xff\x13\x37" + FIND_OK)
    assert frames_of(out) == [FIND_OK]
    assert Dropped(4, "garbage") in out


def test_decoder_joins_a_frame_split_across_reads_even_inside_the_header() -> None:
    d = FrameDecoder()
    stream = b"\x55" + FIND_OK + NO_CARD
    got: list[bytes] = []
    for i in range(len(stream)):
        got += frames_of(d.feed(stream[i : i + 1]))
    assert got == [FIND_OK, NO_CARD]
    assert d.pending == 0


def test_decoder_resyncs_after_a_bad_checksum() -> None:
    d = FrameDecoder()
    bad = FIND_OK[:-1] + b"\x00"
    out = d.feed(bad + NO_CARD)
    assert frames_of(out) == [NO_CARD]
    assert any(isinstance(i, Dropped) and i.reason == "checksum" for i in out)


def test_decoder_drops_a_cut_frame_when_the_next_one_starts() -> None:
    d = FrameDecoder()
    cut = resident_card().read_response()[:600]
    out = d.feed(cut + NO_CARD)
    assert frames_of(out) == [NO_CARD]
    assert any(isinstance(i, Dropped) and i.reason == "truncated" for i in out)


def test_decoder_keeps_a_partial_frame_until_reset() -> None:
    d = FrameDecoder()
    assert d.feed(FIND_OK[:9]) == []
    assert d.pending == 9
    assert d.reset() == 9 and d.pending == 0
    assert frames_of(d.feed(NO_CARD)) == [NO_CARD]


def test_decoder_skips_a_header_with_an_impossible_length() -> None:
    d = FrameDecoder()
    out = d.feed(bytes.fromhex("AAAAAA9669FFFF") + NO_CARD)
    assert frames_of(out) == [NO_CARD]


@settings(max_examples=200, deadline=None)
@given(
    before=st.binary(max_size=64),
    between=st.binary(max_size=64),
    cuts=st.lists(st.integers(min_value=1, max_value=40), max_size=12),
)
def test_decoder_finds_every_frame_in_any_noise(
    before: bytes, between: bytes, cuts: list[int]
) -> None:
    # Noise never contains a whole header here, so both frames must come out intact.
    header = bytes.fromhex("AAAAAA9669")
    if header[:3] in before + between:
        before, between = before.replace(b"\xaa", b"\x00"), between.replace(b"\xaa", b"\x00")
    stream = before + FIND_OK + between + NO_CARD
    d = FrameDecoder()
    got: list[bytes] = []
    pos = 0
    for n in [*cuts, len(stream)]:
        got += frames_of(d.feed(stream[pos : pos + n]))
        pos += n
    assert got == [FIND_OK, NO_CARD]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_decoder_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    d = FrameDecoder()
    for item in d.feed(data):
        if isinstance(item, bytes):
            split_frame(item)  # whatever it returns as a frame is a valid frame
