"""The platform's pace on the wire: the headers a pacing platform adds, and how a desk reads them."""

from __future__ import annotations

import pytest

from sync import signing
from sync.protocol import MAX_PACE_S, PULL_INTERVAL_HEADER, PUSH_INTERVAL_HEADER, Pace
from tests.support.live_server import LiveServer, start_live_server
from tests.support.roster import make_project
from tests.support.tls import TlsFiles

NUMBER = "2026-15-01-001"


@pytest.mark.parametrize(
    ("push", "pull", "expected"),
    [
        (None, None, Pace()),
        ("60", "120", Pace(push_s=60, pull_s=120)),
        (" 30 ", None, Pace(push_s=30)),
        ("0", "45", Pace(pull_s=45)),
        # A garbage or hostile value asks nothing; a huge one costs at most MAX_PACE_S.
        ("-5", "1e3", Pace()),
        ("sixty", "", Pace()),
        ("６０", "3.5", Pace()),  # full-width digits are digits to str.isdigit, not to the wire
        ("99999999999999999999", str(MAX_PACE_S + 1), Pace(MAX_PACE_S, MAX_PACE_S)),
        # Past 4,300 digits int() itself refuses: a desk's worker must never see that error.
        ("9" * 5000, "0" * 5000, Pace(push_s=MAX_PACE_S)),
    ],
)
def test_a_desk_reads_the_pace_from_the_answer_headers(
    push: str | None, pull: str | None, expected: Pace
) -> None:
    pairs = ((PUSH_INTERVAL_HEADER, push), (PULL_INTERVAL_HEADER, pull))
    headers = {name: value for name, value in pairs if value is not None}
    assert Pace.of(headers) == expected


def test_a_pace_outside_the_range_is_refused_where_it_is_set() -> None:
    with pytest.raises(ValueError, match="push_s"):
        Pace(push_s=MAX_PACE_S + 1)
    with pytest.raises(ValueError, match="pull_s"):
        Pace(pull_s=-1)
    assert Pace().headers() == []
    assert Pace(push_s=30).headers() == [(b"cme-push-interval", b"30")]


def test_every_answer_of_a_pacing_platform_says_its_pace_and_a_default_one_says_nothing(
    live_server: LiveServer, served_db: tuple[str, str], tls: TlsFiles
) -> None:
    plain = live_server.client()
    assert plain.negotiate() == [1]
    assert plain.pace == Pace()
    live_server.admin.create_project(make_project())
    # A second server on the same database, started as `server run --push-interval 30
    # --pull-interval 45` starts its app.
    backend, url = served_db
    paced = start_live_server(url, tls, backend=backend, pace=Pace(push_s=30, pull_s=45))
    asked = Pace(push_s=30, pull_s=45)
    try:
        client = paced.client()
        assert client.negotiate() == [1]  # unauthenticated
        assert client.pace == asked
        code, _ = paced.admin.enroll_code(NUMBER)
        key = signing.public_b64(signing.new_private_key())
        client.enroll(code, public_key=key, desk_name="A")
        answers = {
            "bundle": lambda: client.project(NUMBER)[1],
            "bundle 304": lambda: client.project(NUMBER, etag=etag)[0],
            "changes": lambda: client.changes(NUMBER),
            "status report": lambda: client.device_status(0),
        }
        etag = client.project(NUMBER)[1]
        for what, call in answers.items():
            client._http.pace = Pace()  # forgotten: this answer must say it again
            call()
            assert client.pace == asked, what
        # The refusals the middleware answers itself say it too.
        refused = client._http.client.get("/api/v1/time", headers={"CME-Protocol-Version": "99"})
        assert refused.status_code == 426 and Pace.of(refused.headers) == asked
    finally:
        paced.stop()
