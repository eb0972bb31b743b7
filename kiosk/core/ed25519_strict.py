"""Strict Ed25519: only canonical, prime-order public keys and canonical signatures.

OpenSSL verifies any 32 bytes as a key. A small-order key (the identity point, say) makes one
signature, (identity ‖ 0), verify for every message: a device enrolled with it could sign
anything. So wherever a key enters (enrollment, a relay's registration, `verify --public-key`)
it must decode canonically (RFC 8032 §5.1.3), must not be of small order, and must lie in the
prime-order subgroup; a signature's R must be a canonical encoding and its S below the group
order L (RFC 8032 §5.1.7, as in "verify_strict" elsewhere).
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # the prime order of the base point
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z
IDENTITY: Point = (0, 1, 1, 0)


class WeakKey(ValueError):
    """The 32 bytes are not a key a device may sign with; the message says why."""


def _add(a: Point, b: Point) -> Point:
    """Point addition on the twisted Edwards curve (RFC 8032 §5.1.4)."""
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _times(k: int, point: Point) -> Point:
    """[k]point by double-and-add (public data only: no constant time needed)."""
    out = IDENTITY
    while k:
        if k & 1:
            out = _add(out, point)
        point = _add(point, point)
        k >>= 1
    return out


def _is_identity(point: Point) -> bool:
    x, y, z, _ = point
    return x % P == 0 and (y - z) % P == 0


def decode_point(raw: bytes) -> Point:
    """The curve point a 32-byte encoding names; WeakKey if it is not a canonical encoding."""
    if len(raw) != 32:
        raise WeakKey(f"an Ed25519 key is 32 bytes, got {len(raw)}")
    number = int.from_bytes(raw, "little")
    sign = number >> 255
    y = number & ((1 << 255) - 1)
    if y >= P:
        raise WeakKey("not a canonical encoding (y is not below 2^255 - 19)")
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if (v * x * x - u) % P != 0:
        x = x * SQRT_M1 % P
        if (v * x * x - u) % P != 0:
            raise WeakKey("not a point on the curve")
    if x == 0 and sign:
        raise WeakKey("not a canonical encoding (negative zero)")
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


@lru_cache(maxsize=1024)
def check_public_key(raw: bytes) -> None:
    """Refuse non-canonical, small-order, mixed-order and all-zero keys (WeakKey says which)."""
    if raw == bytes(32):
        raise WeakKey("the all-zero key")
    point = decode_point(raw)
    if _is_identity(_times(8, point)):
        raise WeakKey("a small-order point (signatures by it prove nothing)")
    if not _is_identity(_times(L, point)):
        raise WeakKey("not in the prime-order subgroup (it has a small-order component)")


def strict_public_key(raw: bytes) -> Ed25519PublicKey:
    """A public key for verification, after the checks of `check_public_key`."""
    check_public_key(bytes(raw))
    return Ed25519PublicKey.from_public_bytes(bytes(raw))


def canonical_signature(signature: bytes) -> bool:
    """R a canonical encoding (y below p) and S below L: the only form a signer produces."""
    if len(signature) != 64:
        return False
    r_y = int.from_bytes(signature[:32], "little") & ((1 << 255) - 1)
    s = int.from_bytes(signature[32:], "little")
    return r_y < P and s < L


def verify_strict(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    """Whether the signature is canonical and verifies under a strict key."""
    try:
        check_public_key(key.public_bytes(Encoding.Raw, PublicFormat.Raw))
    except WeakKey:
        return False
    if not canonical_signature(signature):
        return False
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def signed_by(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether a raw 32-byte public key, strict, made this canonical signature of `message`."""
    try:
        key = strict_public_key(public_key)
    except ValueError:  # WeakKey included, or not 32 bytes
        return False
    return verify_strict(key, signature, message)
