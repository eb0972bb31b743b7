"""Parse the `[camera] source` setting: device index, device path, stream URL or video file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class SourceKind(StrEnum):
    """Where frames come from."""

    INDEX = "index"  # /dev/video<N> (V4L2) or the platform's N-th camera
    DEVICE = "device"  # a device path such as /dev/video2 or a udev symlink
    STREAM = "stream"  # rtsp://, rtsps://, http://, https://
    FILE = "file"  # a video file, played in a loop (tests, demo)


_STREAM_SCHEMES = {"rtsp", "rtsps", "http", "https"}


@dataclass(frozen=True, slots=True)
class CameraSource:
    """A parsed camera source."""

    kind: SourceKind
    index: int | None = None
    path: Path | None = None
    url: str | None = None

    @property
    def live(self) -> bool:
        """Whether frames arrive in real time (a file is paced and looped by the driver instead)."""
        return self.kind is not SourceKind.FILE

    def describe(self) -> str:
        """The source for logs and the status line, without any password in a URL."""
        if self.kind is SourceKind.INDEX:
            return f"camera {self.index}"
        if self.kind is SourceKind.STREAM:
            return redact_url(self.url or "")
        return str(self.path)

    def device_node(self) -> Path | None:
        """The V4L2 node to look for before opening, when there is one to look for."""
        if self.kind is SourceKind.DEVICE:
            return self.path
        if self.kind is SourceKind.INDEX and Path("/dev").is_dir() and Path("/sys").is_dir():
            return Path(f"/dev/video{self.index}")
        return None


def redact_url(url: str) -> str:
    """Drop user:password from a stream URL (cameras often carry them)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, "***@" + netloc, parts.path, parts.query, parts.fragment))


def parse_source(text: str) -> CameraSource:
    """Classify a source string; raise ValueError for an empty one."""
    value = text.strip()
    if not value:
        raise ValueError("camera source is empty")
    if re.fullmatch(r"\d{1,3}", value):
        return CameraSource(SourceKind.INDEX, index=int(value))
    scheme = value.split("://", 1)[0].lower() if "://" in value else ""
    if scheme in _STREAM_SCHEMES:
        return CameraSource(SourceKind.STREAM, url=value)
    if scheme:
        raise ValueError(f"camera source scheme {scheme!r} is not supported (rtsp, http, https)")
    path = Path(value).expanduser()
    if str(path).startswith("/dev/"):
        return CameraSource(SourceKind.DEVICE, path=path)
    return CameraSource(SourceKind.FILE, path=path)
