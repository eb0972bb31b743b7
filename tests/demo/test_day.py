"""The headless demo day, asserted against the platform's data (not against the printed text).

One run of the whole day through the real platform, simulators, desk service, sync and the
organizer's workspace service; after each step the test reads the platform's database itself.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.demo.fixtures import demo_roster
from kiosk.demo.scenario import Step, StepResult
from kiosk.demo.script import run_scripted
from kiosk.demo.stage import Stage, open_stage
from kiosk.services.checkin import Status
from sync.protocol import DeskCompleteness
from sync.server import db as t


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[Stage]:
    opened = open_stage(tmp_path)
    try:
        yield opened
    finally:
        opened.close()
        root = logging.getLogger()
        for handler in [h for h in root.handlers if getattr(h, "_cme_kiosk", False)]:
            root.removeHandler(handler)
            handler.close()


def _desk(stage: Stage) -> DeskCompleteness:
    status = stage.venue.admin.status(stage.venue.project.number)
    return next(d for d in status.desks if d.role == "desk")


def _checkins(stage: Stage) -> list[dict[str, object]]:
    return [
        e
        for e in stage.venue.admin.stored_events(stage.venue.project.number)
        if e["kind"] == "checkin"
    ]


@pytest.mark.timeout(240)
def test_the_whole_day_as_the_platform_records_it(
    stage: Stage, capsys: pytest.CaptureFixture[str]
) -> None:
    number = stage.venue.project.number
    results: dict[str, StepResult] = {}
    platform_at: dict[str, DeskCompleteness] = {}
    pending_at: dict[str, int] = {}

    def after(step: Step, result: StepResult) -> None:
        results[step.key] = result
        platform_at[step.key] = _desk(stage)
        store = stage.desk.store
        pending_at[step.key] = stage.service.run(store.outbox.pending_count).result(10)

    assert run_scripted(stage, after_step=after) == 0
    out = capsys.readouterr().out
    assert "150102198503150041" not in out  # screens and narration show masked numbers only
    log = (stage.root / "kiosk" / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "refused qr attempt: replay" in log and "150102198503150041" not in log
    for private in (stage.root / "kiosk" / "kiosk.sqlite3", stage.root / "kiosk" / "keys"):
        assert private.stat().st_mode & 0o077 == 0, private

    events = stage.venue.admin.stored_events(number)
    refs = {a.name: stage.venue.ref(a.document.number) for a in demo_roster()}
    by_ref: dict[str, list[dict[str, object]]] = {}
    for e in events:
        by_ref.setdefault(str(e["attendee_id"]), []).append(e)

    # Cards and codes: every method the municipal project accepts; nothing flagged for method.
    methods = Counter(str(e["method"]) for e in _checkins(stage))
    assert methods["id_card"] >= 5 and methods["qr"] >= 5 and methods["manual"] >= 3
    assert not any("method_not_accepted" in str(e.get("flags", "")) for e in events)
    denied = Counter(
        (str(d["method"]), str(d["reason"])) for d in stage.venue.admin.stored_denied(number)
    )
    assert denied[("qr", "replay")] == 1 and denied[("qr", "bad_signature")] == 1

    # Faces: enrolled on site after his card, the printed photo refused by liveness (kept,
    # nobody named), then out by face alone after the seeded head-turn challenge, with receipt.
    assert denied[("face", "liveness_timeout")] == 1 and sum(denied.values()) == 3
    yang = [(e["method"], e["direction"]) for e in by_ref[refs["杨磊"]]]
    assert yang == [("id_card", "in"), ("face", "out")] and methods["face"] == 1
    store = stage.desk.store
    templates = stage.service.run(lambda: store.records.face_templates(number)).result(10)
    assert set(templates) == {refs["杨磊"]}
    photo, face_out = results["photo_attack"].outcome, results["face_out"].outcome
    assert photo is not None and photo.status is Status.REFUSED and photo.attendee is None
    assert face_out is not None and face_out.receipt is not None
    assert face_out.receipt.total_hours > 0 and face_out.receipt.text

    # Staff: 刘洋's manual check-in by the named member; the walk-in; the void; the dispute.
    liu = [e for e in by_ref[refs["刘洋"]] if e["kind"] == "checkin"]
    assert [e["method"] for e in liu] == ["manual", "qr"]
    assert liu[0]["staff_id"] == "S1" and "card will not read" in str(liu[0]["note"])
    with stage.venue.admin.db.read() as conn:
        walk_ins = conn.execute(select(t.walk_ins).where(t.walk_ins.c.project == number)).all()
        submissions = conn.execute(
            select(t.submissions).where(t.submissions.c.project == number)
        ).all()
    assert len(walk_ins) == 1
    walk_in_records = by_ref[walk_ins[0]._mapping["attendee_id"]]
    assert [(e["method"], e["direction"]) for e in walk_in_records] == [
        ("manual", "in"),
        ("manual", "out"),
    ]
    wang = by_ref[refs["王芳"]]
    voids = [e for e in wang if e["kind"] == "void"]
    mistaken = next(e for e in wang if e["direction"] == "out" and e["method"] == "id_card")
    assert len(voids) == 1 and voids[0]["refers_to"] == mistaken["uuid"]
    assert voids[0]["staff_id"] == "S1"
    disputes = [e for e in by_ref[refs["张伟"]] if e["kind"] == "dispute"]
    assert len(disputes) == 1 and disputes[0]["receipt"]

    # The outage: the platform's view of the desk stood still while the desk kept answering.
    before = platform_at["outage"]
    void = results["void"].outcome
    assert void is not None and void.event is not None
    assert before.complete and before.latest_seq == void.event.seq  # all uploaded before lunch
    assert platform_at["offline_in"].latest_seq == before.latest_seq
    # 张伟 out, 刘洋 out, 杨磊's card, 张伟 back in: four records kept while it was down.
    assert pending_at["offline_out"] == 1 and pending_at["offline_in"] == 4
    for key in ("offline_out", "offline_ticket", "face_card", "offline_in"):
        outcome = results[key].outcome
        assert outcome is not None and outcome.status is Status.ACCEPTED
    after_outage = platform_at["catch_up"]
    assert after_outage.complete and after_outage.missing == 0
    assert after_outage.latest_seq == before.latest_seq + 4 and pending_at["catch_up"] == 0

    # The organizer: the anomaly resolved, results in, the submission and its receipt.
    status = stage.venue.admin.status(number)
    assert status.corrections == 1 and status.window.submitted_at is not None
    assert len(submissions) == 1
    receipt = getattr(stage.submission, "receipt", None)
    assert receipt == submissions[0]._mapping["id"]
    organizer = Path(str(stage.root / "organizer"))
    assert any(organizer.glob("*/platform-export.xlsx"))
    assert any(organizer.glob("*/attendance-archive.pdf"))
