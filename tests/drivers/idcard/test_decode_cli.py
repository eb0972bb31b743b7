"""`cme-kiosk idcard decode`: the issue's JSON keys per card type; bad frames in one line."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.idcard.decode import DecodeError, decode_frame, parse_hex
from drivers.idcard.frames import build_response
from drivers.sim.idcard_samples import (
    SimCard,
    foreigner_2017_card,
    foreigner_2023_card,
    hmt_card,
    resident_card,
)
from kiosk.cli import main

ROOT = Path(__file__).resolve().parents[3]
COMMON = {"card_type", "name", "sex", "sex_text", "birth", "id_number", "authority"}
COMMON |= {"valid_from", "valid_to", "photo_wlt_base64"}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(["idcard", "decode", *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("card", "card_type", "extra"),
    [
        (resident_card(), "resident", {"nation", "nation_text", "address"}),
        (hmt_card(), "hk_macau_taiwan", {"address", "permit_number", "issue_count"}),
        (foreigner_2017_card(), "foreigner_2017", {"english_name", "nationality"}),
        (
            foreigner_2023_card(),
            "foreigner_2023",
            {"english_name", "nationality", "issue_count"},
        ),
    ],
)
def test_keys_per_card_type(
    capsys: pytest.CaptureFixture[str], card: SimCard, card_type: str, extra: set[str]
) -> None:
    code, out, err = run(capsys, card.read_response().hex())
    assert code == 0, err
    assert out.count("\n") == 1
    fields = json.loads(out)
    assert set(fields) == COMMON | extra
    assert fields["card_type"] == card_type
    assert fields["id_number"] == card.number  # unmasked: a local field tool
    assert base64.b64decode(fields["photo_wlt_base64"]) == card.photo


def test_resident_values_are_stripped_and_as_stored(capsys: pytest.CaptureFixture[str]) -> None:
    card = resident_card(name="王芳", sex="2", nation="05", valid_to="长期")
    spaced = " ".join(f"{b:02X}" for b in card.read_response())  # as engineers paste it
    code, out, _ = run(capsys, spaced)
    assert code == 0
    f = json.loads(out)
    assert (f["name"], f["sex"], f["sex_text"]) == ("王芳", "2", "女")
    assert (f["nation"], f["nation_text"]) == ("05", "维吾尔")
    assert (f["birth"], f["valid_from"], f["valid_to"]) == ("19850312", "20150601", "长期")
    assert f["address"] == "内蒙古自治区呼和浩特市新城区新华大街63号"


def test_fingerprint_frame_decodes(capsys: pytest.CaptureFixture[str]) -> None:
    frame = resident_card(fingerprint=True).read_response(with_fingerprint=True)
    code, out, _ = run(capsys, frame.hex())
    assert code == 0 and json.loads(out)["card_type"] == "resident"


GOOD = resident_card().read_response()


@pytest.mark.parametrize(
    ("arg", "words"),
    [
        (GOOD[:-1].hex(), "invalid frame: truncated"),
        ((GOOD[:-1] + bytes([GOOD[-1] ^ 1])).hex(), "invalid frame: bad checksum"),
        ("AAAAAA9669000400004145", "reader status 0x41 (read failed)"),
        ("AAAAAA9669000400008084", "reader status 0x80"),
        ("AAAAAA9669000C00009000000000000000009C", "not a read response"),
        ("AAAAAA9669000800009F0000000097", "reader status 0x9F (card found)"),
        (GOOD.hex()[:-1], "odd number of hex digits"),
        ("hello", "not hex"),
        ("1234", "no frame header"),
    ],
)
def test_invalid_input_is_one_line_and_nonzero(
    capsys: pytest.CaptureFixture[str], arg: str, words: str
) -> None:
    code, out, err = run(capsys, arg)
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1 and words in err
    assert "Traceback" not in err


def test_unknown_card_flag_is_named() -> None:
    text = bytearray(resident_card().text)
    text[248:250] = "Q".encode("utf-16-le")
    frame = build_response(0x90, bytes.fromhex("01000400") + bytes(text) + bytes(1024))
    with pytest.raises(DecodeError, match="unknown card-type flag 'Q'"):
        decode_frame(frame)


def test_hex_parsing_accepts_pasted_forms() -> None:
    assert parse_hex("0xAA, 0xBB") == b"\xaa\xbb"
    assert parse_hex("aa:bb\ncc") == b"\xaa\xbb\xcc"
    with pytest.raises(DecodeError, match="no hex digits"):
        parse_hex("  ")


def test_the_installed_command_end_to_end() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "idcard", "decode", "-"],
        input=hmt_card().read_response().hex(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["permit_number"] == "H12345678"
    bad = subprocess.run(
        [sys.executable, "-m", "kiosk", "idcard", "decode", "AAAAAA9669000400003337"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        "cme-kiosk: reader status 0x33 (information verification error):"
        " not a successful read response"
    ]
