"""Logs that cannot leak (issue 14, break 6): exceptions carrying personal data, grepped out of
every log file of the kiosk (rotated ones too, all 0600) and of the platform server."""

from __future__ import annotations

import base64
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter

from kiosk.logging_setup import (
    PrivateRotatingFileHandler,
    protect_names,
    setup_logging,
    setup_server_logging,
)
from sync.server.app import create_app
from sync.server.run import serve_in_background
from tests.support.roster import make_roster
from tests.support.tls import TlsFiles, tls  # noqa: F401

PEOPLE = make_roster(3)
SECRETS = {
    "resident_id": PEOPLE[0].document.number,
    "foreigner_2017": "USA310812150001",
    "foreigner_2023": "933124198503150018",
    "hk_macau_taiwan": "810000199003071234",
    "passport": "E12345678",
    "staff_card": "SC2024A0099",
    "staff_card_digits": "0713233758",
    "name": PEOPLE[1].name,
    "bearer": "pF3kY9zQ2mW8vN1rT6uB0cX4sD7hJ5gL2aE9oI3yR1w",
    "qr_secret": base64.b64encode(bytes(range(32))).decode(),
    "pin": "604918",
    "enroll_code": "K7QW-3MZP-8RTD",
}


class PersonalError(Exception):
    """An exception whose text carries everything a log must not."""


def _raise_nested() -> None:
    try:
        raise ValueError(f"card {SECRETS['resident_id']} of {SECRETS['name']} unreadable")
    except ValueError as inner:
        raise PersonalError(
            f"Authorization: Bearer {SECRETS['bearer']}; permit {SECRETS['foreigner_2017']},"
            f" {SECRETS['foreigner_2023']}, {SECRETS['hk_macau_taiwan']}, passport"
            f" {SECRETS['passport']}, staff {SECRETS['staff_card']} / {SECRETS['staff_card_digits']}"
            f", qr_secret={SECRETS['qr_secret']}, new PIN {SECRETS['pin']}, code"
            f" {SECRETS['enroll_code']}"
        ) from inner


def _log_everything(log: logging.Logger) -> None:
    try:
        _raise_nested()
    except PersonalError:
        log.exception("check-in of %s failed", SECRETS["name"])
        log.error("raw card %r", SECRETS["resident_id"], stack_info=True)
        log.warning("token %s", SECRETS["bearer"])


def leaks(text: str) -> list[str]:
    return [k for k, v in SECRETS.items() if v in text]


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def clean_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level, filters = list(root.handlers), root.level, list(root.filters)
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)
    root.filters[:] = filters


def test_the_kiosk_logs_no_personal_data_or_secret(
    data_dir: Path, loose_umask: None, clean_root: None
) -> None:
    path = setup_logging(data_dir)
    protect_names(p.name for p in PEOPLE)
    log = logging.getLogger("kiosk.services.checkin")
    _log_everything(log)
    handler = next(h for h in logging.getLogger().handlers
                   if isinstance(h, PrivateRotatingFileHandler))  # fmt: skip
    handler.doRollover()  # the fresh kiosk.log is made under the loose umask
    _log_everything(logging.getLogger("sync.client.outbox"))
    handler.flush()
    files = sorted((data_dir / "logs").iterdir())
    assert [f.name for f in files] == ["kiosk.log", "kiosk.log.1"]
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "check-in of" in text and "PersonalError" in text and "Traceback" in text
        assert leaks(text) == [], (f.name, leaks(text))
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name
    # What is kept is still useful: masked numbers keep their ends, names their first character.
    text = path.read_text(encoding="utf-8")
    assert SECRETS["resident_id"][:3] + "*" * 11 + SECRETS["resident_id"][-4:] in text
    assert SECRETS["name"][0] + "*" in text


def test_the_platform_server_logs_no_personal_data_or_secret(
    tmp_path: Path,
    tls: TlsFiles,  # noqa: F811
    clean_root: None,
) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    crash = APIRouter()

    @crash.get("/api/v1/crash")
    def crashing() -> None:
        _raise_nested()

    app.include_router(crash)
    served = serve_in_background(app, cert=tls.cert_pem, key=tls.key_pem)
    logfile = tmp_path / "server.log"
    with logfile.open("w", encoding="utf-8") as sink:
        setup_server_logging(stream=sink)
        try:
            with httpx.Client(verify=tls.client_context()) as c:
                r = c.get(f"https://127.0.0.1:{served.port}/api/v1/crash",
                          headers={"Authorization": f"Bearer {SECRETS['bearer']}"})  # fmt: skip
            assert r.status_code == 500 and leaks(r.text) == []
            _log_everything(logging.getLogger("uvicorn.error"))
            _log_everything(logging.getLogger("sync.server.records"))
        finally:
            served.stop()
    text = logfile.read_text(encoding="utf-8")
    assert "GET /api/v1/crash failed" in text and "PersonalError" in text
    assert leaks(text) == [], leaks(text)
