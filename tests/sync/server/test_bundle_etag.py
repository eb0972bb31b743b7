"""The bundle's ETag: a 304 decided by one statement, a new ETag for every change of the bundle."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable

import pytest

from sync.protocol import ProjectBundle
from sync.server import reports
from sync.server.pins import set_pin_hash
from sync.server.roster import RosterRow, import_roster
from sync.server.staff import add_member, remove_member
from tests.support.desks import WireDesk, enroll
from tests.support.live_server import LiveServer, start_live_server
from tests.support.roster import make_project, make_roster
from tests.support.statements import sql_only, statements

pytestmark = pytest.mark.timeout(60)
NUMBER = "2026-15-01-001"
# A hash stored as a PIN's (the platform checks only that it is argon2's, never the PIN).
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

# The token's lookup and the project's version row, on one connection (SQLite: in one BEGIN).
PINNED_304 = {"sqlite": 3, "postgres": 2}
BUNDLE_TABLES = ("ticket_keys", "staff", "desk_pins", "denied_hmac_key", "projects.data")


def test_an_unchanged_project_answers_304_without_building_the_bundle(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    bundle, etag = desk.client.project(NUMBER)
    assert bundle is not None and etag.startswith('"')
    with statements(srv) as seen:
        assert desk.client.project(NUMBER, etag=etag) == (None, etag)
    assert len(sql_only(seen)) == PINNED_304[srv.backend], "\n".join(seen)
    assert seen.count("checkout") == 1, "\n".join(seen)
    assert not [s for s in seen if any(name in s for name in BUNDLE_TABLES)], seen
    # A desk without the bundle, or with another ETag, is sent the body with the same ETag.
    assert desk.client.project(NUMBER) == (bundle, etag)
    assert desk.client.project(NUMBER, etag='"stale"') == (bundle, etag)


def _staff_pin(srv: LiveServer) -> None:
    set_pin_hash(srv.admin.platform, NUMBER, role="staff", pin_hash=HASH + "1", actor="test")


def _organizer_pin(srv: LiveServer) -> None:
    set_pin_hash(srv.admin.platform, NUMBER, role="organizer", pin_hash=HASH + "2", actor="test")


def _add(srv: LiveServer) -> None:
    add_member(srv.admin.platform, NUMBER, name="赵敏", role="staff", pin_hash=HASH,
               same_pin=lambda _h: False, actor="test")  # fmt: skip


def _remove(srv: LiveServer) -> None:
    remove_member(srv.admin.platform, NUMBER, "S1", actor="test")


def _rotate(srv: LiveServer) -> None:
    srv.admin.rotate_ticket_key(NUMBER)


def _project(srv: LiveServer) -> None:
    srv.admin.create_project(dataclasses.replace(make_project(), venue="第二报告厅"), update=True)


CHANGES: list[tuple[str, Callable[[LiveServer], None]]] = [
    ("staff PIN", _staff_pin), ("organizer PIN", _organizer_pin), ("staff added", _add),
    ("staff removed", _remove), ("ticket key", _rotate), ("project definition", _project),
]  # fmt: skip


def test_every_change_of_what_the_bundle_holds_changes_its_etag(srv: LiveServer) -> None:
    desk, organizer = enroll(srv, NUMBER, "A"), enroll(srv, NUMBER, "org", role="organizer")
    held: dict[str, tuple[ProjectBundle | None, str]] = {}
    for who in (desk, organizer):
        body, etag = who.client.project(NUMBER)
        held[who.device_id] = (body, etag)
    assert held[desk.device_id][1] != held[organizer.device_id][1]  # each role's own view
    for what, change in CHANGES:
        change(srv)
        for who in (desk, organizer):
            old_etag = held[who.device_id][1]
            body, etag = who.client.project(NUMBER, etag=old_etag)
            assert body is not None and etag != old_etag, f"{what}: still 304"
            # The new ETag is the body's now: asked again, 304.
            assert who.client.project(NUMBER, etag=etag) == (None, etag), what
            held[who.device_id] = (body, etag)
    # Each body fetched is the changed one.
    final, org = held[desk.device_id][0], held[organizer.device_id][0]
    assert final is not None and org is not None
    assert final.project["venue"] == org.project["venue"] == "第二报告厅"
    assert final.staff == org.staff == []  # added, then removed
    assert final.pin_hashes == {"staff": HASH + "1"} and org.pin_hashes == {"organizer": HASH + "2"}
    assert len(final.ticket_keys) == len(org.ticket_keys) == 2


def test_the_roster_is_not_in_the_bundle_and_leaves_its_etag(srv: LiveServer) -> None:
    """Roster entries reach desks through the changes feed: a bundle fetch would be wasted."""
    desk = enroll(srv, NUMBER)
    _, etag = desk.client.project(NUMBER)
    person = make_roster(6)[5]
    row = RosterRow(line=2, id_type=person.document.type.value, id_number=person.document.number,
                    name=person.name)  # fmt: skip
    import_roster(srv.admin.platform, NUMBER, [row], actor="test")
    assert desk.client.project(NUMBER, etag=etag) == (None, etag)
    page = desk.client.changes(NUMBER, cursor="0")
    assert person.document.number in {a.id_number for a in page.attendees}


def test_two_apps_over_one_database_agree_on_the_etag(srv: LiveServer) -> None:
    """Nothing per process: another app (as another worker would) answers the same ETags."""
    second = start_live_server(srv.db_url, srv.tls, backend=srv.backend, clock=srv.clock)
    try:
        desk = enroll(srv, NUMBER)
        there = WireDesk(second.client(token=desk.enrollment.token), desk.key, desk.enrollment)
        _, etag = desk.client.project(NUMBER)
        assert there.client.project(NUMBER, etag=etag) == (None, etag)
        _rotate(second)  # changed through the other app's database handle
        body, new = desk.client.project(NUMBER, etag=etag)
        assert body is not None and new != etag
        assert there.client.project(NUMBER, etag=new) == (None, new)
    finally:
        second.stop()


def test_the_bundle_format_is_the_same_in_every_process() -> None:
    """The one input of the ETag not read from the database is fixed per installed version."""
    out = subprocess.run(
        [sys.executable, "-c", "from sync.server import reports; print(reports._BUNDLE_FORMAT)"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert out.stdout.strip() == reports._BUNDLE_FORMAT
