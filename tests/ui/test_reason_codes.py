"""Every reason code a driver emits has its words on screen, translated (the conftest's zh)."""

from __future__ import annotations

import re
from pathlib import Path

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


def _device_codes() -> set[str]:
    """Every device reason code the desk can report: the drivers' states and every literal."""
    from drivers.camera.events import CameraStatus
    from drivers.idcard.events import ReaderStatus
    from drivers.scanner.base import SCANNER_STATES

    root = Path(__file__).resolve().parents[2] / "kiosk"
    literals = {
        code
        for path in root.rglob("*.py")
        for code in re.findall(r'DeviceReason\(\s*"(\w+)"', path.read_text(encoding="utf-8"))
    }
    return (
        {f"reader_{s.value}" for s in ReaderStatus}
        | {f"camera_{s.value}" for s in CameraStatus}
        | {f"scanner_{s}" for s in SCANNER_STATES}
        | literals
    )


def test_every_device_code_is_in_both_catalogues_and_worded_in_chinese() -> None:
    from kiosk.services import device_texts
    from kiosk.services.screen import DeviceReason

    codes = _device_codes()
    assert len(codes) > 30 and "worker_still_running" in codes and "qr_ready" in codes
    assert set(texts.DEVICE_REASONS) == codes, set(texts.DEVICE_REASONS) ^ codes
    assert set(device_texts.DEVICE_REASONS) == codes, set(device_texts.DEVICE_REASONS) ^ codes
    for code in codes:
        reason = DeviceReason(code, ("/dev/ttyX",))
        screen = texts.device_reason_line(reason)
        assert CJK.search(screen) and "%" not in screen, code
        plain = device_texts.device_reason_text(reason)
        assert plain == device_texts.fill(texts.DEVICE_REASONS[code], ("/dev/ttyX",)), code
        assert "%" not in device_texts.device_reason_text(reason, "zh"), code
    ready = texts.device_reason_line(DeviceReason("reader_ready", ("/dev/cme-sam",)))
    assert ready == "就绪（/dev/cme-sam）"
