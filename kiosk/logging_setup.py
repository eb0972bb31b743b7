"""Rotating log files in the data directory, with ID numbers and secrets masked on the way out."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

# 18-character citizen / permit numbers and 15-character 2017 foreigner numbers.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_FOREIGN_RE = re.compile(r"(?<![0-9A-Za-z])([A-Z]{3})\d{8}(\d{4})(?![0-9A-Za-z])")
_BEARER_RE = re.compile(
    r"(?i)(authorization[=:]\s*(?:bearer\s+)?|bearer\s+|token[\"']?\s*[=:]\s*[\"']?)[A-Za-z0-9._~+/=-]+"
)


def scrub(text: str) -> str:
    """Mask ID numbers and bearer tokens in one log line."""
    text = _ID_RE.sub(lambda m: m.group(1)[:3] + "*" * 11 + m.group(2), text)
    text = _FOREIGN_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    return _BEARER_RE.sub(lambda m: m.group(1) + "***", text)


class ScrubFilter(logging.Filter):
    """Rewrite each record's final message so nothing personal reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the formatted message in place (always keeps the record)."""
        record.msg = scrub(record.getMessage())
        record.args = None
        return True


def setup_logging(data_dir: Path, *, level: str = "INFO", console: bool = False) -> Path:
    """Log to data_dir/logs/kiosk.log (5 × 2 MB, mode 0600); return the log file's path."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = log_dir / "kiosk.log"
    old_umask = os.umask(0o077)
    try:
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    finally:
        os.umask(old_umask)
    os.chmod(path, 0o600)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    handler.setFormatter(fmt)
    handler.addFilter(ScrubFilter())
    root = logging.getLogger()
    root.setLevel(level)
    for h in list(root.handlers):
        if getattr(h, "_cme_kiosk", False):
            root.removeHandler(h)
            h.close()
    handler._cme_kiosk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(fmt)
        stream.addFilter(ScrubFilter())
        stream._cme_kiosk = True  # type: ignore[attr-defined]
        root.addHandler(stream)
    return path
