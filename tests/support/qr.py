"""QR test material: platform keys, signed codes, rendered symbols and camera-like frames."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import cv2
import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.core.codes import MemoryReplayGuard, Ticket, VerifyContext, kiosk_context, sign_ticket
from kiosk.core.model import Project
from kiosk.qr_render import qr_image, qr_symbol

Gray = npt.NDArray[np.uint8]


@dataclass
class PlatformKeys:
    """A project's ticket-signing key and per-attendee rotating-code secrets, as the server has."""

    name: str = "platform"  # keys come from the name: another name is another (forger's) key
    secrets: dict[str, bytes] = field(default_factory=dict)
    private: Ed25519PrivateKey = field(init=False)

    def __post_init__(self) -> None:
        seed = hashlib.sha256(b"cme-kiosk test key:" + self.name.encode()).digest()
        self.private = Ed25519PrivateKey.from_private_bytes(seed)

    @property
    def public(self) -> bytes:
        """The raw public key kiosks receive with the roster."""
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> str:
        """The platform's key id: first 8 hex digits of the public key's SHA-256."""
        return hashlib.sha256(self.public).hexdigest()[:8]

    def secret(self, attendee: str) -> bytes:
        """The attendee's secret (made on first use, deterministic per attendee)."""
        return self.secrets.setdefault(
            attendee, hashlib.sha256(f"secret:{self.name}:{attendee}".encode()).digest()
        )

    def ticket(
        self,
        project: str,
        attendee: str,
        *,
        start: datetime,
        end: datetime | None = None,
        key_id: str | None = None,
    ) -> str:
        """A signed ticket payload."""
        t = Ticket(
            project, attendee, key_id or self.key_id, start, end or start + timedelta(days=3)
        )
        return sign_ticket(t, self.private)

    def context(
        self,
        project: Project,
        *,
        clock: object,
        roster: set[str],
        guard: MemoryReplayGuard | None = None,
    ) -> VerifyContext:
        """A desk's verification context for `project` with these keys and that roster."""
        for ref in roster:
            self.secret(ref)
        return kiosk_context(
            project,
            ticket_keys={self.key_id: self.public},
            attendee_secret=lambda ref: self.secrets.get(ref) if ref in roster else None,
            attendee_known=lambda ref: ref in roster,
            replay_guard=guard or MemoryReplayGuard(),
            clock=clock,  # type: ignore[arg-type]
        )


def qr_matrix(payload: str, *, module_px: int = 6, border: int = 4) -> Gray:
    """The payload as a level-M QR code image: black modules on white, `module_px` per module."""
    return qr_image(payload, box_size=module_px, border=border)


def qr_version(payload: str) -> int:
    """The QR version the payload needs at level M."""
    return int(qr_symbol(payload).version)


def background(width: int, height: int, *, seed: int = 1) -> Gray:
    """A camera-like scene: a gradient with texture and sensor noise (not a clean page)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(70, 180, width, dtype=np.float32)
    y = np.linspace(0, 40, height, dtype=np.float32)[:, None]
    scene = x[None, :] + y + rng.normal(0, 6, (height, width)).astype(np.float32)
    # A few dark shapes, like a hand or a phone edge, so the detector has something to reject.
    for i in range(6):
        cx, cy = int(rng.integers(0, width)), int(rng.integers(0, height))
        cv2.circle(scene, (cx, cy), int(rng.integers(10, 60)), float(30 + 10 * i), -1)
    return np.clip(scene, 0, 255).astype(np.uint8)


def place(
    frame: Gray,
    symbol: Gray,
    *,
    center: tuple[int, int],
    size: int,
    angle: float = 0.0,
) -> None:
    """Paste `symbol` scaled to `size` px, rotated by `angle` degrees, centred at `center`."""
    scaled = cv2.resize(symbol, (size, size), interpolation=cv2.INTER_AREA)
    rot = cv2.getRotationMatrix2D((size / 2, size / 2), angle, 1.0)
    diag = int(np.ceil(size * (abs(np.cos(np.radians(angle))) + abs(np.sin(np.radians(angle))))))
    rot[0, 2] += (diag - size) / 2
    rot[1, 2] += (diag - size) / 2
    patch = cv2.warpAffine(scaled, rot, (diag, diag), borderValue=0)
    mask = cv2.warpAffine(np.full_like(scaled, 255), rot, (diag, diag), borderValue=0) > 127
    x0, y0 = center[0] - diag // 2, center[1] - diag // 2
    region = frame[y0 : y0 + diag, x0 : x0 + diag]
    region[mask] = patch[mask]


def camera_frame(
    payloads: list[str],
    *,
    width: int = 1280,
    height: int = 720,
    size: int = 260,
    angle: float = 0.0,
    seed: int = 1,
) -> Gray:
    """A frame with the payloads' QR codes side by side on a noisy scene."""
    symbols = [qr_matrix(p) for p in payloads]
    return symbols_frame(symbols, width=width, height=height, size=size, angle=angle, seed=seed)


def symbols_frame(
    symbols: list[Gray],
    *,
    width: int = 1280,
    height: int = 720,
    size: int = 260,
    angle: float = 0.0,
    seed: int = 1,
) -> Gray:
    """A frame with these symbol images side by side on a noisy scene."""
    frame = background(width, height, seed=seed)
    step = width // (len(symbols) + 1)
    for i, symbol in enumerate(symbols):
        place(frame, symbol, center=(step * (i + 1), height // 2), size=size, angle=angle)
    return frame


def bgr(gray: Gray) -> npt.NDArray[np.uint8]:
    """The frame as the camera delivers it (BGR)."""
    return np.asarray(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
