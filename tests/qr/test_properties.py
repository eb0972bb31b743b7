"""Property tests: no payload crashes the verifier; every format survives make → PNG → decode."""

from __future__ import annotations

import base64
import dataclasses
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.qr.decode import FrameDecoder
from kiosk.cli import main as cli
from kiosk.commands.qr import read_image
from kiosk.core.codes import (
    MemoryReplayGuard,
    Reason,
    Verdict,
    VerdictKind,
    classify_and_verify,
    inspection_context,
)
from kiosk.core.codes.wire import MAX_ATTENDEE_BYTES, MAX_PROJECT_BYTES, has_forbidden_characters
from kiosk.core.model import CheckInSettings
from tests.support.qr import PlatformKeys
from tests.support.roster import DAY1, at, make_project

NOW = at(DAY1, 9)
PROJECT = dataclasses.replace(
    make_project(), checkin=CheckInSettings(allow_plain_roster_codes=True)
)
KEYS = PlatformKeys()


def desk() -> object:
    return KEYS.context(PROJECT, clock=lambda: NOW, roster={"A1", "A2"}, guard=MemoryReplayGuard())


def _judged(v: Verdict) -> None:
    assert isinstance(v, Verdict)
    assert v.message_zh and v.message_en
    assert v.accepted == (v.kind is not VerdictKind.REJECTED and v.verified)
    assert "\n" not in v.detail


prefixes = st.sampled_from(["CME-TKT1:", "CME-ROT1:", "CME-NUM1:", "cme-tkt1:", "", "CME-TKT2:"])
b32_bodies = st.binary(max_size=200).map(lambda b: base64.b32encode(b).decode().rstrip("="))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=700), st.binary(max_size=700)))
def test_no_text_or_bytes_crashes_the_verifier(payload: str | bytes) -> None:
    _judged(classify_and_verify(payload, context=desk()))  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(prefixes, st.one_of(b32_bodies, st.text(max_size=300)))
def test_structured_garbage_behind_a_known_prefix_is_rejected_cleanly(
    prefix: str, body: str
) -> None:
    v = classify_and_verify(prefix + body, context=desk())  # type: ignore[arg-type]
    _judged(v)
    # Random bytes never carry a valid signature or MAC.
    assert v.kind in (VerdictKind.REJECTED, VerdictKind.ROSTER_CODE)


# ---- round trips through `qr make` → PNG → decode → verify --------------------------------------


def field_text(limit: int) -> st.SearchStrategy[str]:
    """Field values the formats accept: printable, no surrounding space, within the byte limit."""
    return st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")),
        min_size=1,
        max_size=limit,
    ).filter(
        lambda s: (
            s == s.strip()
            and len(s.encode()) <= limit
            and not has_forbidden_characters(s)
            and not s.startswith("-")
        )
    )


@pytest.fixture(scope="module")
def key_file() -> Path:
    path = Path(tempfile.mkdtemp()) / "ticket-key.pem"
    path.write_bytes(KEYS.private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return path


def make_and_read(args: list[str], backend: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "code.png"
        assert cli(["qr", "make", *args, "--out", str(out)]) == 0
        found = FrameDecoder.open(backend).decode(read_image(out))
    assert len(found) == 1 and found[0].format == "QRCode"
    return found[0].raw


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    project=field_text(MAX_PROJECT_BYTES),
    attendee=field_text(MAX_ATTENDEE_BYTES),
    days=st.integers(min_value=1, max_value=400),
    backend=st.sampled_from(["zxing", "zbar"]),
)
def test_signed_ticket_round_trip(
    key_file: Path,
    project: str,
    attendee: str,
    days: int,
    backend: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    start = datetime(2026, 5, 1, tzinfo=UTC)
    args = [
        f"--project={project}", f"--attendee={attendee}", "--key-file", str(key_file),
        "--valid-from", start.isoformat(), "--valid-to", (start + timedelta(days=days)).isoformat(),
    ]  # fmt: skip
    raw = make_and_read(args, backend)
    context = inspection_context(
        clock=lambda: start + timedelta(days=days) - timedelta(seconds=1),
        project_number=project,
        ticket_keys={KEYS.key_id: KEYS.public},
    )
    v = classify_and_verify(raw, context=context)
    assert (v.kind, v.reason, v.project, v.attendee_id) == (
        VerdictKind.TICKET, Reason.OK, project, attendee,
    )  # fmt: skip
    capsys.readouterr()


@settings(max_examples=20, deadline=None)
@given(
    project=field_text(MAX_PROJECT_BYTES),
    attendee=field_text(MAX_ATTENDEE_BYTES),
    secret=st.binary(min_size=16, max_size=64),
    offset=st.integers(min_value=-30, max_value=30),
    backend=st.sampled_from(["zxing", "zbar"]),
)
def test_rotating_code_round_trip(
    project: str, attendee: str, secret: bytes, offset: int, backend: str
) -> None:
    when = datetime(2026, 5, 20, 1, 2, 3, tzinfo=UTC)
    args = [
        f"--project={project}", f"--attendee={attendee}", "--rotating",
        "--secret-hex", secret.hex(), "--at", when.isoformat(),
    ]  # fmt: skip
    raw = make_and_read(args, backend)
    guard = MemoryReplayGuard()
    context = dataclasses.replace(
        inspection_context(
            clock=lambda: when + timedelta(seconds=offset),
            project_number=project,
            attendee_secret=lambda ref: secret if ref == attendee else None,
        ),
        replay_guard=guard,
    )
    v = classify_and_verify(raw, context=context)
    assert (v.kind, v.reason, v.attendee_id) == (VerdictKind.ROTATING, Reason.OK, attendee)
    assert classify_and_verify(raw, context=context).reason is Reason.REPLAY


@settings(max_examples=15, deadline=None)
@given(attendee=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}", fullmatch=True))
def test_badge_code_round_trip(attendee: str) -> None:
    raw = make_and_read(["--project=P", f"--attendee={attendee}", "--badge"], "zxing")
    context = inspection_context(
        clock=lambda: NOW, allow_plain_roster_codes=True, attendee_known=lambda r: r == attendee
    )
    v = classify_and_verify(raw, context=context)
    assert (v.kind, v.reason, v.attendee_id) == (VerdictKind.ROSTER_CODE, Reason.OK, attendee)


@pytest.mark.slow
@settings(max_examples=5000, deadline=None)
@given(st.one_of(st.text(max_size=2000), st.binary(max_size=2000)))
def test_no_payload_crashes_the_verifier_long_run(payload: str | bytes) -> None:
    _judged(classify_and_verify(payload, context=desk()))  # type: ignore[arg-type]
