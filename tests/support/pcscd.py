"""A private pcscd with the vpcd virtual reader, and virtual cards, started and stopped by PID.

pcscd 1.9.x always binds /run/pcscd/pcscd.comm itself; it ignores PCSCLITE_CSOCK_NAME (only the
client library reads it). So the fixture hands pcscd a socket the systemd way (LISTEN_FDS=1,
LISTEN_PID, the socket on fd 3): pcscd then skips its "another pcscd is running" check and
serves our socket, and the client finds it through PCSCLITE_CSOCK_NAME. A private reader.conf
directory puts vpcd on a free port (and the next one: vpcd opens two slots), so parallel runs
and a system pcscd never clash. libpcsclite reads PCSCLITE_CSOCK_NAME once per process (at the
first connection), so the path is claimed before any test runs and serves the whole session;
pcscd restarts reuse it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.env import need

VPCD_DRIVER_DIRS = ("/usr/lib/pcsc/drivers/serial", "/usr/lib64/pcsc/drivers/serial")
ROOT = Path(__file__).resolve().parents[2]
SOCKET_ENV = "PCSCLITE_CSOCK_NAME"
READER = "Virtual PCD 00 00"  # slot 0 of vpcd: the port in the config file


_claimed: Path | None = None


def claim_client_socket() -> Path:
    """Point this process's PC/SC clients at a private socket path (idempotent).

    Call it before anything in the process uses pyscard: tests/drivers/idcard/conftest.py does
    so at collection. From then on no test in this process talks to a system pcscd.
    """
    global _claimed
    if _claimed is None:
        _claimed = Path(tempfile.mkdtemp(prefix="cme-pcscd-")) / "pcscd.comm"
        os.environ[SOCKET_ENV] = str(_claimed)
    return _claimed


def release_client_socket() -> None:
    """Remove the claimed socket's directory (at the end of the session)."""
    if _claimed is not None:
        shutil.rmtree(_claimed.parent, ignore_errors=True)


def find_vpcd_driver() -> Path | None:
    """The vpcd IFD handler shared library, if installed."""
    for d in VPCD_DRIVER_DIRS:
        for candidate in sorted(Path(d).glob("libifdvpcd.so*")):
            return candidate
    return None


def _port_pair_free() -> int:
    """A TCP port P such that P and P+1 are free on every interface (vpcd binds both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("0.0.0.0", 0))
            port = int(s.getsockname()[1])
        if port >= 65535:
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as a:
                a.bind(("0.0.0.0", port))
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as b:
                    b.bind(("0.0.0.0", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no free pair of TCP ports for vpcd")


# Put the listening socket on fd 3 and exec pcscd with the sd_listen_fds() variables; exec keeps
# the PID, so LISTEN_PID is pcscd's own. (A shell cannot do it: dash only redirects fds 0-9.)
_EXEC_WITH_SOCKET = """
import os, sys
fd = int(sys.argv[1])
if fd != 3:
    os.dup2(fd, 3)
    os.close(fd)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[2], sys.argv[2:])
"""


class PrivatePcscd:
    """pcscd in the foreground on a private socket, with vpcd on a private port."""

    def __init__(self, workdir: Path, *, socket_path: Path) -> None:
        self.workdir = workdir
        self.socket_path = socket_path
        self.conf_dir = workdir / "reader.conf.d"
        self.log_path = workdir / "pcscd.log"
        self.port = _port_pair_free()
        self.proc: subprocess.Popen[bytes] | None = None
        self.cards: list[subprocess.Popen[bytes]] = []
        driver = find_vpcd_driver()
        assert driver is not None
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "vpcd").write_text(
            'FRIENDLYNAME "Virtual PCD"\n'
            f"DEVICENAME /dev/null:0x{self.port:04X}\n"
            f"LIBPATH {driver}\n"
            f"CHANNELID 0x{self.port:04X}\n"
        )

    @property
    def pid(self) -> int | None:
        """pcscd's PID while it runs."""
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def start(self, *, timeout: float = 10.0) -> None:
        """Start pcscd and wait until vpcd listens; raise RuntimeError with the log if not."""
        if self.pid is not None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.socket_path))
        listener.listen(64)
        os.chmod(self.socket_path, 0o666)
        fd = listener.fileno()
        pcscd = shutil.which("pcscd") or "/usr/sbin/pcscd"
        argv = [
            sys.executable,
            "-I",
            "-c",
            _EXEC_WITH_SOCKET,
            str(fd),
            pcscd,
            "--foreground",
            "--debug",
            "--config",
            str(self.conf_dir),
        ]
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            self.proc = subprocess.Popen(
                argv,
                pass_fds=(fd,),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        finally:
            log.close()
            # Only pcscd may hold the listening socket: with a copy here, clients would queue on
            # it while pcscd is down instead of seeing "service not available".
            listener.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pcscd exited with {self.proc.returncode}: {self.log_tail()}")
            if self._vpcd_listening():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"pcscd did not open vpcd port {self.port}: {self.log_tail()}")

    def _vpcd_listening(self) -> bool:
        return tcp_listening(self.port)

    def stop(self, *, timeout: float = 5.0) -> None:
        """SIGTERM pcscd by PID, SIGKILL if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        _terminate(proc, timeout)

    def kill(self) -> None:
        """SIGKILL pcscd by PID: the service disappears without cleaning up."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)
        self.proc = None

    def restart(self) -> None:
        """Stop and start again on the same socket and port."""
        self.stop()
        self.start()

    def insert_card(self, uid: bytes, *, atr: bytes | None = None) -> subprocess.Popen[bytes]:
        """Start a virtual card process (inserted while it runs); stop it with remove_card."""
        cmd = [
            sys.executable,
            "-m",
            "drivers.sim.vpcd_card",
            "--port",
            str(self.port),
            "--uid",
            uid.hex(),
        ]
        if atr is not None:
            cmd += ["--atr", atr.hex()]
        card = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        self.cards.append(card)
        return card

    def remove_card(self, card: subprocess.Popen[bytes]) -> None:
        """Stop a virtual card process by PID (the card leaves the reader)."""
        _terminate(card, 5.0)
        if card in self.cards:
            self.cards.remove(card)

    def wait_reader(self, *, card: bool, timeout: float = 5.0) -> bool:
        """Wait until pcscd itself reports the reader with (or without) a card."""
        from smartcard import scard

        hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hr != scard.SCARD_S_SUCCESS:
            return False
        try:
            state = scard.SCARD_STATE_UNAWARE
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                hr, states = scard.SCardGetStatusChange(ctx, 200, [(READER, state)])
                if hr == scard.SCARD_S_SUCCESS:
                    state = states[0][1] & ~scard.SCARD_STATE_CHANGED
                elif hr != scard.SCARD_E_TIMEOUT:
                    return False
                if bool(state & scard.SCARD_STATE_PRESENT) == card:
                    return True
            return False
        finally:
            scard.SCardReleaseContext(ctx)

    def close(self) -> None:
        """Stop every card and pcscd."""
        for card in list(self.cards):
            self.remove_card(card)
        self.stop()

    def log_tail(self, lines: int = 15) -> str:
        """The end of pcscd's log, for failure messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return " | ".join(text.strip().splitlines()[-lines:])


def tcp_listening(port: int) -> bool:
    """Whether something listens on a TCP port (from /proc: no ss/netstat needed)."""
    want = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 3 and fields[1].endswith(want) and fields[3] == "0A":
                return True
    return False


def _terminate(proc: subprocess.Popen[bytes], timeout: float) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def client_sees_reader() -> bool | str:
    """True if this process's libpcsclite reaches our pcscd and lists vpcd; else the reason.

    libpcsclite fixes the socket path at its first use in a process: if something used pyscard
    before the fixture set PCSCLITE_CSOCK_NAME, this is where it shows.
    """
    from smartcard import scard

    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        return scard.SCardGetErrorMessage(hr)
    try:
        hr, names = scard.SCardListReaders(ctx, [])
    finally:
        scard.SCardReleaseContext(ctx)
    if hr != scard.SCARD_S_SUCCESS:
        return scard.SCardGetErrorMessage(hr)
    return True if READER in names else f"readers {names} lack {READER}"


def prerequisites() -> str | None:
    """Why a private pcscd cannot run here, or None."""
    if shutil.which("pcscd") is None and not Path("/usr/sbin/pcscd").exists():
        return "pcscd is not installed (apt install pcscd)"
    if find_vpcd_driver() is None:
        return "the vpcd reader driver is not installed (apt install vsmartcard-vpcd)"
    try:
        import smartcard.scard  # noqa: F401
    except ImportError as exc:
        return f"pyscard is not importable: {exc}"
    if not Path("/run/pcscd").is_dir() and not os.access("/run", os.W_OK):
        return "pcscd needs /run/pcscd (create it, or run as root)"
    return None


@pytest.fixture(scope="session")
def pcscd_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePcscd]:
    """One private pcscd for the session (its socket path is fixed for the process)."""
    reason = prerequisites()
    need(reason is None, reason or "")
    workdir = tmp_path_factory.mktemp("pcscd")
    socket_path = claim_client_socket()
    daemon = PrivatePcscd(workdir, socket_path=socket_path)
    started = False
    last = ""
    for attempt in range(3):
        try:
            daemon.start()
            started = True
            break
        except RuntimeError as exc:
            started = False
            last = f"attempt {attempt + 1}: {exc}"
            time.sleep(0.5)
    if not started:
        need(False, f"private pcscd did not start: {last}")
    reached = client_sees_reader()
    if reached is not True:
        daemon.close()
        need(False, f"pyscard in this process cannot reach the private pcscd: {reached}")
    try:
        yield daemon
    finally:
        daemon.close()


@pytest.fixture
def pcscd(pcscd_session: PrivatePcscd) -> Iterator[PrivatePcscd]:
    """The session's pcscd, running and with no card, before and after each test."""
    if pcscd_session.pid is None:
        pcscd_session.start()
    yield pcscd_session
    for card in list(pcscd_session.cards):
        pcscd_session.remove_card(card)
    if pcscd_session.pid is None:
        pcscd_session.start()
    # The next test starts from an empty reader, not from a removal pcscd has yet to notice.
    assert pcscd_session.wait_reader(card=False), pcscd_session.log_tail()
