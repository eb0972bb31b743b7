"""Enrollment codes are single use and expire; tokens are stored hashed; bad tokens are refused."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from sync import signing
from sync.client import PermanentError
from sync.server import db as t
from tests.support.desks import enroll
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.timeout(60)
NUMBER = "2026-15-01-001"


def test_code_enrolls_once_and_the_token_is_stored_hashed(srv: LiveServer) -> None:
    code, expires = srv.admin.enroll_code(NUMBER)
    assert expires - srv.clock() > timedelta(hours=23, minutes=59)
    key = signing.new_private_key()
    client = srv.client()
    got = client.enroll(code.lower(), public_key=signing.public_b64(key), desk_name="A")
    assert got.project == NUMBER and got.role == "desk" and got.device_id.startswith("dv-")
    assert len(got.token) >= 43  # 256 random bits, URL-safe base64
    with srv.admin.db.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(t.devices))]
        codes = [dict(r._mapping) for r in conn.execute(select(t.enroll_codes))]
    assert rows[0]["token_hash"] == hashlib.sha256(got.token.encode()).hexdigest()
    assert got.token not in repr(rows) and code.replace("-", "") not in repr(codes)
    assert rows[0]["public_key"] == signing.public_bytes(key)

    again = srv.client()
    with pytest.raises(PermanentError) as err:
        again.enroll(code, public_key=signing.public_b64(signing.new_private_key()), desk_name="B")
    assert err.value.reason == "code_used"
    assert len(srv.admin.devices(NUMBER)) == 1


def test_code_expires_after_24_hours(srv: LiveServer) -> None:
    early, _ = srv.admin.enroll_code(NUMBER)
    late, _ = srv.admin.enroll_code(NUMBER)
    srv.clock.advance(hours=23, minutes=59)
    ok = srv.client().enroll(early, public_key=signing.public_b64(signing.new_private_key()),
                             desk_name="A")  # fmt: skip
    assert ok.device_id
    srv.clock.advance(minutes=2)
    with pytest.raises(PermanentError) as err:
        srv.client().enroll(late, public_key=signing.public_b64(signing.new_private_key()),
                            desk_name="B")  # fmt: skip
    assert err.value.reason == "code_expired"


def test_unknown_code_and_bad_public_key_are_refused(srv: LiveServer) -> None:
    client = srv.client()
    with pytest.raises(PermanentError) as err:
        client.enroll("AAAA-BBBB-CCCC", public_key=signing.public_b64(signing.new_private_key()),
                      desk_name="A")  # fmt: skip
    assert err.value.reason == "invalid_code"
    code, _ = srv.admin.enroll_code(NUMBER)
    response = client._http.client.post(  # a key of the wrong size never reaches the platform
        "/api/v1/enroll", json={"code": code, "public_key": "AAAA", "desk_name": "A"}
    )
    assert response.status_code == 422 and "public_key" in response.json()["message"]
    assert srv.admin.devices(NUMBER) == []


def test_forged_and_missing_tokens(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    forged = srv.client(token="x" * 43)
    with pytest.raises(PermanentError) as err:
        forged.device_status(0)
    assert err.value.reason == "unauthorized"
    with pytest.raises(PermanentError) as err:
        srv.client().device_status(0)
    assert err.value.reason == "not_enrolled"
    assert desk.client.device_status(0).desk.device_id == desk.device_id


def test_codes_are_scoped_to_their_project_and_role(srv: LiveServer) -> None:
    organizer = enroll(srv, NUMBER, "organizer", role="organizer")
    assert organizer.enrollment.role == "organizer"
    with pytest.raises(Exception, match="no project"):
        srv.admin.enroll_code("NOPE")
    log = srv.admin.audit_log(NUMBER)
    assert [e["action"] for e in log].count("enroll") == 1
