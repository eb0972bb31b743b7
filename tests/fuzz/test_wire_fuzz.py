"""Property tests of the parsers facing the network and the organizer's files: no crash, a clear error.

Server answers the kiosk cannot trust (sync responses) and roster files an administrator imports.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync import protocol as p
from sync.client.errors import PermanentError, TransientError
from sync.client.http import error_for, parse
from sync.server.roster_file import COLUMNS, RosterFileError, read_roster

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)
MODELS = [p.BatchAnswer, p.ChangesPage, p.ProjectBundle, p.DeviceStatus, p.Enrollment,
          p.ProjectStatus, p.SubmissionWindow, p.WalkInList]  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=15,
)
bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(["answers", "server_time", "error", "message", "supported",
                                     "cursor", "more", "attendees", "events", "project"]),
                    json_values, max_size=6).map(lambda d: json.dumps(d).encode()),
)  # fmt: skip


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(MODELS), bodies)
def test_any_2xx_body_is_a_model_or_a_transient_error(model: type, body: bytes) -> None:
    response = httpx.Response(200, content=body)
    try:
        parsed = parse(model, response)
    except TransientError as exc:
        assert "unreadable answer" in str(exc)
    else:
        assert isinstance(parsed, model)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.integers(min_value=300, max_value=599), bodies, st.text(max_size=30))
def test_any_error_answer_is_typed(status: int, body: bytes, retry: str) -> None:
    headers = {"retry-after": retry} if retry.isascii() and retry.isprintable() else {}
    err = error_for(httpx.Response(status, content=body, headers=headers), now=NOW)
    assert isinstance(err, TransientError | PermanentError)
    assert str(err)  # something a person can read
    if isinstance(err, TransientError) and err.retry_after is not None:
        assert err.retry_after >= 0


cells = st.one_of(st.text(max_size=25), st.sampled_from(["resident_id", "150102198503150041",
                  "张伟", "participant", "speaker", "", "0713233758", "=1+1", "\x00"]))  # fmt: skip


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.one_of(st.just(list(COLUMNS)), st.lists(st.sampled_from([*COLUMNS, "x"]), max_size=9)),
    st.lists(st.lists(cells, max_size=9), max_size=6),
)
def test_any_roster_csv_is_imported_whole_or_refused_with_line_numbers(
    header: list[str], rows: list[list[str]]
) -> None:
    text = "\n".join(",".join(json.dumps(c) for c in line) for line in [header, *rows])
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "roster.csv"
        path.write_text(text, encoding="utf-8")
        try:
            imported = read_roster(path)
        except RosterFileError as exc:
            # Each problem names its line, or says the whole file is empty.
            assert exc.problems
            assert all(x.startswith("line ") or "empty" in x for x in exc.problems)
        else:
            assert len(imported) <= len(rows)
            assert all(r.line >= 2 for r in imported)
