"""Logging for the kiosk and the platform: one scrubbing filter, 0600 files, rotated ones too.

Personal fields are never formatted into log messages on purpose (references and masked values
are); the filter catches what slips through anyway: ID numbers of every document type, bearer
tokens, enrollment codes, secrets and PINs, and on the kiosk the local roster's names, in the
message, its arguments, exception text and tracebacks. It sits on the root logger and on every
handler there (a logger's own filter only sees records logged on it, a handler's sees all).
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import re
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

# 15-20 digits (an X last): resident IDs, HK/Macau/Taiwan permits, 2023 permanent residence
# cards, 15-digit old resident IDs; 3 letters + 12 digits: 2017 permanent residence cards.
_DIGITS_RE = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{8,13}(\d{3}[\dXx])(?![0-9A-Za-z])")
_FOREIGN_RE = re.compile(r"(?<![0-9A-Za-z])([A-Z]{3})\d{8}(\d{4})(?![0-9A-Za-z])")
# Passports and staff cards: letters and at least four digits, 6-20 characters, or 8+ digits.
_ALNUM_RE = re.compile(
    r"(?<![0-9A-Za-z])(?=[A-Z0-9]*[A-Z])(?=(?:[A-Z]*\d){4})([A-Z0-9]{2})[A-Z0-9]{2,16}([A-Z0-9]{2})"
    r"(?![0-9A-Za-z])"
)
_LONG_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z.:-])(\d{2})\d{4,16}(\d{2})(?![0-9A-Za-z.:-])")
_BEARER_RE = re.compile(
    r"(?i)(authorization[=:]\s*(?:bearer\s+)?|bearer\s+|(?:token|secret|password|passwd|api_key"
    r"|private_key|qr_secret|hmac_key)[\"']?\s*[=:]\s*[\"']?)[^\s\"',;)}\]]+"
)
_PIN_RE = re.compile(r"(?i)(\bpins?\b[^0-9\n]{0,16})\d{4,12}")
_CODE_RE = re.compile(
    r"(?<![A-Za-z0-9])[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}(?![A-Za-z0-9])"
)
# Raw 32-byte secrets as base64 or url-safe base64 (tokens, rotating-code secrets, keys).
_SECRET_RE = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{42,44}={0,2}(?![A-Za-z0-9+/_=-])")


class _ProtectedNames:
    """The names to mask, as one compiled pattern (replaced whole, so readers need no lock)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.names: frozenset[str] = frozenset()
        self.pattern: re.Pattern[str] | None = None

    def add(self, names: Iterable[str]) -> None:
        with self.lock:
            fresh = self.names | {n.strip() for n in names if len(n.strip()) >= 2}
            if fresh == self.names:
                return
            self.names = frozenset(fresh)
            ordered = sorted(fresh, key=len, reverse=True)  # the longest name wins an overlap
            self.pattern = re.compile("|".join(re.escape(n) for n in ordered))


_PROTECTED = _ProtectedNames()


def protect_names(names: Iterable[str]) -> None:
    """Also mask these people's names (the kiosk's roster) in every log line from now on."""
    _PROTECTED.add(names)


def _mask_name(m: re.Match[str]) -> str:
    return m.group(0)[0] + "*" * (len(m.group(0)) - 1)


def scrub(text: str) -> str:
    """Mask ID numbers, tokens, codes, secrets, PINs and protected names in a piece of log text."""
    text = _BEARER_RE.sub(lambda m: m.group(1) + "***", text)
    text = _SECRET_RE.sub("***", text)
    text = _CODE_RE.sub("****-****-****", text)
    text = _PIN_RE.sub(lambda m: m.group(1) + "******", text)
    text = _DIGITS_RE.sub(lambda m: m.group(1) + "*" * 11 + m.group(2)[-4:], text)
    text = _FOREIGN_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    text = _ALNUM_RE.sub(lambda m: m.group(1) + "*" * 6 + m.group(2), text)
    text = _LONG_NUMBER_RE.sub(lambda m: m.group(1) + "*" * 6 + m.group(2), text)
    pattern = _PROTECTED.pattern
    if pattern is not None:
        text = pattern.sub(_mask_name, text)
    return text


class ScrubFilter(logging.Filter):
    """Rewrite each record so nothing personal or secret reaches a handler (tracebacks too)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the message with its arguments, the exception and the stack (keeps the record)."""
        if getattr(record, "_cme_scrubbed", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not hide the record
            message = f"{record.msg!r} (unformattable arguments)"
        record.msg = scrub(message)
        record.args = None
        if record.exc_info:
            record.exc_text = self._formatter.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        record._cme_scrubbed = True
        return True


SCRUB = ScrubFilter()


def install_scrubbing(*loggers: str) -> None:
    """The one filter on the root logger and every handler there (and on these loggers')."""
    for name in ("", *loggers):
        logger = logging.getLogger(name)
        if SCRUB not in logger.filters:
            logger.addFilter(SCRUB)
        for handler in logger.handlers:
            if SCRUB not in handler.filters:
                handler.addFilter(SCRUB)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file, the fresh one after a rollover included, is 0600."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
        os.fchmod(fd, 0o600)  # an older file made under a looser umask is tightened too
        return open(fd, "a", encoding=self.encoding, errors=self.errors)

    def doRollover(self) -> None:  # noqa: N802 - the logging module's name
        """Rotate, then make sure every kept file is 0600 whatever the umask was."""
        super().doRollover()
        for i in range(1, self.backupCount + 1):
            old = Path(f"{self.baseFilename}.{i}")
            if old.exists():
                os.chmod(old, 0o600)


def _replace_ours(handler: logging.Handler) -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_cme_kiosk", False):
            root.removeHandler(h)
            h.close()
    handler._cme_kiosk = True  # type: ignore[attr-defined]
    handler.addFilter(SCRUB)
    root.addHandler(handler)


_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def setup_logging(data_dir: Path, *, level: str = "INFO", console: bool = False) -> Path:
    """Log to data_dir/logs/kiosk.log (5 × 2 MB, every file 0600); return the log file's path."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = log_dir / "kiosk.log"
    handler = PrivateRotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    fmt = logging.Formatter(_FORMAT)
    handler.setFormatter(fmt)
    root = logging.getLogger()
    root.setLevel(level)
    _replace_ours(handler)
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(fmt)
        stream._cme_kiosk = True  # type: ignore[attr-defined]
        stream.addFilter(SCRUB)
        root.addHandler(stream)
    install_scrubbing()
    return path


def setup_server_logging(*, level: str = "INFO", stream: TextIO | None = None) -> None:
    """The platform's logs to standard error (its service manager keeps them), scrubbed."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    logging.getLogger().setLevel(level)
    _replace_ours(handler)
    # uvicorn configures handlers of its own on these: they get the same filter.
    install_scrubbing("uvicorn", "uvicorn.error", "uvicorn.access")
    # ... and our format: the filter leaves the finished text without arguments, which
    # uvicorn's access formatter unpacks (every access line was a "Logging error" traceback).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        for own in logging.getLogger(name).handlers:
            own.setFormatter(logging.Formatter(_FORMAT))
