"""Every reason code a driver emits has its words on screen, translated (the conftest's zh)."""

from __future__ import annotations

import re

from drivers.face.events import FACE_HINTS, LIVENESS_FAILURES
from drivers.face.liveness import Challenge
from drivers.idcard.status import CARD_ERROR_CODES
from kiosk.ui import texts

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_card_error_code_is_worded_in_chinese() -> None:
    assert set(texts.REASONS) >= CARD_ERROR_CODES, CARD_ERROR_CODES - set(texts.REASONS)
    for code in CARD_ERROR_CODES:
        assert CJK.search(texts.reason_text(code)), code


def test_every_face_code_is_worded_in_chinese() -> None:
    refusals = {f"liveness_{reason}" for reason in LIVENESS_FAILURES}
    assert refusals <= set(texts.REASONS)
    prompts = FACE_HINTS | {c.value for c in Challenge}
    assert prompts <= set(texts.PROMPTS)
    for code in refusals:
        assert CJK.search(texts.reason_text(code)), code
    for code in prompts:
        assert CJK.search(texts.prompt_text(code)), code


def test_a_zero_uid_tells_the_attendee_which_reader_to_use() -> None:
    assert "身份证" in texts.reason_text("id_card_on_uid_reader")
    assert texts.reason_text("id_card_on_uid_reader") != texts.reason_text("unusable_uid")
