"""Kiosks for the platform tests: a config file, a data directory, `cme-kiosk` run in-process."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.config import Config, load_config
from sync.store import Store
from tests.support.cli import run_cli as cli
from tests.support.live_server import LiveServer

NUMBER = "2026-15-01-001"


def wait_for(what: Callable[[], object], *, timeout: float = 15.0) -> None:
    """Poll until `what()` is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def write_config(tmp_path: Path, name: str, *, extra: str = "") -> Path:
    """A kiosk configuration with its own data directory (no server URL: enrollment gives it)."""
    data = tmp_path / f"kiosk-{name}"
    cfg = tmp_path / f"kiosk-{name}.toml"
    cfg.write_text(
        f'[kiosk]\ndata_dir = "{data}"\ndesk_name = "{name}"\n'
        f"[sync]\nconnect_timeout_s = 2.0\nread_timeout_s = 5.0\n{extra}",
        encoding="utf-8",
    )
    return cfg


def enroll_cli(
    capsys: pytest.CaptureFixture[str], srv: LiveServer, cfg: Path, *more: str
) -> tuple[int, str, str]:
    """`cme-kiosk --config CFG enroll` with a fresh code against the live server."""
    code, _ = srv.admin.enroll_code(NUMBER)
    return cli(
        capsys, "--config", str(cfg), "enroll", "--server", srv.url, "--code", code,
        "--ca-bundle", str(srv.tls.ca_pem), *more,
    )  # fmt: skip


def open_store(cfg: Path) -> tuple[Config, Store]:
    """The configuration and the kiosk store it names."""
    config = load_config(cfg)
    return config, Store.open(config.data_dir / "kiosk.sqlite3")
