"""Bad input to the server: clear 4xx answers, nothing stored twice, and the server stays up."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.protocol import MAX_BODY_BYTES
from tests.support.desks import WireDesk, enroll
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, at

pytestmark = pytest.mark.timeout(120)
NUMBER = "2026-15-01-001"


def raw(srv: LiveServer, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=srv.url, verify=srv.tls.client_context(), headers=headers)


@pytest.fixture
def desk(srv: LiveServer) -> Iterator[WireDesk]:
    d = enroll(srv, NUMBER)
    d.upload(d.record("A1", at=at(DAY1, 8)))
    yield d


def post(client: httpx.Client, path: str, body: object) -> httpx.Response:
    return client.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})


def test_oversized_bodies_are_refused_before_they_are_read(srv: LiveServer, desk: WireDesk) -> None:
    with raw(srv, desk.client.token) as c:
        big = b'{"records": [' + b" " * (MAX_BODY_BYTES + 10) + b"]}"
        r = c.post("/api/v1/events", content=big, headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and r.json()["error"] == "body_too_large"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"records": ['
            for _ in range(MAX_BODY_BYTES // 65536 + 2):
                yield b" " * 65536

        r = c.post("/api/v1/events", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert c.get("/api/versions").status_code == 200


def test_wrong_types_unknown_fields_and_broken_json(srv: LiveServer, desk: WireDesk) -> None:
    good = desk.record("A2", at=at(DAY1, 9)).model_dump()
    cases = {
        "seq as text": ({"records": [{**good, "seq": "2"}]}, "records.0.seq"),
        "unknown field": ({"records": [{**good, "admin": True}]}, "records.0.admin"),
        "unknown top field": ({"records": [good], "force": 1}, "force"),
        "flags not a list": ({"records": [{**good, "flags": "conflict"}]}, "records.0.flags"),
        "not an object": ([good], ""),
        "missing field": ({"records": [{k: v for k, v in good.items() if k != "hash"}]}, "hash"),
    }
    with raw(srv, desk.client.token) as c:
        for name, (body, where) in cases.items():
            r = post(c, "/api/v1/events", body)
            assert r.status_code == 422, name
            answer = r.json()
            assert answer["error"] == "invalid_request" and where in answer["message"], (
                name,
                answer,
            )
            assert "A2" not in r.text  # input values are not echoed back
        r = c.post(
            "/api/v1/events", content=b'{"records": [', headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 422 and r.json()["error"] == "invalid_request"
        r = c.post("/api/v1/events", content=b"\xff\xfe garbage")
        assert r.status_code == 422
        r = post(c, "/api/v1/devices/me/status", {"latest_seq": -1})
        assert r.status_code == 422
        r = c.get("/api/v1/projects/2026-15-01-001/changes", params={"cursor": "abc"})
        assert r.status_code == 422 and r.json()["error"] == "invalid_cursor"
    assert len(srv.admin.stored_events(NUMBER)) == 1


def test_out_of_range_numbers_and_instants_are_4xx_never_500(
    srv: LiveServer, desk: WireDesk
) -> None:
    """Issue 14 break 5: each of these was an HTTP 500 (a kiosk retried its batch forever)."""
    huge = 2**70
    good = desk.record("A2", at=at(DAY1, 9)).model_dump()
    denied = desk.denied(at=at(DAY1, 9)).model_dump()
    with raw(srv, desk.client.token) as c:
        for body, path in (
            ({"latest_seq": huge}, "/api/v1/devices/me/status"),
            ({"records": [{**good, "seq": huge}]}, "/api/v1/events"),
            ({"records": [{**good, "server_offset_ms": 10**15}]}, "/api/v1/events"),
            ({"records": [{**good, "scanned_at": "9999-12-31T23:59:59+00:00"}]}, "/api/v1/events"),
            ({"records": [{**good, "scanned_at": "9999-12-31T23:00:00-05:00"}]}, "/api/v1/events"),
            ({"records": [{**good, "scanned_at": "0001-01-01T00:00:00+01:00"}]}, "/api/v1/events"),
            ({"records": [{**denied, "scanned_at": "9999-12-31T23:00:00-05:00"}]}, "/api/v1/denied"),
            ({"records": [{**good, "utc_offset_minutes": huge}]}, "/api/v1/events"),
            ({"records": [{**good, "seq": True}]}, "/api/v1/events"),
            (
                {"code": "ABCD-EFGH", "public_key": "A" * 43 + "=", "desk_name": "x",
                 "seq_start": huge},
                "/api/v1/enroll",
            ),
        ):  # fmt: skip
            r = post(c, path, body)
            assert r.status_code == 422 and r.json()["error"] == "invalid_request", (body, r.text)
        for cursor in ("9" * 20, "9" * 19, "-1", "١٢"):  # past BIGINT, negative, not ASCII
            r = c.get("/api/v1/projects/2026-15-01-001/changes", params={"cursor": cursor})
            assert r.status_code == 422 and r.json()["error"] == "invalid_cursor", (cursor, r.text)
        # The edges of the documented ranges are accepted.
        r = post(c, "/api/v1/devices/me/status", {"latest_seq": 2**53 - 1})
        assert r.status_code == 200, r.text
    assert len(srv.admin.stored_events(NUMBER)) == 1


def test_a_changes_pages_query_is_checked_as_declared(srv: LiveServer, desk: WireDesk) -> None:
    """The pull reads its own query (no FastAPI dependencies): its 422s name the value."""
    path = f"/api/v1/projects/{NUMBER}/changes"
    with raw(srv, desk.client.token) as c:
        for params, where in (
            ({"limit": "0"}, "query.limit"), ({"limit": "2001"}, "query.limit"),
            ({"limit": "ten"}, "query.limit"), ({"cursor": "1" * 21}, "query.cursor"),
        ):  # fmt: skip
            r = c.get(path, params=params)
            assert r.status_code == 422 and r.json()["error"] == "invalid_request", (params, r.text)
            assert r.json()["message"].startswith(f"{where}: "), r.text
        # The edges, a repeated value (the last counts, as FastAPI reads it) and others ignored.
        roster = c.get(path, params={"limit": "2000"}).json()["attendees"]
        assert len(roster) > 1
        r = c.get(path, params=[("limit", "9"), ("limit", "1"), ("other", "x")])
        assert r.status_code == 200 and [a["id"] for a in r.json()["attendees"]] == [
            roster[0]["id"]
        ]
        assert r.json()["more"] is True
    with raw(srv) as c:
        assert c.get(path).status_code == 401
    with raw(srv, "forged") as c:
        assert c.get(path).json()["error"] == "unauthorized"


def test_the_token_is_read_alike_on_every_route(srv: LiveServer, desk: WireDesk) -> None:
    """The routes that read their own token (uploads, reports, pulls) read it as HTTPBearer."""
    token = desk.client.token
    read_by_fastapi = ("GET", f"/api/v1/projects/{NUMBER}", None)
    read_here = [
        ("POST", "/api/v1/devices/me/status", {"latest_seq": 1}),
        ("GET", f"/api/v1/projects/{NUMBER}/changes", None),
        ("POST", "/api/v1/events", {"records": []}),
    ]
    with raw(srv) as c:
        for header, ok in ((f"Bearer  {token}", True), (f"bEaReR {token}", True),
                           ("Bearer", False), (f"Token {token}", False), (token, False)):  # fmt: skip
            for method, path, body in [read_by_fastapi, *read_here]:
                r = c.request(method, path, json=body, headers={"Authorization": header})
                # An empty batch is a 422, answered once the token is taken.
                assert r.status_code == (401 if not ok else 422 if "events" in path else 200), (
                    header, path, r.text,
                )  # fmt: skip
                if not ok:
                    assert r.json() == {"error": "unauthorized",
                                        "message": "a device token is required"}, (header, path)  # fmt: skip


def test_a_lone_surrogate_in_a_corrections_state_is_a_422(srv: LiveServer) -> None:
    """Found by the endpoint fuzz: free-form state values reached the JSON encoder (HTTP 500)."""
    office = enroll(srv, NUMBER, "office", role="organizer")
    entry = {
        "id": "0b6e1c2a-0000-4000-8000-000000000001", "kind": "add_checkout", "by": "王",
        "made_at": "2026-06-03T10:00:00+08:00", "reason": "forgot", "attendee_id": "A1",
        "record_id": "0b6e1c2a-0000-4000-8000-000000000002",
        "moment": "2026-06-03T17:00:00+08:00", "before": {"out": None}, "after": {"out": "17:00"},
    }  # fmt: skip
    with raw(srv, office.client.token) as c:
        for state in ({"out": "\ud800"}, {"\udfff": "x"}, {"out": 2**70}, {"out": "\x00"}):
            r = post(c, f"/api/v1/projects/{NUMBER}/corrections",
                     {"corrections": [{**entry, "before": state}]})  # fmt: skip
            assert r.status_code == 422 and r.json()["error"] == "invalid_request", (state, r.text)


def test_control_characters_and_nul_are_refused_not_stored(srv: LiveServer, desk: WireDesk) -> None:
    good = desk.record("A2", at=at(DAY1, 9)).model_dump()
    denied = desk.denied(at=at(DAY1, 9)).model_dump()
    with raw(srv, desk.client.token) as c:
        for body, path in (
            ({"records": [{**good, "attendee_id": "A\x002"}]}, "/api/v1/events"),
            ({"records": [{**good, "project": "P\n1"}]}, "/api/v1/events"),
            ({"records": [{**denied, "detail": "nul \x00 inside"}]}, "/api/v1/denied"),
            ({"records": [{**denied, "reason": "bad\x1b[31m"}]}, "/api/v1/denied"),
            (
                {"code": "AB\x00CD", "public_key": "A" * 43 + "=", "desk_name": "x"},
                "/api/v1/enroll",
            ),
        ):
            r = post(c, path, body)
            assert r.status_code == 422 and r.json()["error"] == "invalid_request", r.text
        r = c.get("/api/v1/projects/2026%0015/changes")
        assert r.status_code == 403
    assert len(srv.admin.stored_events(NUMBER)) == 1 and srv.admin.stored_denied(NUMBER) == []


def test_forged_and_revoked_tokens_get_a_whole_request_4xx(srv: LiveServer, desk: WireDesk) -> None:
    record = desk.record("A3", at=at(DAY1, 9)).model_dump()
    with raw(srv, "forged-token") as c:
        r = post(c, "/api/v1/events", {"records": [record]})
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    with raw(srv) as c:
        assert post(c, "/api/v1/events", {"records": [record]}).status_code == 401
        r = c.post("/api/v1/events", headers={"Authorization": "Basic abc"}, json={"records": []})
        assert r.status_code == 401
    srv.admin.revoke(desk.device_id, reason="compromised")
    with raw(srv, desk.client.token) as c:
        r = post(c, "/api/v1/events", {"records": [record]})
        assert r.status_code == 403
        assert r.json() | {"revoked_at": None} == {
            "error": "device_revoked", "message": "this device was revoked: compromised",
            "reason": "compromised", "revoked_at": None,
        }  # fmt: skip
    assert len(srv.admin.stored_events(NUMBER)) == 1


# The routes that serialize their own answer still document it (response_model).
HOT_ROUTES = [
    ("/api/v1/projects/{number}", "get", "ProjectBundle"),
    ("/api/v1/projects/{number}/changes", "get", "ChangesPage"),
    ("/api/v1/events", "post", "BatchAnswer"),
    ("/api/v1/devices/me/status", "post", "DeviceStatus"),
]


def test_unknown_paths_and_methods_answer_json(srv: LiveServer) -> None:
    with raw(srv) as c:
        r = c.get("/api/v1/nothing-here")
        assert r.status_code == 404 and r.json()["error"] == "not_found"
        r = c.delete("/api/v1/events")
        assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
        spec = c.get("/api/v1/openapi.json").json()
        assert "/api/v1/events" in spec["paths"] and spec["info"]["version"] == "1"
        for path, method, model in HOT_ROUTES:
            ok = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
            assert ok["schema"]["$ref"] == f"#/components/schemas/{model}", path
        # The routes that read their own token and body still document both.
        for path, model in (("/api/v1/events", "EventBatch"),
                            ("/api/v1/devices/me/status", "DeviceReport")):  # fmt: skip
            post_op = spec["paths"][path]["post"]
            ref = post_op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == f"#/components/schemas/{model}" and model in spec["components"]["schemas"]
            assert post_op["security"] == [{"HTTPBearer": []}], path
            assert "HTTPBearer" in spec["components"]["securitySchemes"]
        headers = [x["name"] for x in spec["paths"]["/api/v1/events"]["post"]["parameters"]]
        assert headers == ["CME-Device-Report"]
        r = c.get("/api/v1/time", headers={"CME-Protocol-Version": "banana"})
        assert r.status_code == 426 and r.json()["supported"] == [1]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(
        [
            "/api/v1/events",
            "/api/v1/denied",
            "/api/v1/enroll",
            "/api/v1/devices/me/status",
            "/api/v1/projects/2026-15-01-001/submission",
        ]
    ),
    body=json_values,
)
def test_fuzzed_bodies_never_crash_the_server(
    srv: LiveServer, desk: WireDesk, path: str, body: object
) -> None:
    with raw(srv, desk.client.token) as c:
        r = post(c, path, body)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert isinstance(r.json()["error"], str)
    assert len(srv.admin.stored_events(NUMBER)) == 1
