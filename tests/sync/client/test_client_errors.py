"""The client's one place of error typing: every network fault transient, trust failures permanent."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync.client import PermanentError, SyncClient, TransientError, UpdateNeeded
from tests.support.desks import enroll, statuses
from tests.support.env import free_port
from tests.support.fault_proxy import FAULTS, FORWARDED, FaultProxy, always
from tests.support.live_server import LiveServer, start_live_server
from tests.support.roster import DAY1, at
from tests.support.tls import TlsFiles, make_tls

pytestmark = pytest.mark.timeout(60)
NUMBER = "2026-15-01-001"


@pytest.fixture
def proxy(srv: LiveServer) -> Iterator[FaultProxy]:
    p = FaultProxy(
        ("127.0.0.1", srv.port),
        server_context=srv.tls.server_context(),
        upstream_context=srv.tls.client_context(),
        delay_s=1.0,
        retry_after="7",
    ).start()
    yield p
    p.stop()


@pytest.mark.parametrize("fault", FAULTS)
def test_every_fault_is_transient_and_the_retry_is_exactly_once(
    srv: LiveServer, proxy: FaultProxy, fault: str
) -> None:
    desk = enroll(srv, NUMBER)
    via = srv.client(url=proxy.url, token=desk.client.token, read_timeout=0.5)
    rec = desk.record("A1", at=at(DAY1, 8))
    proxy.plan = always(fault)
    with pytest.raises(TransientError) as err:
        via.upload([rec])
    assert proxy.counts[fault] == 1
    if fault == "http_503":
        assert err.value.retry_after == 7.0
    proxy.plan = always(None)
    if fault == "delay":
        time.sleep(1.5)  # the delayed request still reaches the server after the client gave up
    expected = "duplicate" if fault in FORWARDED else "accepted"
    # The retry waits as a desk does: 0.5 s was only there to give up on the delayed request, and
    # a loaded machine's first PostgreSQL commit can take longer than that.
    retry = srv.client(url=proxy.url, token=desk.client.token)
    assert statuses(retry.upload([rec])) == [(expected, "")]
    assert len(srv.admin.stored_events(NUMBER)) == 1
    assert srv.alive


def test_server_down_is_transient(tls: TlsFiles) -> None:
    client = SyncClient(f"https://127.0.0.1:{free_port()}", ca_bundle=tls.ca_pem,
                        connect_timeout=1)  # fmt: skip
    with pytest.raises(TransientError):
        client.server_time()


def test_untrusted_certificate_and_pins(srv: LiveServer, tmp_path: Path) -> None:
    stranger = make_tls(tmp_path / "other-ca")
    with pytest.raises(PermanentError) as err:
        srv.client(ca_bundle=stranger.ca_pem).server_time()
    assert err.value.reason == "tls_untrusted"
    with pytest.raises(PermanentError) as err:
        srv.client(pin_sha256="00" * 32).server_time()
    assert err.value.reason == "tls_untrusted" and "pinned" in str(err.value)
    pinned = srv.client(
        pin_sha256=":".join(srv.tls.cert_sha256[i : i + 2] for i in range(0, 64, 2))
    )
    assert pinned.server_time().server_time.year == DAY1.year


def test_version_mismatch_means_update_needed(tls: TlsFiles, tmp_path: Path) -> None:
    newer = start_live_server(f"sqlite:///{tmp_path / 's.sqlite3'}", tls, backend="sqlite",
                              supported_versions=(2, 3))  # fmt: skip
    try:
        client = newer.client()
        with pytest.raises(UpdateNeeded) as err:
            client.negotiate()
        assert err.value.supported == [2, 3] and err.value.reason == "update_needed"
        with pytest.raises(UpdateNeeded) as err:
            client.server_time()  # every versioned request says so, not an obscure 404
        assert err.value.supported == [2, 3]
    finally:
        newer.stop()


def test_clock_offset_from_server_time(srv: LiveServer) -> None:
    set_at = time.monotonic()
    srv.clock.set(datetime.now(UTC).replace(microsecond=0))
    srv.clock.advance(minutes=2)

    def near_two_minutes(offset_ms: float) -> bool:
        # The platform's clock stands still here while real time runs on, so the offset shrinks
        # by the time since it was set (seconds on a loaded machine), never grows.
        elapsed_ms = (time.monotonic() - set_at) * 1000
        return 120_000 - elapsed_ms - 1_000 <= offset_ms <= 120_000 + 1_000

    reading = srv.client().server_time()
    assert near_two_minutes(reading.offset_ms), reading
    desk = enroll(srv, NUMBER)
    assert near_two_minutes(desk.client.report_latest_seq(0) or 0)
