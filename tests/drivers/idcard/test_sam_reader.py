"""The SAM reader worker against the simulated reader on a real pty, byte for byte."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from drivers.idcard.events import CardError, CardRemoved, IdCardRead, ReaderStatus
from drivers.idcard.frames import Command
from drivers.idcard.sam import SamReader
from drivers.idcard.text import CardType
from drivers.sim.idcard_samples import (
    SimCard,
    foreigner_2017_card,
    foreigner_2023_card,
    hmt_card,
    resident_card,
)
from drivers.sim.sam_reader import Reply, start_sam_simulator
from kiosk.core.ids import DocumentType
from kiosk.services.driver_texts import card_error_text
from tests.support.idcard import FAST, Events, SamRig

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize(
    ("card", "kind", "doc_type"),
    [
        (resident_card(), CardType.RESIDENT, DocumentType.RESIDENT_ID),
        (foreigner_2017_card(), CardType.FOREIGNER_2017, DocumentType.FOREIGNER_2017),
        (foreigner_2023_card(), CardType.FOREIGNER_2023, DocumentType.FOREIGNER_2023),
        (hmt_card(valid_to="20300101"), CardType.HK_MACAU_TAIWAN, DocumentType.HMT_PERMIT),
    ],
)
def test_each_card_type_is_read_once(
    sam: SamRig, card: SimCard, kind: CardType, doc_type: DocumentType
) -> None:
    sam.sim.place(card)
    read = sam.events.wait(IdCardRead)
    assert read.text.card_type is kind
    assert read.document.type is doc_type and read.document.number == card.number
    assert read.photo_wlt == card.photo and len(read.photo_wlt) == 1024
    assert read.expired is False
    assert read.t_frame <= read.t
    assert sam.sim.count(Command.SELECT_CARD) >= 1


def test_a_card_left_on_the_reader_is_one_event(sam: SamRig) -> None:
    sam.sim.place(resident_card())
    sam.events.wait(IdCardRead)
    finds = sam.sim.count(Command.FIND_CARD)
    sam.events.settle(0.5)
    assert sam.sim.count(Command.FIND_CARD) > finds + 5  # still polling…
    assert len(sam.events.of(IdCardRead)) == 1  # …but the card ignores HALT: no repeat
    assert sam.sim.reads_served == 1  # and it was not even read again


def test_removal_then_the_same_card_again_is_a_new_event(sam: SamRig) -> None:
    card = resident_card()
    sam.sim.place(card)
    sam.events.wait(IdCardRead)
    sam.sim.remove()
    sam.events.wait(CardRemoved)
    sam.sim.place(card)
    second = sam.events.wait(IdCardRead, count=2)
    assert second.document.number == card.number


def test_a_short_lift_of_the_same_card_is_not_a_new_tap(sam: SamRig) -> None:
    sam.sim.place(resident_card())
    sam.events.wait(IdCardRead)
    # Two "no card" answers (well under the removal time), then the card is found again.
    sam.sim.script(Command.FIND_CARD, Reply.with_status(0x80), times=2)
    sam.events.settle(0.4)
    assert len(sam.events.of(IdCardRead)) == 1
    assert sam.events.of(CardRemoved) == []
    assert sam.sim.reads_served == 2  # re-read to compare: it was the same card


def test_a_different_card_swapped_in_quickly_is_reported(sam: SamRig) -> None:
    first, second = resident_card(), resident_card(name="王芳", seq="456", sex="2")
    sam.sim.place(first)
    sam.events.wait(IdCardRead)
    sam.sim.script(Command.FIND_CARD, Reply.with_status(0x80))
    sam.sim.place(second)
    read = sam.events.wait(IdCardRead, count=2)
    assert read.document.number == second.number
    assert len(sam.events.of(CardRemoved)) == 1  # the first card's removal


def test_no_card_means_no_event(sam: SamRig) -> None:
    sam.events.settle(0.3)
    assert sam.sim.count(Command.FIND_CARD) > 5
    assert sam.sim.count(Command.SELECT_CARD) == 0
    assert [type(e) for e in sam.events.items] == [type(sam.reader.state)] * 2  # starting, ready


@pytest.mark.parametrize("status", [0x31, 0x32, 0x33, 0x41, 0x47])
def test_one_failed_read_is_retried_silently(sam: SamRig, status: int) -> None:
    sam.sim.script(Command.READ_TEXT_PHOTO, Reply.with_status(status))
    sam.sim.place(resident_card())
    sam.events.wait(IdCardRead)
    assert sam.events.of(CardError) == []


@pytest.mark.parametrize("status", [0x31, 0x32, 0x33, 0x41, 0x47, 0x10, 0x11, 0x21, 0x24])
def test_a_card_that_keeps_failing_is_reported_once(sam: SamRig, status: int) -> None:
    sam.sim.script(Command.READ_TEXT_PHOTO, Reply.with_status(status), times=1000)
    sam.sim.place(resident_card())
    err = sam.events.wait(CardError)
    assert f"0x{status:02X}" in err.detail
    assert card_error_text(err.code)[0].endswith("请重新放卡")  # what the desk shows
    sam.events.settle(0.3)
    assert len(sam.events.of(CardError)) == 1  # retried meanwhile, but said once
    sam.sim.clear_script()
    read = sam.events.wait(IdCardRead)  # a later attempt succeeds: the tap still counts
    assert read.document.number == resident_card().number


@pytest.mark.parametrize(("status", "code"), [(0x91, "no_content"), (0x55, "unexpected_status")])
def test_other_statuses_on_read_are_typed_errors(sam: SamRig, status: int, code: str) -> None:
    sam.sim.script(Command.READ_TEXT_PHOTO, Reply.with_status(status), times=1000)
    sam.sim.place(resident_card())
    err = sam.events.wait(CardError)
    assert err.code == code and f"0x{status:02X}" in err.detail


def test_unknown_card_type_is_reported_without_retrying(sam: SamRig) -> None:
    sam.sim.script(Command.READ_TEXT_PHOTO, Reply.with_status(0x40), times=1000)
    sam.sim.place(resident_card())
    err = sam.events.wait(CardError)
    assert err.code == "unknown_card_type"
    sam.events.settle(0.3)
    assert sam.sim.count(Command.READ_TEXT_PHOTO) == 1


@pytest.mark.parametrize("status", [0x80, 0x81])
def test_select_failing_because_the_card_moved_is_silent(sam: SamRig, status: int) -> None:
    sam.sim.script(Command.SELECT_CARD, Reply.with_status(status), times=3)
    sam.sim.place(resident_card())
    sam.events.wait(IdCardRead)
    assert sam.events.of(CardError) == []


@pytest.mark.parametrize("status", [0x23, 0x60, 0x66])
def test_sam_faults_set_the_reader_state_and_recover(sam: SamRig, status: int) -> None:
    sam.sim.sam_status = status
    sam.sim.script(Command.FIND_CARD, Reply.with_status(status))
    fault = sam.events.wait_status(ReaderStatus.FAULT)
    assert "SAM" in fault.detail
    sam.sim.sam_status = 0x90
    sam.events.wait_status(ReaderStatus.READY, count=2)
    sam.sim.place(resident_card())
    sam.events.wait(IdCardRead)


def test_a_bad_checksum_on_the_read_answer_is_dropped_and_retried(sam: SamRig) -> None:
    sam.sim.script(Command.READ_TEXT_PHOTO, Reply.corrupt_checksum())
    sam.sim.place(resident_card())
    sam.events.wait(IdCardRead)
    assert sam.reader.dropped_bytes > 0
    assert sam.sim.count(Command.READ_TEXT_PHOTO) == 2


def test_a_truncated_read_answer_times_out_and_is_retried(sam: SamRig) -> None:
    sam.sim.script(Command.READ_TEXT_PHOTO, Reply.truncate(700))
    sam.sim.place(resident_card())
    sam.events.wait(IdCardRead)
    assert sam.reader.dropped_bytes >= 700
    assert sam.events.of(CardError) == []


def test_noise_before_answers_is_skipped(sam: SamRig) -> None:
    sam.sim.script(Command.FIND_CARD, Reply.noise(b"\x00\x13\xaa\xaa\x37" * 20))
    sam.sim.script(Command.SELECT_CARD, Reply.noise(bytes(range(256))))
    sam.sim.script(Command.READ_TEXT_PHOTO, Reply.noise(b"\xff" * 33))
    sam.sim.place(hmt_card(valid_to="20300101"))
    read = sam.events.wait(IdCardRead)
    assert read.text.card_type is CardType.HK_MACAU_TAIWAN
    assert sam.sim.reads_served == 1  # resynchronised on the first attempt


def test_a_noisy_frame_that_fails_its_checksum_is_retried(sam: SamRig) -> None:
    good = resident_card().read_response()
    noisy = bytearray(good)
    noisy[300] ^= 0xFF  # one flipped byte in the text block
    sam.sim.script(Command.READ_TEXT_PHOTO, Reply.raw(bytes(noisy)))
    sam.sim.place(resident_card())
    read = sam.events.wait(IdCardRead)
    assert read.text.name == "张伟"  # the corrupt frame never reached the parser


def test_a_silent_reader_is_reported_and_recovers(sam: SamRig) -> None:
    sam.sim.script(Command.FIND_CARD, Reply.silence(), times=3)
    sam.events.wait_status(ReaderStatus.FAULT, timeout=5)
    sam.events.wait_status(ReaderStatus.READY, count=2)


def test_invalid_number_is_a_typed_error_with_masked_detail(sam: SamRig) -> None:
    card = resident_card(bad_check_digit=True)
    sam.sim.place(card)
    err = sam.events.wait(CardError)
    assert err.code == "invalid_number"
    assert card_error_text(err.code)[0] == "证件号码校验失败，请联系工作人员"
    assert card.number not in err.detail and card.number[-4:] in err.detail
    sam.events.settle(0.2)
    assert sam.events.of(IdCardRead) == [] and len(sam.events.of(CardError)) == 1
    sam.sim.remove()
    sam.events.wait(CardRemoved)


def test_garbage_card_text_is_a_typed_error(sam: SamRig) -> None:
    good = resident_card()
    text = bytearray(good.text)
    text[248:250] = "Z".encode("utf-16-le")
    sam.sim.place(SimCard(bytes(text), good.photo, None, good.number))
    err = sam.events.wait(CardError)
    assert err.code == "invalid_card_data" and "flag 'Z'" in err.detail


@pytest.mark.parametrize(
    ("valid_to", "expired", "end"),
    [
        ("20260519", True, date(2026, 5, 19)),
        ("20260520", False, date(2026, 5, 20)),
        ("长期", False, None),
    ],
)
def test_expiry_against_the_injected_day(
    sam: SamRig, valid_to: str, expired: bool, end: date | None
) -> None:
    sam.sim.place(resident_card(valid_to=valid_to))
    read = sam.events.wait(IdCardRead)
    assert (read.expired, read.valid_to) == (expired, end)


def test_unplug_mid_read_then_replug_gives_exactly_one_event(sam: SamRig) -> None:
    sam.sim.script(Command.READ_TEXT_PHOTO, Reply.unplug_after(600))
    sam.sim.place(resident_card())
    sam.events.wait_status(ReaderStatus.RECONNECTING)
    assert sam.events.of(IdCardRead) == []
    sam.sim.replug()
    sam.events.wait_status(ReaderStatus.READY, count=2)
    sam.events.wait(IdCardRead)
    sam.events.settle(0.3)
    assert len(sam.events.of(IdCardRead)) == 1


def test_a_card_already_read_is_not_repeated_after_a_replug(sam: SamRig) -> None:
    sam.sim.place(resident_card())
    sam.events.wait(IdCardRead)
    sam.sim.unplug()
    sam.events.wait_status(ReaderStatus.RECONNECTING)
    sam.sim.replug()
    sam.events.wait_status(ReaderStatus.READY, count=2)
    sam.events.settle(0.3)
    assert len(sam.events.of(IdCardRead)) == 1
    sam.sim.remove()
    sam.events.wait(CardRemoved)


def test_fingerprint_reads(tmp_path: Path) -> None:
    port, sim = start_sam_simulator(tmp_path / "ttySAM")
    reader = SamReader(port, fingerprint=True, timing=FAST)
    events = Events()
    reader.add_listener(events)
    reader.start()
    try:
        card = resident_card(fingerprint=True)
        sim.place(card)
        read = events.wait(IdCardRead)
        assert read.fingerprint == card.fingerprint
        assert sim.count(Command.READ_WITH_FINGERPRINT) == 1
        assert sim.count(Command.READ_TEXT_PHOTO) == 0
    finally:
        reader.stop()
        sim.stop()


def test_a_port_that_appears_later_is_picked_up(tmp_path: Path) -> None:
    link = tmp_path / "ttySAM"
    reader = SamReader(str(link), timing=FAST)
    events = Events()
    reader.add_listener(events)
    reader.start()
    try:
        absent = events.wait_status(ReaderStatus.ABSENT)
        assert "not present" in absent.detail
        _, sim = start_sam_simulator(link)
        try:
            events.wait_status(ReaderStatus.READY)
            sim.place(resident_card())
            events.wait(IdCardRead)
        finally:
            sim.stop()
    finally:
        reader.stop()
    assert reader.state.status is ReaderStatus.STOPPED


def test_a_listener_that_raises_does_not_stop_the_reader(sam: SamRig) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("desk bug")

    sam.reader.add_listener(broken)
    sam.sim.place(resident_card())
    sam.events.wait(IdCardRead)
    sam.sim.remove()
    sam.events.wait(CardRemoved)  # still polling after the listener blew up


def test_stop_is_prompt_and_idempotent(sam: SamRig) -> None:
    t = time.monotonic()
    sam.reader.stop()
    assert time.monotonic() - t < 1.0
    sam.reader.stop()
    assert sam.reader.state.status is ReaderStatus.STOPPED
