"""Strict keys (issue 14, break 3): no small-order, non-canonical or all-zero key gets in."""

from __future__ import annotations

import base64

import httpx
import pytest

from kiosk.core.ed25519_strict import P, WeakKey, check_public_key, decode_point
from sync import signing
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.timeout(90)
NUMBER = "2026-15-01-001"

# The eight points of small order on edwards25519, in their canonical encodings (public facts:
# e.g. the blocklists of libsodium and "Taming the many EdDSAs", Chalkias et al. 2020).
SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",  # identity (order 1)
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4 (all zero)
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
]
# Non-canonical encodings: y ≥ p (here y = p and y = p + 1, the identity again), and -0.
NON_CANONICAL = [
    P.to_bytes(32, "little").hex(),
    (P + 1).to_bytes(32, "little").hex(),
    "0100000000000000000000000000000000000000000000000000000000000080",
]


def b64(hexed: str) -> str:
    return base64.b64encode(bytes.fromhex(hexed)).decode()


def test_every_small_order_point_and_non_canonical_encoding_is_refused() -> None:
    for hexed in SMALL_ORDER + NON_CANONICAL:
        with pytest.raises(WeakKey):
            check_public_key(bytes.fromhex(hexed))
    # The eight really are distinct points whose order divides 8 (decoded, not just refused).
    points = {decode_point(bytes.fromhex(h))[:2] for h in SMALL_ORDER}
    assert len(points) == 8
    for _ in range(20):
        check_public_key(signing.public_bytes(signing.new_private_key()))  # real keys pass


def test_a_key_with_a_small_order_component_is_refused() -> None:
    from kiosk.core.ed25519_strict import _add

    genuine = decode_point(signing.public_bytes(signing.new_private_key()))
    x, y, z, _ = _add(genuine, decode_point(bytes.fromhex(SMALL_ORDER[4])))
    inv = pow(z, P - 2, P)
    x, y = x * inv % P, y * inv % P
    mixed = (y | ((x & 1) << 255)).to_bytes(32, "little")
    with pytest.raises(WeakKey, match="prime-order subgroup"):
        check_public_key(mixed)


def test_enrollment_refuses_weak_keys(srv: LiveServer) -> None:
    with httpx.Client(base_url=srv.url, verify=srv.tls.client_context()) as c:
        for hexed in SMALL_ORDER + NON_CANONICAL:
            code, _ = srv.admin.enroll_code(NUMBER)
            r = c.post("/api/v1/enroll",
                       json={"code": code, "public_key": b64(hexed), "desk_name": "X"})  # fmt: skip
            assert r.status_code == 422, (hexed, r.text)
            assert r.json()["error"] == "invalid_public_key"
    assert srv.admin.devices(NUMBER) == []


def test_relay_registration_refuses_weak_keys(srv: LiveServer) -> None:
    code, _ = srv.admin.enroll_code(NUMBER, role="relay")
    relay = srv.client()
    relay.enroll(code, public_key=signing.public_b64(signing.new_private_key()), desk_name="hall")
    venue, _ = srv.admin.enroll_code(NUMBER, venue=True)
    headers = {"Authorization": f"Bearer {relay.token}"}
    with httpx.Client(base_url=srv.url, verify=srv.tls.client_context(), headers=headers) as c:
        for hexed in SMALL_ORDER + NON_CANONICAL:
            r = c.post("/api/v1/relay/devices", json={
                "device_id": "dv-aaaaaaaaaaaa", "public_key": b64(hexed), "desk_name": "X",
                "enrollment_code": venue,
            })  # fmt: skip
            assert r.status_code == 422 and r.json()["error"] == "invalid_public_key", r.text
    assert [d.role for d in srv.admin.devices(NUMBER)] == ["relay"]
