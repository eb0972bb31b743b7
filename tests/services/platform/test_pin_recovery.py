"""A forgotten desk PIN: the administration sets a new one, the kiosk installs it at its next pull."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kiosk.services.pins import PinGuard
from tests.support.live_server import LiveServer
from tests.support.platform_kiosk import NUMBER, cli, enroll_cli, open_store, write_config

pytestmark = pytest.mark.timeout(90)


def set_pin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, srv: LiveServer,
    pin: str, *, role: str = "staff",
) -> tuple[int, str, str]:  # fmt: skip
    """`cme-kiosk server pin set` with the PIN on standard input, as a script gives it."""
    monkeypatch.setattr("sys.stdin", io.StringIO(pin + "\n"))
    return cli(capsys, "server", "pin", "set", NUMBER, "--role", role, "--db", srv.db_url)


def test_a_pin_set_by_the_administration_reaches_the_desk_and_replaces_the_old_one(
    srv: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    cfg = write_config(tmp_path, "A")
    status, _, err = enroll_cli(capsys, srv, cfg)
    assert status == 0, err
    _, store = open_store(cfg)
    guard = PinGuard(store, "staff")
    guard.set_pin("284619")  # the PIN the desk had, now forgotten
    store.close()

    status, out, err = set_pin(capsys, monkeypatch, srv, "735102")
    assert status == 0, err
    assert "staff PIN of project" in out and "735102" not in out + err
    status, _, err = cli(capsys, "--config", str(cfg), "sync", "--pull-only")
    assert status == 0, err

    _, store = open_store(cfg)
    guard = PinGuard(store, "staff")
    assert not guard.check("284619").ok
    assert guard.check("735102").ok
    assert not PinGuard(store, "organizer").is_set
    # A second pull with the same hash changes nothing (the failure count is not reset by it).
    assert not guard.check("000001").ok
    store.close()
    status, _, err = cli(capsys, "--config", str(cfg), "sync", "--pull-only")
    assert status == 0, err
    _, store = open_store(cfg)
    assert '"failures": 1' in (store.get_meta("pin_state:staff") or "")
    store.close()
    audit = [a for a in srv.admin.audit_log(NUMBER) if a["action"] == "desk_pin_set"]
    assert [a["subject"] for a in audit] == ["staff"]
    assert "735102" not in str(srv.admin.audit_log(NUMBER))


def test_a_pin_too_easy_or_for_an_unknown_project_is_refused_and_nothing_changes(
    srv: LiveServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _, err = set_pin(capsys, monkeypatch, srv, "123456")
    assert status == 1 and "PIN not set: PIN is too easy to guess" in err
    status, _, err = set_pin(capsys, monkeypatch, srv, "12ab")
    assert status == 1 and "6 to 12 digits" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("735102\n"))
    status, _, err = cli(capsys, "server", "pin", "set", "1999-00-00-000", "--db", srv.db_url)
    assert status == 1 and "no project 1999-00-00-000" in err
    assert not [a for a in srv.admin.audit_log() if a["action"] == "desk_pin_set"]
