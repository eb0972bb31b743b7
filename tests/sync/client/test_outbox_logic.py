"""Outbox rules with a scripted endpoint and injected time and randomness (milliseconds, not minutes)."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from kiosk.core.model import DeskMode, Method
from kiosk.services.checkin import CheckInService, Credential
from sync.chain import SignedHead
from sync.client.errors import PermanentSyncError, TransientSyncError
from sync.client.outbox import Outbox, RecordAnswer
from sync.client.status import SyncStatus
from sync.client.worker import Backoff, Hysteresis, SyncWorker
from sync.store import Store, StoredEvent
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster


class ScriptedEndpoint:
    """Plays scripted outcomes per upload call and records what it was sent."""

    def __init__(self, script: list[object] | None = None):
        self.script = list(script or [])
        self.batches: list[list[str]] = []
        self.denied: list[list[str]] = []
        self.seen: set[str] = set()
        self.latest_seq: list[int] = []

    def upload_events(self, records: Sequence[StoredEvent]) -> list[RecordAnswer]:
        self.batches.append([r.event.uuid for r in records])
        action = self.script.pop(0) if self.script else "ok"
        if isinstance(action, Exception):
            raise action
        answers = []
        for r in records:
            if action == "reject-first" and r is records[0]:
                answers.append(RecordAnswer(r.event.uuid, "rejected", "outside_project_days"))
            elif r.event.uuid in self.seen:
                answers.append(RecordAnswer(r.event.uuid, "duplicate"))
            else:
                self.seen.add(r.event.uuid)
                answers.append(RecordAnswer(r.event.uuid, "accepted"))
        if action == "half":
            return answers[: len(answers) // 2]
        if action == "lost-response":
            raise TransientSyncError("connection reset after the server stored the batch")
        return answers

    def upload_denied(self, rows: Sequence[dict[str, object]]) -> list[RecordAnswer]:
        self.denied.append([str(r["uuid"]) for r in rows])
        return [RecordAnswer(str(r["uuid"]), "accepted") for r in rows]

    def report_latest_seq(self, seq: int, head: SignedHead | None = None) -> int | None:
        self.latest_seq.append(seq)
        return 75_000


def filled_store(tmp_path: Path, n: int) -> Store:
    store = Store.open(tmp_path / "k.sqlite3")
    project = make_project()
    store.roster.save_project(project)
    people = make_roster(n)
    store.roster.save_roster(project.number, people)
    clock = FakeClock(at(DAY1, 8))
    svc = CheckInService(
        store=store, project=project, device_id="d", desk_name="A", mode=DeskMode.IN, clock=clock
    )
    for p in people:
        clock.advance(seconds=5)
        svc.present(Credential.id_card(document=p.document))
    svc.present(Credential.attendee("nobody", method=Method.QR))  # one refusal to upload
    return store


def test_batches_of_at_most_500_and_all_marked_synced(tmp_path: Path) -> None:
    store = filled_store(tmp_path, 1203)
    endpoint = ScriptedEndpoint()
    Outbox(store.outbox, endpoint).drain()
    assert [len(b) for b in endpoint.batches] == [500, 500, 203]
    assert endpoint.denied and len(endpoint.denied[0]) == 1
    assert store.outbox.pending_count() == 0
    assert endpoint.latest_seq == [1203]
    assert store.get_meta("server_offset_ms") == "75000"


def test_lost_response_is_retried_and_answered_duplicate(tmp_path: Path) -> None:
    store = filled_store(tmp_path, 10)
    endpoint = ScriptedEndpoint(["lost-response"])
    outbox = Outbox(store.outbox, endpoint)
    with pytest.raises(TransientSyncError):
        outbox.drain()
    assert store.outbox.pending_count() == 11  # not marked: no answer arrived
    outbox.drain()
    assert store.outbox.pending_count() == 0
    assert endpoint.batches[0] == endpoint.batches[1]  # the same UUIDs went twice


def test_partial_answers_leave_the_rest_pending_until_answered(tmp_path: Path) -> None:
    store = filled_store(tmp_path, 10)
    endpoint = ScriptedEndpoint(["half"])
    Outbox(store.outbox, endpoint).drain()
    assert [len(b) for b in endpoint.batches] == [10, 5]
    assert store.outbox.pending_count() == 0


def test_rejected_records_go_to_dead_letters_never_dropped(tmp_path: Path) -> None:
    store = filled_store(tmp_path, 4)
    Outbox(store.outbox, ScriptedEndpoint(["reject-first"])).drain()
    dead = store.outbox.dead_letters()
    assert len(dead) == 1 and dead[0]["reason"] == "outside_project_days"
    states = [e.sync_state for e in store.records.events()]
    assert states == ["dead", "synced", "synced", "synced"]


def test_answers_for_records_never_sent_are_not_trusted(tmp_path: Path) -> None:
    store = filled_store(tmp_path, 3)

    class Liar(ScriptedEndpoint):
        def upload_events(self, records: Sequence[StoredEvent]) -> list[RecordAnswer]:
            return [RecordAnswer("someone-else", "accepted")]

    with pytest.raises(TransientSyncError, match="answered none"):
        Outbox(store.outbox, Liar()).drain()
    assert store.outbox.pending_count() == 4


def test_backoff_grows_with_jitter_caps_and_honours_retry_after() -> None:
    b = Backoff(base_s=1, cap_s=60, rng=random.Random(1))
    delays = [b.next_delay() for _ in range(10)]
    for i, d in enumerate(delays):
        ceiling = min(60, 2**i)
        assert ceiling / 2 <= d <= ceiling
    assert delays[-1] <= 60
    b.reset()
    assert b.next_delay(retry_after=30) == 30  # the server's hint wins when longer
    assert b.next_delay(retry_after=0.1) >= 1


def test_hysteresis_needs_repeated_evidence_both_ways() -> None:
    h = Hysteresis(fail_threshold=2, recover_threshold=2, slow_s=5)
    assert h.observe(ok=True) is False and h.observe(ok=True) is True
    assert h.observe(ok=False) is True  # one failure is not offline yet
    assert h.observe(ok=True) is True
    assert h.observe(ok=True, latency_s=9) is True and h.observe(ok=True, latency_s=9) is False
    assert h.observe(ok=True) is False and h.observe(ok=True) is True


def test_worker_step_publishes_status_and_backs_off(tmp_path: Path) -> None:
    store = filled_store(tmp_path, 3)
    endpoint = ScriptedEndpoint(
        [TransientSyncError("503", retry_after=12), TransientSyncError("reset")]
    )
    seen: list[SyncStatus] = []
    worker = SyncWorker(
        Outbox(store.outbox, endpoint),
        on_status=seen.append,
        interval_s=5,
        backoff=Backoff(base_s=1, cap_s=60, rng=random.Random(0)),
    )
    assert worker.step() == 12
    assert seen[-1].pending == 4 and not seen[-1].online and "503" in seen[-1].last_error
    second = worker.step()
    assert 1 <= second <= 2
    assert worker.step() == 5  # success: back to the normal interval
    assert worker.step() == 5
    assert seen[-1].online and seen[-1].pending == 0 and seen[-1].last_error == ""
    assert seen[-1].clock_warning  # 75 s off
    assert "时钟偏差 +75s" in seen[-1].line()


def test_permanent_error_needs_staff_and_keeps_records(tmp_path: Path) -> None:
    store = filled_store(tmp_path, 2)
    endpoint = ScriptedEndpoint(
        [PermanentSyncError("protocol 1 not supported", reason="update needed")]
    )
    seen: list[SyncStatus] = []
    worker = SyncWorker(Outbox(store.outbox, endpoint), on_status=seen.append)
    worker.step()
    assert seen[-1].needs_attention == "update needed" and "update needed" in seen[-1].line()
    assert store.outbox.pending_count() == 3


def test_worker_thread_drains_in_background_and_stops(tmp_path: Path) -> None:
    store = filled_store(tmp_path, 20)
    endpoint = ScriptedEndpoint([TransientSyncError("down")])
    statuses: list[SyncStatus] = []
    worker = SyncWorker(
        Outbox(Store.open(store.path).outbox, endpoint),
        on_status=statuses.append,
        interval_s=0.05,
        backoff=Backoff(base_s=0.01, cap_s=0.05),
    )
    worker.start()
    try:
        deadline = 200
        while deadline and (not statuses or statuses[-1].pending):
            worker.kick()
            time.sleep(0.02)
            deadline -= 1
    finally:
        worker.stop()
    assert not worker.is_alive()
    assert store.outbox.pending_count() == 0
    assert any(not s.online for s in statuses)


class WalkInRefusingEndpoint(ScriptedEndpoint):
    """Refuses every walk-in identity (as the platform does for a conflicting one)."""

    def __init__(self) -> None:
        super().__init__()
        self.walk_ins: list[list[str]] = []

    def upload_walk_ins(self, refs: Sequence[object]) -> list[RecordAnswer]:
        ids = [r.attendee.id for r in refs]  # type: ignore[attr-defined]
        self.walk_ins.append(ids)
        return [RecordAnswer(i, "rejected", "walk_in_conflict") for i in ids]


def test_a_refused_walk_in_is_kept_for_staff_once_and_its_records_still_go(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "k.sqlite3")
    project = make_project()
    store.roster.save_project(project)
    store.roster.save_roster(project.number, make_roster(1))
    clock = FakeClock(at(DAY1, 8))
    svc = CheckInService(
        store=store, project=project, device_id="d", desk_name="A", mode=DeskMode.AUTO,
        clock=clock,
    )  # fmt: skip
    stranger = make_roster(3)[2]
    first = svc.present(Credential.id_card(document=stranger.document, name=stranger.name))
    assert first.event is not None
    endpoint = WalkInRefusingEndpoint()
    Outbox(store.outbox, endpoint, batch_size=1).drain()
    clock.advance(hours=4)
    svc.present(Credential.id_card(document=stranger.document, name=stranger.name))
    Outbox(store.outbox, endpoint, batch_size=1).drain()
    assert endpoint.walk_ins == [[first.event.attendee_id]] * 2
    assert store.outbox.pending_count() == 0  # the records are facts: they were uploaded anyway
    letters = [d for d in store.outbox.dead_letters() if d["kind"] == "walk_in"]
    assert [(d["uuid"], d["reason"]) for d in letters] == [
        (first.event.attendee_id, "walk_in_conflict")
    ]
