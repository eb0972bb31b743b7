"""Every platform endpoint an enrolled device or a relay can call, fuzzed with out-of-range values.

The property (issue 14, break 5): the real server (uvicorn over loopback TLS, a real database)
answers every such request with 2xx or a typed 4xx JSON error, never 5xx, and stays up. Bodies
start from a valid request and get one field replaced by something out of range (huge and
negative numbers, booleans, floats, instants in year 1 or 9999, lone surrogates, control
characters, NUL, nesting) or are replaced whole. Correctly signed records at the very edges of
the documented ranges go all the way into the database. `-m slow` runs many more examples on
both databases.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.model import new_uuid
from sync import chain, signing
from sync.protocol import MAX_OFFSET_MS, MAX_SEQ
from sync.server.relay import downstream
from sync.server.routes import desks, organizers
from tests.support.desks import WireDesk, enroll, seed_platform, statuses
from tests.support.live_server import LiveServer, live_server, served_db, server_db  # noqa: F401
from tests.support.postgres import pg_cluster  # noqa: F401
from tests.support.roster import DAY1, at, make_project
from tests.support.tls import tls  # noqa: F401

pytestmark = pytest.mark.timeout(600)
NUMBER = "2026-15-01-001"

EVIL_NUMBERS = [2**70, -(2**70), 2**64, 2**63, 2**63 - 1, 2**53, 10**15, -(10**15), -1, 0,
                1e308, -1e308, 0.5, True, False, None]  # fmt: skip
EVIL_TEXT = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59",
             "2026-13-45T25:61:61+00:00", "\ud800", "a\udfffb", "\x00", "A\x1b[2J", "\u2028",
             "x" * 5000, "9" * 25, "", " ", "😀" * 10, "../../etc/passwd", "' OR 1=1 --",
             "Bearer abc", "-1", "1e999"]  # fmt: skip
EVIL_SHAPES: list[object] = [[], {}, [[[[]]]], {"a": {"b": {"c": []}}}, [None] * 3]
# What an HTTP client can put in a query (UTF-8) and a header (ASCII) at all.
IN_QUERY = [t for t in EVIL_TEXT if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
IN_HEADER = [t for t in EVIL_TEXT if t.isascii() and t.isprintable() and t.strip() == t and t]


@dataclass
class Actors:
    """The enrolled callers: a desk, an organizer tool and a venue relay."""

    srv: LiveServer
    desk: WireDesk
    organizer: WireDesk
    relay: WireDesk
    venue_code: str

    def templates(self) -> dict[tuple[str, str, str], Any]:
        """(caller, method, path) → a valid body (None: no body) for every endpoint."""
        d, o = self.desk, self.organizer
        record = d.record("A1", at=at(DAY1, 9)).model_dump()
        d.seq, d.prev = 0, signing.GENESIS  # templates do not move the desk's chain
        denied = d.denied(at=at(DAY1, 9)).model_dump()
        walk_in = {
            "project": NUMBER,
            "attendee_id": "P-1",
            "id_type": "passport",
            "id_number": "E12345678",
            "name": "张伟",
            "unit": "",
            "device_id": d.device_id,
        }
        stub = chain.sign_stub(d.key, chain.RefusalStub(
            uuid=new_uuid(), seq=1, device_id=d.device_id, project=NUMBER, hash="0" * 64,
            reason="poison"))  # fmt: skip
        head = chain.sign_head(d.key, 1, "0" * 64)
        p = f"/api/v1/projects/{NUMBER}"
        line = {
            "attendee_id": "A1",
            "role": "participant",
            "hours": "6.50",
            "assessment": "passed",
            "score": None,
            "credits": "2.00",
            "notes": "",
        }
        correction = {
            "id": new_uuid(),
            "kind": "add_checkout",
            "by": "王",
            "reason": "forgot",
            "made_at": "2026-06-03T10:00:00+08:00",
            "attendee_id": "A1",
            "record_id": new_uuid(),
            "moment": "2026-06-03T17:00:00+08:00",
            "before": {"out": None},
            "after": {"out": "17:00"},
        }
        return {
            ("none", "GET", "/api/versions"): None,
            ("none", "GET", "/api/v1/time"): None,
            ("none", "POST", "/api/v1/enroll"): {
                "code": "ABCD-EFGH-JKLM", "public_key": signing.public_b64(d.key),
                "desk_name": "X", "seq_start": 1},
            ("desk", "GET", p): None,
            ("desk", "GET", f"{p}/changes"): None,
            ("desk", "POST", "/api/v1/events"): {"records": [record]},
            ("desk", "POST", "/api/v1/denied"): {"records": [denied]},
            ("desk", "POST", "/api/v1/walk-ins"): {"records": [walk_in]},
            ("desk", "POST", "/api/v1/refusals"): {"records": [{
                "uuid": stub.uuid, "seq": 1, "device_id": d.device_id, "project": NUMBER,
                "hash": stub.hash, "reason": stub.reason, "signature": stub.signature}]},
            ("desk", "POST", "/api/v1/devices/me/status"): {"latest_seq": 1, "head": {
                "seq": 1, "hash": head.hash, "signature": head.signature}},
            ("desk", "GET", "/api/v1/devices/me/head"): None,
            ("organizer", "GET", f"{p}/status"): None,
            ("organizer", "GET", f"{p}/submission"): None,
            ("organizer", "POST", f"{p}/submission"): {
                "project": NUMBER, "profile": "inner-mongolia-2025-draft", "lines": [line]},
            ("organizer", "GET", f"{p}/ledger"): None,
            ("organizer", "GET", f"{p}/desk-keys"): None,
            ("organizer", "GET", f"{p}/walk-ins"): None,
            ("organizer", "GET", f"{p}/corrections"): None,
            ("organizer", "POST", f"{p}/corrections"): {"corrections": [correction]},
            ("relay", "POST", "/api/v1/relay/devices"): {
                "device_id": "dv-" + "ab" * 6, "public_key": signing.public_b64(o.key),
                "desk_name": "K", "seq_start": 1, "enrollment_code": self.venue_code},
            ("relay", "GET", "/api/v1/relay/codes"): None,
            ("relay", "POST", "/api/v1/relay/events"): {"records": [record]},
            ("relay", "POST", "/api/v1/relay/denied"): {"records": [denied]},
            ("relay", "POST", "/api/v1/relay/walk-ins"): {"records": [walk_in]},
            ("relay", "POST", "/api/v1/relay/refusals"): {"records": [{
                "uuid": stub.uuid, "seq": 1, "device_id": d.device_id, "project": NUMBER,
                "hash": stub.hash, "reason": stub.reason, "signature": stub.signature}]},
            ("relay", "POST", "/api/v1/relay/status"): {"desks": [{
                "device_id": d.device_id, "latest_seq": 1}]},
        }  # fmt: skip

    def token(self, caller: str) -> str | None:
        return (
            {"desk": self.desk, "organizer": self.organizer, "relay": self.relay}[
                caller
            ].client.token
            if caller != "none"
            else None
        )


@pytest.fixture
def actors(live_server: LiveServer) -> Iterator[Actors]:  # noqa: F811
    srv = live_server
    srv.clock.set(at(DAY1, 7))
    seed_platform(srv, make_project(), roster_size=5)
    venue, _ = srv.admin.enroll_code(NUMBER, venue=True)
    yield Actors(srv, enroll(srv, NUMBER, "A"), enroll(srv, NUMBER, "office", role="organizer"),
                 enroll(srv, NUMBER, "hall", role="relay"), venue)  # fmt: skip


def _paths(body: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place in a JSON body a value can be replaced."""
    out: list[tuple[object, ...]] = [prefix]
    if isinstance(body, dict):
        for k, v in body.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(body, list):
        for i, v in enumerate(body):
            out += _paths(v, (*prefix, i))
    return out


def _replace(body: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    copy = json.loads(json.dumps(body))
    target = copy
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    return copy


def send(a: Actors, caller: str, method: str, path: str, body: object,
         params: dict[str, str] | None = None, etag: str | None = None) -> httpx.Response:  # fmt: skip
    headers = {"Content-Type": "application/json"}
    token = a.token(caller)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if etag is not None:
        headers["If-None-Match"] = etag
    with httpx.Client(base_url=a.srv.url, verify=a.srv.tls.client_context(), timeout=30) as c:
        content = None if body is None and method == "GET" else json.dumps(body).encode()
        return c.request(method, path, content=content, headers=headers, params=params)


evil = st.one_of(st.sampled_from(EVIL_NUMBERS), st.sampled_from(EVIL_TEXT),
                 st.sampled_from(EVIL_SHAPES), st.integers(), st.text(max_size=30))  # fmt: skip


def _fuzz(a: Actors, data: st.DataObject) -> None:
    templates = a.templates()
    caller, method, path = data.draw(st.sampled_from(sorted(templates)), label="endpoint")
    template = templates[(caller, method, path)]
    params: dict[str, str] | None = None
    etag = None
    if template is None:  # a GET: fuzz its query and conditional header instead
        params = data.draw(st.dictionaries(st.sampled_from(["cursor", "limit", "x"]),
                                           st.sampled_from([*IN_QUERY, "9" * 19, "-5", "0",
                                                            "2001"]),
                                           max_size=2), label="params")  # fmt: skip
        etag = data.draw(st.none() | st.sampled_from(IN_HEADER), label="etag")
        body: object = None
    else:
        where = data.draw(st.sampled_from(_paths(template)), label="field")
        body = _replace(template, where, data.draw(evil, label="value"))
    r = send(a, caller, method, path, body, params=params, etag=etag)
    assert r.status_code < 500, (caller, method, path, body, r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert isinstance(r.json()["error"], str)


def test_every_route_a_device_or_relay_can_call_is_fuzzed(actors: Actors) -> None:
    """A route added to the platform without a template here would go unfuzzed."""
    served = {(method, route.path.replace("{number}", NUMBER))
              for router in (desks.router, organizers.router, downstream.router)
              for route in router.routes if isinstance(route, APIRoute)
              for method in route.methods}  # fmt: skip
    assert served == {(method, path) for _, method, path in actors.templates()}


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(data=st.data())
def test_no_out_of_range_value_gets_a_5xx(actors: Actors, data: st.DataObject) -> None:
    _fuzz(actors, data)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(data=st.data())
def test_no_out_of_range_value_gets_a_5xx_long(actors: Actors, data: st.DataObject) -> None:
    _fuzz(actors, data)


def test_signed_records_at_the_edges_of_the_ranges_are_stored_or_refused_never_500(
    actors: Actors,
) -> None:
    """Valid records at the limits go through hashing, judging and the database."""
    d = actors.desk
    edges = [
        d.record("A1", at=at(DAY1, 9), server_offset_ms=MAX_OFFSET_MS),
        d.record("A2", at=at(DAY1, 9), server_offset_ms=-MAX_OFFSET_MS),
        d.record("A3", at=at(DAY1, 9), scanned_at="1970-01-01T00:00:00+00:00",
                 utc_offset_minutes=-960, server_offset_ms=-MAX_OFFSET_MS),
        d.record("A4", at=at(DAY1, 9), scanned_at="2199-12-31T23:59:59.999999+00:00",
                 utc_offset_minutes=960, server_offset_ms=MAX_OFFSET_MS),
    ]  # fmt: skip
    d.seq = MAX_SEQ - 1
    edges.append(d.record("A5", at=at(DAY1, 9)))
    answers = statuses(d.upload(*edges))
    assert all(s in ("accepted", "rejected") for s, _ in answers), answers
    head = chain.sign_head(d.key, MAX_SEQ, edges[-1].hash)
    report = d.client.device_status(MAX_SEQ, head).desk
    assert report.latest_seq == MAX_SEQ and report.head_seq == MAX_SEQ
    r = send(actors, "relay", "POST", "/api/v1/relay/status",
             {"desks": [{"device_id": d.device_id, "latest_seq": MAX_SEQ}]})  # fmt: skip
    assert r.status_code == 403 and r.json()["error"] == "not_relayed_device"
    assert actors.srv.admin.status(NUMBER).events >= 1
