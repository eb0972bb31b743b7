"""The relay's upstream side: this server, enrolled with the platform, forwards its kiosks' records.

Kiosks at the venue enroll with the relay and upload to it as to the platform. The relay pulls
the project and roster from upstream (so the kiosks get them from it), registers each kiosk's
public key upstream, and forwards every record verbatim (the kiosk's signature and hash chain
intact) plus refused attempts and the kiosks' latest sequence numbers. What was forwarded and
what the platform answered is kept per UUID, so forwarding resumes where it stopped, is exactly
once (a lost answer comes back `duplicate`) and backs off while the uplink is down.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Row, and_, insert, select, update

from kiosk.core.timeutil import Clock, utc_now
from sync import protocol as p
from sync import signing
from sync.client.errors import PermanentError, TransientError
from sync.server import codes
from sync.server import db as t
from sync.server.db import Database, insert_new
from sync.server.platform import Platform, PlatformError
from sync.server.relay import rows as rows_
from sync.server.relay import walkins as relay_walkins
from sync.server.relay.client import Upstream
from sync.server.relay.links import LinkResult, RelayError, RelayLink
from sync.server.relay.mirror import apply_bundle, apply_roster_page

log = logging.getLogger(__name__)
UPSTREAM_ACTOR = "relay:upstream"
# The platform refused one kiosk's registration: the others still go through.
_KIOSK_REFUSALS = frozenset({"device_id_taken", "invalid_public_key", "invalid_request",
                             "invalid_code", "code_used", "code_expired"})  # fmt: skip


class RelayForwarder:
    """Pull from upstream, register kiosks, forward records; `cycle` is one pass, `run` loops."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = utc_now,
        transport: httpx.BaseTransport | None = None,
        batch_size: int = p.MAX_BATCH,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
    ):
        self.db = db
        self.clock = clock
        self.platform = Platform(db, clock=clock)
        self._transport = transport
        self.batch_size = min(batch_size, p.MAX_BATCH)
        self._timeouts = (connect_timeout, read_timeout)
        self.failures = 0

    def upstream(self, url: str, *, token: str | None, ca_bundle: str | None,
                 pin: str | None) -> Upstream:  # fmt: skip
        """A client to the upstream platform."""
        return Upstream(
            url, token=token, ca_bundle=Path(ca_bundle) if ca_bundle else None, pin_sha256=pin,
            connect_timeout=self._timeouts[0], read_timeout=self._timeouts[1],
            transport=self._transport, clock=self.clock,
        )  # fmt: skip

    def links(self) -> list[RelayLink]:
        """Every project this relay is enrolled for upstream."""
        with self.db.read() as conn:
            rows = conn.execute(select(t.relay_links).order_by(t.relay_links.c.project))
            return [RelayLink.from_row(r) for r in rows]

    # ---- enrollment ------------------------------------------------------------------------

    def enroll(
        self, upstream_url: str, code: str, *, ca_bundle: str | None = None,
        pin: str | None = None, name: str = "relay",
    ) -> tuple[RelayLink, LinkResult]:  # fmt: skip
        """Enroll upstream with a relay code, keep the link, and pull the project and roster."""
        key = signing.new_private_key()
        with self.upstream(upstream_url, token=None, ca_bundle=ca_bundle, pin=pin) as up:
            answer = up.enroll(code, public_key=signing.public_b64(key), name=name)
        if answer.role != "relay":
            raise RelayError(
                f"the code enrolled a {answer.role} ({answer.device_id}), not a relay: ask the"
                " upstream administrator to retire that device and issue"
                " `cme-kiosk server enroll-code PROJECT --relay`"
            )
        now = self.clock()
        with self.db.write() as conn:
            exists = conn.execute(
                select(t.relay_links.c.device_id).where(t.relay_links.c.project == answer.project)
            ).scalar()
            if exists is not None:
                raise RelayError(
                    f"this relay is already enrolled for {answer.project} as {exists}; ask the"
                    f" upstream administrator to retire {answer.device_id}"
                )
            conn.execute(
                insert(t.relay_links).values(
                    project=answer.project, upstream_url=upstream_url, ca_bundle=ca_bundle,
                    pinned_sha256=pin, device_id=answer.device_id, token=answer.token,
                    private_key=signing.private_bytes(key), enrolled_at=now, pull_cursor="0",
                    last_error="",
                )
            )  # fmt: skip
            self.platform.audit(
                conn, actor="relay", action="relay_enroll", project=answer.project,
                subject=answer.device_id, detail=f"upstream {upstream_url}",
            )  # fmt: skip
        log.info("relay enrolled upstream as %s for %s", answer.device_id, answer.project)
        link = next(x for x in self.links() if x.project == answer.project)
        return link, self.sync_link(link)

    # ---- one pass ----------------------------------------------------------------------------

    def cycle(self) -> list[LinkResult]:
        """One pass over every link; failures are recorded on the link, never raised."""
        return [self.sync_link(link) for link in self.links()]

    def sync_link(self, link: RelayLink) -> LinkResult:
        """Pull, register, forward records, refused attempts and reports for one project."""
        result = LinkResult(link.project)
        started = self.clock()
        try:
            with self.upstream(link.upstream_url, token=link.token, ca_bundle=link.ca_bundle,
                               pin=link.pinned_sha256) as up:  # fmt: skip
                self._pull(up, link, result)
                self._register(up, link, result)
                # Walk-ins first: the platform should know who a walk-in's record names.
                relay_walkins.send(self.db, up, link, result, limit=self.batch_size,
                                   now=self.clock())  # fmt: skip
                self._forward_events(up, link, result)
                self._forward_refused(up, link, result)
                self._forward_denied(up, link, result)
                self._forward_refusals(up, link, result)
                self._report(up, link, result)
        except TransientError as exc:
            result.error, result.retry_after = str(exc), exc.retry_after
        except PermanentError as exc:
            result.error, result.permanent = f"{exc.reason}: {exc}", True
        except (PlatformError, ValueError) as exc:  # an upstream project we cannot mirror
            result.error, result.permanent = str(exc), True
        note = result.error or "; ".join(result.problems)
        values: dict[str, Any] = {"last_attempt": started, "last_error": note}
        if not result.error:
            values["last_success"] = self.clock()
        else:
            log.warning("relay %s: upstream: %s", link.project, result.error)
        with self.db.write() as conn:
            conn.execute(
                update(t.relay_links)
                .where(t.relay_links.c.project == link.project)
                .values(**values)
            )
        return result

    def fetch_codes(self, link: RelayLink) -> int:
        """Only carry the project's open venue codes (part of every pass); return how many new."""
        with self.upstream(link.upstream_url, token=link.token, ca_bundle=link.ca_bundle,
                           pin=link.pinned_sha256) as up:  # fmt: skip
            listed = up.codes().codes
        with self.db.write() as conn:
            return codes.keep_codes(conn, link.project, listed)

    def _pull(self, up: Upstream, link: RelayLink, result: LinkResult) -> None:
        bundle, etag = up.project(link.project, etag=link.bundle_etag)
        if bundle is not None:
            if bundle.to_project().number != link.project:
                raise ValueError(f"upstream sent another project than {link.project}")
            apply_bundle(self.db, bundle, now=self.clock())
            with self.db.write() as conn:
                conn.execute(
                    update(t.relay_links).where(t.relay_links.c.project == link.project)
                    .values(bundle_etag=etag)
                )  # fmt: skip
        with self.db.write() as conn:
            result.codes = codes.keep_codes(conn, link.project, up.codes().codes)
        cursor = link.pull_cursor
        while True:
            page = up.changes(link.project, cursor=cursor)
            result.roster += apply_roster_page(self.db, link.project, page)
            cursor = page.cursor
            if not page.more:
                return

    def _learn_state(self, up: Upstream, device_ids: set[str]) -> None:
        """Ask the platform (idempotent registration) how kiosks it refused stand, and follow."""
        for device_id in sorted(device_ids):
            with self.db.read() as conn:
                row = conn.execute(select(t.devices).where(t.devices.c.id == device_id)).one()
                code = codes.code_of(conn, device_id)
            if code is None:
                continue
            answer = up.register(rows_.registration(row, code=code))
            self._follow_state(device_id, answer.state, answer.end_reason)

    def _register(self, up: Upstream, link: RelayLink, result: LinkResult) -> None:
        d, r = t.devices.c, t.relay_registered.c
        with self.db.read() as conn:
            waiting = conn.execute(
                select(t.devices)
                .outerjoin(t.relay_registered, r.device_id == d.id)
                .where(d.project == link.project, d.role == "desk", r.device_id.is_(None))
                .order_by(d.enrolled_at)
            ).all()
        for row in waiting:
            with self.db.read() as conn:
                code = codes.code_of(conn, row.id)
            if code is None:
                # Enrolled here before venue codes (or by hand): the platform cannot trace it.
                result.problems.append(
                    f"desk {row.desk_name} ({row.id}) not registered (untraced_device): it did"
                    " not enroll with a venue code the platform issued; its records stay here"
                )
                continue
            try:
                answer = up.register(rows_.registration(row, code=code))
            except PermanentError as exc:
                if exc.reason not in _KIOSK_REFUSALS:
                    raise  # the relay itself is refused: nothing else can go through either
                # One kiosk the platform will not take must not hold up the others' records.
                result.problems.append(
                    f"desk {row.desk_name} ({row.id}) not registered ({exc.reason}): {exc}"
                )
                continue
            with self.db.write() as conn:
                # Another pass (`relay sync` beside `run --relay`) may have just done it.
                insert_new(conn, t.relay_registered, [{
                    "device_id": row.id, "project": link.project, "registered_at": self.clock(),
                    "upstream_state": answer.state,
                }])  # fmt: skip
            self._follow_state(row.id, answer.state, answer.end_reason)
            result.registered += 1

    def _pending(self, kind: str, table: Any, link: RelayLink) -> list[Row[Any]]:
        """The next records of registered kiosks that have no upstream answer yet."""
        f, reg = t.relay_forwarded.c, t.relay_registered.c
        query = (
            select(table)
            .join(t.relay_registered, reg.device_id == table.c.device_id)
            .outerjoin(t.relay_forwarded, and_(f.kind == kind, f.uuid == table.c.uuid))
            .where(table.c.project == link.project, f.uuid.is_(None))
            .limit(self.batch_size)
        )
        ordered = kind in ("event", "stub")
        order = [table.c.device_id, table.c.seq] if ordered else [table.c.device_id]
        with self.db.read() as conn:
            return list(conn.execute(query.order_by(*order, table.c.uuid)).all())

    def _forward_events(self, up: Upstream, link: RelayLink, result: LinkResult) -> None:
        while rows := self._pending("event", t.events, link):
            wire, local = rows_.wire(rows, rows_.event_record)
            answers = local + (up.events(wire).answers if wire else [])
            self._learn_state(up, self._store_answers("event", link, rows, answers, result))
            if len(rows) < self.batch_size:
                return

    def _forward_refused(self, up: Upstream, link: RelayLink, result: LinkResult) -> None:
        """Records this relay refused although signed by the kiosk: upstream must count them."""
        while rows := self._pending("refused", t.rejected_bodies, link):
            wire, local = rows_.wire(rows, rows_.refused_record)
            answers = local + (up.events(wire).answers if wire else [])
            self._learn_state(up, self._store_answers("refused", link, rows, answers, result))
            if len(rows) < self.batch_size:
                return

    def _forward_refusals(self, up: Upstream, link: RelayLink, result: LinkResult) -> None:
        """Kiosks' signed stubs of records they gave up on: upstream counts their seqs."""
        while rows := self._pending("stub", t.refusal_stubs, link):
            wire, local = rows_.wire(rows, rows_.refusal)
            answers = local + (up.refusals(wire).answers if wire else [])
            self._learn_state(up, self._store_answers("stub", link, rows, answers, result))
            if len(rows) < self.batch_size:
                return

    def _forward_denied(self, up: Upstream, link: RelayLink, result: LinkResult) -> None:
        while rows := self._pending("denied", t.denied, link):
            wire, local = rows_.wire(rows, rows_.denied_record)
            answers = local + (up.denied(wire).answers if wire else [])
            self._learn_state(up, self._store_answers("denied", link, rows, answers, result))
            if len(rows) < self.batch_size:
                return

    def _store_answers(
        self, kind: str, link: RelayLink, rows: list[Row[Any]],
        answers: list[p.RecordAnswer], result: LinkResult,
    ) -> set[str]:  # fmt: skip
        """Keep the platform's answer per UUID (the record is then done); return revoked kiosks."""
        device_of = {row.uuid: row.device_id for row in rows}
        by_uuid = {a.uuid: a for a in answers if a.uuid in device_of}
        if len(by_uuid) != len(rows):
            raise TransientError("upstream answered a different set of records; retrying")
        now = self.clock()
        with self.db.write() as conn:
            # A concurrent pass may have stored some answers first: theirs stand, no error.
            insert_new(conn, t.relay_forwarded, [
                {"kind": kind, "uuid": u, "project": link.project, "device_id": device_of[u],
                 "status": a.status, "reason": a.reason[:64], "answered_at": now}
                for u, a in by_uuid.items()
            ])  # fmt: skip
        for a in by_uuid.values():
            key = f"{kind} {a.status}"
            result.answers[key] = result.answers.get(key, 0) + 1
        return {device_of[a.uuid] for a in by_uuid.values() if a.reason == "revoked_device"}

    def _report(self, up: Upstream, link: RelayLink, result: LinkResult) -> None:
        d, reg = t.devices.c, t.relay_registered.c
        with self.db.read() as conn:
            rows = conn.execute(
                select(d.id, d.reported_latest, d.head_seq, d.head_hash, d.head_signature)
                .join(t.relay_registered, reg.device_id == d.id)
                .where(d.project == link.project, d.reported_at.is_not(None))
                .order_by(d.id)
            ).all()
        if not rows:
            return
        answer = up.report(
            [
                p.RelayDeskReport(
                    device_id=r.id, latest_seq=int(r.reported_latest or 0), head=rows_.head(r)
                )
                for r in rows
            ]
        )
        with self.db.write() as conn:
            for desk in answer.desks:
                conn.execute(
                    update(t.relay_registered).where(reg.device_id == desk.device_id)
                    .values(reported_latest=desk.latest_seq, upstream_state=desk.state)
                )  # fmt: skip
        for desk in answer.desks:
            self._follow_state(desk.device_id, desk.state, desk.end_reason)

    def _follow_state(self, device_id: str, state: str, reason: str) -> None:
        """A kiosk revoked or retired upstream is so here too: it pulls and reports nothing."""
        if state not in ("revoked", "retired"):
            return
        with self.db.write() as conn:
            conn.execute(
                update(t.relay_registered).where(t.relay_registered.c.device_id == device_id)
                .values(upstream_state=state)
            )  # fmt: skip
            local = self.platform.device(device_id, conn)
        if local.state in (state, "revoked"):
            return
        self.platform.end_device(
            device_id, state=state, actor=UPSTREAM_ACTOR,
            reason=f"{state} by the platform upstream{': ' + reason if reason else ''}",
        )  # fmt: skip
        log.warning("relay: desk %s was %s upstream; %s here too", device_id, state, state)

    # ---- the background loop -------------------------------------------------------------

    def run(
        self,
        stop: threading.Event,
        *,
        interval: float = 10.0,
        base: float = 1.0,
        cap: float = 300.0,
        rng: Callable[[], float] = random.random,
    ) -> None:
        """Forward until `stop` is set: every `interval` s, backing off (with jitter) on errors."""
        while not stop.is_set():
            try:
                results = self.cycle()
            except Exception:  # a database hiccup must not end forwarding for the day
                log.exception("relay: forwarding pass failed")
                results = [LinkResult("?", error="internal error")]
            delay = self.next_delay(results, interval=interval, base=base, cap=cap, rng=rng)
            if self.failures:
                log.info("relay: retrying upstream in %.1f s (failure %d)", delay, self.failures)
            stop.wait(delay)

    def next_delay(
        self, results: list[LinkResult], *, interval: float, base: float, cap: float,
        rng: Callable[[], float],
    ) -> float:  # fmt: skip
        """The wait before the next pass: the interval, or exponential backoff with jitter."""
        failed = [r for r in results if r.error]
        if not failed:
            self.failures = 0
            return interval
        self.failures += 1
        step = min(cap, base * 2.0 ** min(self.failures - 1, 30))
        delay = step / 2 + rng() * step / 2  # jitter: relays behind one uplink do not stampede
        hinted = max((r.retry_after or 0.0) for r in failed)
        return min(cap, max(delay, hinted))

    def start(self, **kw: float) -> tuple[threading.Thread, threading.Event]:
        """Run the loop on a daemon thread; set the returned event to stop it."""
        stop = threading.Event()
        thread = threading.Thread(target=self.run, args=(stop,), kwargs=kw, name="relay",
                                  daemon=True)  # fmt: skip
        thread.start()
        return thread, stop
