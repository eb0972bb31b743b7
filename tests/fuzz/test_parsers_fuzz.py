"""Property tests of the parsers facing the outside that the foundation owns: no crash, a clear error."""

from __future__ import annotations

import tomllib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.scanner.hidpos import ECI_PROTOCOL_AIMS, HidPosScan, scan_payload
from kiosk.config import ConfigError, parse_config
from kiosk.core.charset import CHARSETS, parse_eci_protocol
from kiosk.core.errors import InvalidDocumentNumber
from kiosk.core.ids import DocumentType, validate_document
from kiosk.core.project_file import ProjectFileError, project_from_dict

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
SECTIONS = ["kiosk", "desk", "sync", "sam", "pcsc", "scanner", "camera", "qr", "face", "privacy"]
KEYS = [
    "mode",
    "port",
    "fps",
    "threshold",
    "data_dir",
    "backend",
    "enabled",
    "uid_format",
    "duplicate_window_minutes",
    "liveness",
    "source",
    "server_url",
    "x",
    "charset",
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from([*SECTIONS, "bogus"]),
        st.dictionaries(st.sampled_from(KEYS), values, max_size=4),
        max_size=4,
    )
)
def test_config_never_crashes(doc: dict[str, Any]) -> None:
    try:
        config = parse_config(doc)
    except ConfigError as exc:
        text = str(exc)
        assert text and "Traceback" not in text
        assert "[" in text or "unknown key" in text  # every message names where
    else:
        assert config.desk.mode in ("in", "out", "auto")
        assert config.scanner.charset in CHARSETS


@settings(max_examples=200)
@given(st.text(max_size=200))
def test_toml_text_is_either_parsed_or_refused(text: str) -> None:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    try:
        config = parse_config(doc)
    except ConfigError as exc:
        assert str(exc)  # the refusal names what is wrong
    else:
        assert config.kiosk.desk_name  # a valid file is a whole configuration, defaults filled


PROJECT_KEYS = [
    "number",
    "name",
    "level",
    "kind",
    "form",
    "profile",
    "days",
    "sessions",
    "speakers",
    "checkin",
    "venue",
    "extra",
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(PROJECT_KEYS), values, max_size=8))
def test_project_file_never_crashes(doc: dict[str, Any]) -> None:
    try:
        project_from_dict(doc, source="fuzz")
    except ProjectFileError as exc:
        assert str(exc).startswith("fuzz")


@settings(max_examples=500)
@given(st.sampled_from(list(DocumentType)), st.text(max_size=40))
def test_document_numbers_never_crash(kind: DocumentType, text: str) -> None:
    try:
        doc = validate_document(kind, text)
    except InvalidDocumentNumber as exc:
        assert exc.screen_zh and exc.detail
    else:
        assert doc.number == doc.number.strip()


@settings(max_examples=300)
@given(
    raw=st.binary(max_size=120),
    aim=st.sampled_from(["", "]Q0", "]Q1", "]Q2", "]Q4", "]Q6", "]C0"]),
    charset=st.sampled_from(CHARSETS),
    truncated=st.booleans(),
)
def test_any_scanned_bytes_are_text_or_hex_never_a_crash(
    raw: bytes, aim: str, charset: str, truncated: bool
) -> None:
    payload = scan_payload(HidPosScan(raw, aim, truncated), charset=charset)  # type: ignore[arg-type]
    if payload.binary:
        assert payload.text == "hex:" + payload.raw.hex()
    blocks = parse_eci_protocol(raw) if aim in ECI_PROTOCOL_AIMS and not truncated else None
    if blocks is None:  # the bytes as they came, read in the configured charset
        assert payload.raw == raw and not payload.eci
    else:  # the ECI protocol: designators gone, doubled backslashes single
        assert payload.raw == b"".join(data for _, data in blocks)
