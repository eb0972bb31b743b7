"""`cme-kiosk receipt verify`: valid, forged, altered, wrong key, from a rendered PNG, own key."""

from __future__ import annotations

import base64
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from kiosk.core.codes.receipt import (
    PREFIX,
    Receipt,
    ReceiptSession,
    parse_receipt,
    sign_receipt,
)
from kiosk.core.codes.wire import b32decode, b32encode
from kiosk.qr_render import qr_image
from sync import signing
from sync.store import Store
from tests.support.cli import run_cli
from tests.support.roster import DAY1, at

RECEIPT = Receipt(
    project="2026-15-01-001", device_id="dv-0a1b2c3d4e5f",
    record_uuid="0b6e4a34-2b5e-4c1e-9a57-1f2d3c4b5a69", attendee_id="A17",
    check_in=at(DAY1, 8, 20), check_out=at(DAY1, 15, 30),
    sessions=(ReceiptSession("d1-am", Decimal("3.5")), ReceiptSession("d1-pm", Decimal("1.5"))),
    total_hours=Decimal("5"),
)  # fmt: skip


def key(seed: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)


def key_file(tmp_path: Path, k: Ed25519PrivateKey, name: str = "desk.pub") -> str:
    path = tmp_path / name
    path.write_text(base64.b64encode(signing.public_bytes(k)).decode() + "\n")
    return str(path)


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\ndesk_name = "A"\n')
    return path


def verify(capsys: pytest.CaptureFixture[str], cfg: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "--config", str(cfg), "receipt", "verify", *args)


def test_a_valid_receipt_from_its_text_and_from_a_rendered_png(
    tmp_path: Path, cfg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = sign_receipt(RECEIPT, key(7).sign)
    assert text.startswith(PREFIX) and len(text) < 300
    status, out, err = verify(capsys, cfg, text, "--public-key", key_file(tmp_path, key(7)))
    assert status == 0, err
    assert out.startswith("VALID: signed by desk dv-0a1b2c3d4e5f")
    assert "attendee A17" in out and "2026-05-20 08:20" in out and "15:30" in out
    assert "d1-am        3.50 h" in out and "total        5.00 h" in out
    png = tmp_path / "receipt.png"
    Image.fromarray(qr_image(text)).save(png)
    status, out, err = verify(capsys, cfg, str(png), "--public-key", key_file(tmp_path, key(7)))
    assert status == 0 and out.startswith("VALID"), err


def test_forged_altered_and_wrong_key_receipts_are_invalid(
    tmp_path: Path, cfg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = key_file(tmp_path, key(7))
    forged = sign_receipt(RECEIPT, key(9).sign)  # signed by a key that is not the desk's
    status, out, _ = verify(capsys, cfg, forged, "--public-key", desk)
    assert status == 1 and out.startswith("INVALID") and "forged or altered" in out
    # Altered: more hours, the desk's original signature kept.
    genuine = sign_receipt(RECEIPT, key(7).sign)
    signature = b32decode(genuine[len(PREFIX) :])[-64:]
    more = replace(RECEIPT, total_hours=Decimal("8"))
    altered = PREFIX + b32encode(more.body()[len(PREFIX) :] + signature)
    assert parse_receipt(altered).receipt.total_hours == Decimal("8")
    status, out, _ = verify(capsys, cfg, altered, "--public-key", desk)
    assert status == 1 and out.startswith("INVALID") and "8.00 h" in out
    status, out, _ = verify(capsys, cfg, genuine, "--public-key", key_file(tmp_path, key(3), "o"))
    assert status == 1 and out.startswith("INVALID")
    # Not a receipt at all, or a damaged one: unreadable input, exit 2.
    status, _, err = verify(capsys, cfg, PREFIX + "ABCDEFGH", "--public-key", desk)
    assert status == 2 and "not a readable receipt" in err
    status, _, err = verify(capsys, cfg, str(tmp_path / "missing.png"))
    assert status == 2 and "neither a receipt" in err


def test_without_a_key_the_desk_verifies_its_own_receipts_only(
    tmp_path: Path, cfg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.open(tmp_path / "data" / "kiosk.sqlite3")
    store.set_meta("device_id", RECEIPT.device_id)
    own = sign_receipt(RECEIPT, store.device_sign)
    other = sign_receipt(replace(RECEIPT, device_id="dv-ffffffffffff"), store.device_sign)
    store.close()
    status, out, err = verify(capsys, cfg, own)
    assert status == 0 and "this desk's own key" in out, err
    status, out, _ = verify(capsys, cfg, other)
    assert status == 1 and out.startswith("NOT VERIFIED") and "another desk's" in out
