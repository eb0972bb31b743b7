"""An async load generator of simulated desks speaking the wire protocol (httpx, TLS, HTTP/1.1).

Each `LoadDesk` has its own connection, as a kiosk does. Everything a desk sends in a timed phase
is signed and serialised before the phase starts (`prepare`), so the generator's own CPU goes to
TLS and HTTP, not to Ed25519. Every answer is checked: a record answered anything but what was
expected, or never answered, fails the run.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from kiosk.core.model import new_uuid
from kiosk.core.timeutil import offset_minutes, to_utc
from sync import chain, signing
from sync import protocol as p
from tests.support.postgres import PgCluster
from tests.support.workers import PlatformProcess, children, cpu_seconds

JSON = {"Content-Type": "application/json"}


class LoadError(AssertionError):
    """The platform answered something a correct platform never would (a lost record, a 500)."""


@dataclass
class Timings:
    """Latencies (ms) of one kind of request, and how many were retried after a 503."""

    latencies: list[float] = field(default_factory=list)
    retried: int = 0

    def percentile(self, q: float) -> float:
        """The q-th percentile (nearest rank) in ms."""
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank]


@dataclass
class LoadDesk:
    """One simulated desk: its key, enrollment, prepared bodies and its own HTTP client."""

    number: str
    code: str
    name: str
    key: object = field(default_factory=signing.new_private_key)
    device_id: str = ""
    token: str = ""
    seq: int = 0
    prev: str = signing.GENESIS
    bodies: list[tuple[bytes, int, int]] = field(default_factory=list)  # (body, records, top seq)
    singles: list[tuple[bytes, int]] = field(default_factory=list)  # (record JSON, seq)
    client: httpx.AsyncClient | None = None
    etag: str = ""
    cursor: str = "0"
    # seq -> the status report a kiosk sends with that record as its latest (signed head),
    # as JSON; signed in `prepare`, before the clock starts.
    reports: dict[int, str] = field(default_factory=dict)

    def open(self, url: str, context: ssl.SSLContext) -> None:
        """One connection of its own (the desk keeps it open between requests, as kiosks do)."""
        self.client = httpx.AsyncClient(
            base_url=url, verify=context, timeout=httpx.Timeout(120, connect=30),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            headers={p.VERSION_HEADER: str(p.PROTOCOL_VERSION)},
        )  # fmt: skip

    async def close(self) -> None:
        """Close the connection."""
        if self.client is not None:
            await self.client.aclose()

    async def send(self, method: str, path: str, timings: Timings | None = None,
                   **kw: object) -> httpx.Response:  # fmt: skip
        """One request; a 503 is waited out (Retry-After) and retried, anything else returned."""
        assert self.client is not None
        headers = dict(kw.pop("headers", {}) or {})  # type: ignore[call-overload]
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        while True:
            started = time.perf_counter()
            answer = await self.client.request(method, path, headers=headers, **kw)  # type: ignore[arg-type]
            took = (time.perf_counter() - started) * 1000
            if answer.status_code != 503:
                if timings is not None:
                    timings.latencies.append(took)
                return answer
            if timings is not None:
                timings.retried += 1
            await asyncio.sleep(float(answer.headers.get("retry-after", "1")))

    async def enroll(self) -> None:
        """Enroll with the desk's code and key."""
        body = p.EnrollRequest(code=self.code, public_key=signing.public_b64(self.key),  # type: ignore[arg-type]
                               desk_name=self.name).model_dump_json()  # fmt: skip
        answer = await self.send("POST", f"{p.API_PREFIX}/enroll", content=body, headers=JSON)
        _expect(answer, 200)
        got = answer.json()
        self.device_id, self.token = got["device_id"], got["token"]

    async def pull(self, timings: Timings | None = None) -> int:
        """Every change page, and the bundle when the pages say it changed (first, when none is
        held), as a kiosk pulls (kiosk.services.platform_pull); return roster entries."""
        if not self.etag:
            await self._bundle(timings)
        people = 0
        while True:
            page = await self.send(
                "GET", f"{p.API_PREFIX}/projects/{self.number}/changes", timings,
                params={"cursor": self.cursor, "limit": 500},
            )  # fmt: skip
            _expect(page, 200)
            data = page.json()
            people += len(data["attendees"])
            self.cursor = data["cursor"]
            if not data["more"]:
                break
        if page.headers.get(p.BUNDLE_ETAG_HEADER) != self.etag:
            await self._bundle(timings)
        return people

    async def _bundle(self, timings: Timings | None) -> None:
        answer = await self.send(
            "GET", f"{p.API_PREFIX}/projects/{self.number}", timings,
            headers={"If-None-Match": self.etag} if self.etag else {},
        )  # fmt: skip
        if answer.status_code != 304:
            _expect(answer, 200)
            self.etag = answer.headers["etag"]

    def prepare(self, count: int, *, batch: int, people: list[str], start: datetime) -> None:
        """Sign `count` more records and serialise them in batches of `batch` (untimed)."""
        self.bodies, self.singles = [], []
        for first in range(0, count, batch):
            records = []
            for _ in range(min(batch, count - first)):
                self.seq += 1
                at = start + timedelta(seconds=3 * self.seq)
                fields = {
                    "uuid": new_uuid(), "seq": self.seq, "project": self.number,
                    "attendee_id": people[self.seq % len(people)],
                    "direction": "in" if self.seq % 2 else "out", "method": "id_card",
                    "device_id": self.device_id, "scanned_at": to_utc(at).isoformat(),
                    "utc_offset_minutes": offset_minutes(at), "server_offset_ms": None,
                    "evidence_ref": None, "flags": [],
                }  # fmt: skip
                rec = signing.signed_record(self.key, fields, prev_hash=self.prev)  # type: ignore[arg-type]
                self.prev = rec.hash
                records.append(rec)
                if batch == 1 or len(records) == min(batch, count - first):
                    self.reports[self.seq] = self._signed_report(self.seq, rec.hash)
            body = p.EventBatch(records=records).model_dump_json().encode()
            self.bodies.append((body, len(records), self.seq))
            self.singles += [(r.model_dump_json().encode(), r.seq) for r in records]

    def _signed_report(self, seq: int, record_hash: str) -> str:
        head = chain.sign_head(self.key, seq, record_hash)  # type: ignore[arg-type]
        wire = p.ChainHead(seq=seq, hash=record_hash, signature=head.signature)
        return p.DeviceReport(latest_seq=seq, head=wire).model_dump_json()

    def report_body(self, latest: int) -> str:
        """The status report with the signed head of `latest` (prepared; 0: before any)."""
        return self.reports.get(latest) or json.dumps({"latest_seq": latest})

    async def upload(self, uploads: Timings) -> int:
        """Send every prepared batch, each carrying the status report as a kiosk's drain does
        (no separate report follows); return records sent."""
        for body, count, top in self.bodies:
            await self.post_batch(body, count, uploads, report=top)
        return sum(count for _, count, _ in self.bodies)

    async def post_batch(
        self, body: bytes, count: int, timings: Timings, *, report: int | None = None
    ) -> None:
        """One prepared batch (carrying the report of `report` as latest); every record must
        come back `accepted`, and the carried report taken."""
        headers = dict(JSON)
        if report is not None:
            headers[p.REPORT_HEADER] = self.report_body(report)
        answer = await self.send("POST", f"{p.API_PREFIX}/events", timings, content=body,
                                 headers=headers)  # fmt: skip
        _expect(answer, 200)
        got = answer.json()
        statuses = [a["status"] for a in got["answers"]]
        if len(statuses) != count or set(statuses) != {"accepted"}:
            raise LoadError(f"{self.device_id}: answers {sorted(set(statuses))} of {count}")
        if report is not None and got.get("desk", {}).get("latest_seq", -1) < report:
            raise LoadError(f"{self.device_id}: the carried report was not taken")

    async def report(self, latest: int, timings: Timings) -> None:
        """Post the desk's status report: latest seq and signed head (a kiosk's heartbeat)."""
        answer = await self.send(
            "POST", f"{p.API_PREFIX}/devices/me/status", timings,
            content=self.report_body(latest), headers=JSON,
        )  # fmt: skip
        _expect(answer, 200)


def _expect(answer: httpx.Response, status: int) -> None:
    if answer.status_code != status:
        raise LoadError(f"HTTP {answer.status_code}: {answer.text[:200]}")


@dataclass
class Usage:
    """CPU seconds of the server's workers, of PostgreSQL and of this process over a phase."""

    wall: float
    server: float
    postgres: float
    generator: float


@dataclass
class Meter:
    """Snapshots of CPU at the start of a phase; `stop()` gives the usage since."""

    server: PlatformProcess
    cluster: PgCluster
    started: float = 0.0
    before: dict[int, float] = field(default_factory=dict)
    pg_before: dict[int, float] = field(default_factory=dict)
    self_before: float = 0.0

    def _pg(self) -> dict[int, float]:
        master = int((self.cluster.data / "postmaster.pid").read_text().split()[0])
        return {pid: cpu_seconds(pid) for pid in [master, *children(master)]}

    def start(self) -> None:
        """Snapshot now."""
        self.before = self.server.cpu_s()
        self.pg_before = self._pg()
        self.self_before = time.process_time()
        self.started = time.perf_counter()

    def stop(self) -> Usage:
        """Usage since start (processes that appeared count from zero)."""
        wall = time.perf_counter() - self.started
        after, pg_after = self.server.cpu_s(), self._pg()
        return Usage(
            wall=wall,
            server=sum(v - self.before.get(pid, 0.0) for pid, v in after.items()),
            postgres=sum(v - self.pg_before.get(pid, 0.0) for pid, v in pg_after.items()),
            generator=time.process_time() - self.self_before,
        )


async def each(desks: list[LoadDesk], job: str, *args: object) -> list[object]:
    """Run one coroutine method on every desk at once; the first failure fails the phase."""
    return list(await asyncio.gather(*(getattr(d, job)(*args) for d in desks)))
