"""A private PostgreSQL cluster for the test session: temp data directory, free port, trust auth.

As root, initdb and pg_ctl run as the `postgres` user (PostgreSQL refuses to run as root), in a
directory under /tmp owned by that user. Under CI=true a cluster that cannot start is a failure.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.env import free_port, need


class PostgresUnavailable(RuntimeError):
    """The cluster could not be created or started; the message says why."""


def _bin_dir() -> Path | None:
    env = os.environ.get("CME_PG_BIN")
    candidates = [env] if env else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").exists():
            return Path(c)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PgCluster:
    """One running cluster; `new_database()` hands out databases by URL, empty or migrated."""

    def __init__(self) -> None:
        bindir = _bin_dir()
        if bindir is None:
            raise PostgresUnavailable("PostgreSQL server binaries (initdb) not found")
        self.bindir = bindir
        self.port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix="cme-pg-"))
        self.data = self.base / "data"
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable("running as root and there is no postgres user") from None
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
            self.user = "postgres"
        self._names = itertools.count(1)
        self._options = ""
        self._template: str | None = None

    def _run(self, *args: str, timeout: float = 60) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if proc.returncode != 0:
            raise PostgresUnavailable(
                f"{args[0]} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}"
            )

    def start(self, *, durable: bool = False) -> None:
        """initdb (trust auth, UTF-8) and start on loopback with a private socket directory.

        Tests run without fsync (the data is thrown away); benchmarks ask for `durable`.
        """
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C", "-N")  # fmt: skip
        self._options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        if not durable:
            self._options += " -c fsync=off -c full_page_writes=off"
        self.resume()

    def pause(self) -> None:
        """Stop the server (fast shutdown: open connections are cut), keeping its data."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start the server on its data directory and port (again)."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "log"), "-w", "-t", "60",
                  "-o", self._options, "start")  # fmt: skip

    def stop(self) -> None:
        """Stop the cluster and remove its files."""
        with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self, *, migrated: bool = False) -> str:
        """Create a database, empty or at the newest schema; return its SQLAlchemy URL (psycopg 3).

        A migrated one is a copy of a template the platform's own migrations made once this
        session, so a server opens it as it would a database `server migrate` brought up to date.
        """
        template = self._migrated_template() if migrated else "template0"
        name = f"cme_test_{next(self._names)}"
        # FILE_COPY: a small copy without fsync costs ~15 ms; the default WAL_LOG strategy took
        # 0.2-0.3 s a database here, a minute over the default tier.
        self._admin(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return self._url(name)

    def _url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def _migrated_template(self) -> str:
        if self._template is None:
            from sync.server.schema import open_database

            name = "cme_template_migrated"
            self._admin(f"CREATE DATABASE {name} TEMPLATE template0 STRATEGY FILE_COPY")
            # A template must have no open connection while it is copied: dispose of the pool.
            open_database(self._url(name)).dispose()
            self._template = name
        return self._template

    def drop_database(self, url: str) -> None:
        """Drop a database handed out earlier (connections are closed first)."""
        name = url.rsplit("/", 1)[-1]
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A PostgreSQL cluster started for this session (skip, or fail under CI, if impossible)."""
    try:
        cluster = PgCluster()
        cluster.start()
    except (PostgresUnavailable, OSError, subprocess.TimeoutExpired) as exc:
        need(False, f"PostgreSQL could not be started: {exc}")
        raise AssertionError("unreachable") from None
    try:
        yield cluster
    finally:
        cluster.stop()
