"""POST/GET /api/v1/projects/{n}/corrections against the real server (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from kiosk.core.model import new_uuid
from sync import protocol as p
from sync.server.corrections import listing
from tests.support.desks import WireDesk, enroll
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, at

pytestmark = pytest.mark.timeout(60)
NUMBER = "2026-15-01-001"


def post(srv: LiveServer, desk: WireDesk, body: object, number: str = NUMBER) -> httpx.Response:
    with httpx.Client(verify=desk_ctx(srv)) as http:
        return http.post(
            f"{srv.url}/api/v1/projects/{number}/corrections",
            content=json.dumps(body),
            headers={"Authorization": f"Bearer {desk.client.token}",
                     "Content-Type": "application/json", p.VERSION_HEADER: "1"},
        )  # fmt: skip


def desk_ctx(srv: LiveServer) -> Any:
    return srv.tls.client_context()


def entry(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": new_uuid(), "kind": "add_checkout", "by": "王老师",
        "made_at": "2026-05-22T09:00:00+08:00", "reason": "left at the break, confirmed",
        "attendee_id": "A2", "into_attendee_id": None, "record_id": new_uuid(),
        "moment": "2026-05-20T12:00:00+08:00", "before": {},
        "after": {"attendee_id": "A2", "direction": "out", "desk": "organizer"},
    }  # fmt: skip
    base.update(over)
    return base


def answers(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.text
    return [(a["status"], a["reason"]) for a in response.json()["answers"]]


def test_corrections_are_kept_once_each_with_who_what_when_and_why(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER, "A")
    desk.upload(desk.record("A1", at=at(DAY1, 8)), desk.record("A2", at=at(DAY1, 8, 5)))
    voided = srv.admin.stored_events(NUMBER)[0]["uuid"]
    org = enroll(srv, NUMBER, "office", role="organizer")
    add = entry()
    void = entry(kind="void_record", attendee_id=None, record_id=voided, moment=None,
                 made_at="2026-05-22T09:05:00+08:00",
                 before={"attendee_id": "A1", "direction": "in"}, after={})  # fmt: skip
    assert answers(post(srv, org, {"corrections": [add, void]})) == [
        ("accepted", ""), ("accepted", "")
    ]  # fmt: skip
    # A retry after a lost answer: duplicate, stored once. The same id with other contents: no.
    again = post(srv, org, {"corrections": [add, {**void, "reason": "something else"}]})
    assert answers(again) == [("duplicate", ""), ("rejected", "id_conflict")]
    # What the platform cannot place is refused with a reason, the rest of the batch kept.
    refused = post(srv, org, {"corrections": [
        entry(attendee_id="A99"),
        entry(kind="void_record", record_id=new_uuid(), moment=None),
        entry(kind="merge_provisional", attendee_id="A1", into_attendee_id="W-nobody"),
        entry(moment=None),
    ]})  # fmt: skip
    assert answers(refused) == [
        ("rejected", "unknown_attendee"), ("rejected", "unknown_record"),
        ("rejected", "unknown_attendee"), ("rejected", "moment_required"),
    ]  # fmt: skip

    kept = listing(srv.admin.platform, NUMBER).corrections
    assert [(c.entry.kind, c.entry.by, c.device_id) for c in kept] == [
        ("add_checkout", "王老师", org.device_id), ("void_record", "王老师", org.device_id),
    ]  # fmt: skip
    assert kept[0].entry.reason == "left at the break, confirmed"
    assert kept[1].entry.record_id == voided
    assert srv.admin.status(NUMBER).corrections == 2
    assert any(e["action"] == "corrections" for e in srv.admin.audit_log(NUMBER))
    with httpx.Client(verify=desk_ctx(srv)) as http:
        got = http.get(
            f"{srv.url}/api/v1/projects/{NUMBER}/corrections",
            headers={"Authorization": f"Bearer {org.client.token}", p.VERSION_HEADER: "1"},
        )
    assert got.status_code == 200
    assert [c["entry"]["id"] for c in got.json()["corrections"]] == [add["id"], void["id"]]


def test_only_the_projects_organizer_may_send_and_bad_bodies_are_refused(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER, "A")
    desk.upload(desk.record("A2", at=at(DAY1, 8)))
    r = post(srv, desk, {"corrections": [entry()]})
    assert r.status_code == 403 and r.json()["error"] == "not_organizer"
    org = enroll(srv, NUMBER, "office", role="organizer")
    r = post(srv, org, {"corrections": [entry()]}, number="2026-15-01-999")
    assert r.status_code == 403 and r.json()["error"] == "not_enrolled_for_project"
    for bad in (
        {"corrections": []},
        {"corrections": [entry(kind="rewrite_history")]},
        {"corrections": [entry(reason="")]},
        {"corrections": [entry(made_at="yesterday")]},
        {"corrections": [entry(id="not-a-uuid")]},
        {"corrections": [entry(extra="field")]},
        {"corrections": [entry(before={"nested": {"x": 1}})]},
    ):
        r = post(srv, org, bad)
        assert r.status_code == 422 and r.json()["error"] == "invalid_request", bad
        assert "王老师" not in r.text  # values are never echoed
    assert srv.admin.status(NUMBER).corrections == 0
    assert answers(post(srv, org, {"corrections": [entry()]})) == [("accepted", "")]
