"""Named staff for desk tests: argon2id hashes made cheaply (the desk verifies any parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher

from kiosk.core.model import Direction
from kiosk.services.checkin import Credential, Status
from kiosk.services.desk import DeskService
from kiosk.services.screen import StaffState
from kiosk.services.staff_records import WalkInForm
from sync.server.staff import add_member
from sync.store import Store
from sync.store.staff import DeskStaff
from tests.support.kiosks import Kiosk
from tests.support.live_server import LiveServer
from tests.support.roster import FakeClock, make_roster

PEOPLE = make_roster(5)

# Real argon2id, with the smallest cost: the hash carries its parameters, so the desk's verify
# is the production code path; only the tests' time is saved.
_CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

PINS = {"S1": "284619", "S2": "735102", "S3": "615283"}
NAMES = {"S1": "王芳", "S2": "李娜", "S3": "赵敏"}


def cheap_hash(pin: str) -> str:
    """An argon2id hash of `pin` that verifies in microseconds."""
    return _CHEAP.hash(pin)


def give_staff(store: Store, project: str, *ids: str) -> None:
    """Install named members (S1 王芳, S2 李娜 lead, S3 赵敏) as a bundle pull would."""
    store.staff.replace(
        project,
        [DeskStaff(i, NAMES[i], "lead" if i == "S2" else "staff", cheap_hash(PINS[i]))
         for i in ids or tuple(PINS)],
    )  # fmt: skip


def named_staff(server: LiveServer, number: str = "2026-15-01-001") -> None:
    """S1 王芳 and S2 李娜 on the platform's staff list (cheap hashes of PINS)."""
    for staff_id, name in (("S1", "王芳"), ("S2", "李娜")):
        got = add_member(server.admin.platform, number, name=name, role="staff",
                         pin_hash=cheap_hash(PINS[staff_id]), same_pin=lambda _h: False,
                         actor="test")  # fmt: skip
        assert got == staff_id


class StaffDesk:
    """A real kiosk (store, client, outbox) with its desk service; staff signed in."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk
        self.desk = DeskService(kiosk.service)
        self.states: list[StaffState] = []
        self.desk.subscribe(lambda e: self.states.append(e) if isinstance(e, StaffState) else None)

    def tap(self, i: int) -> object:
        return self.desk.submit(Credential.id_card(document=PEOPLE[i].document)).result(10)

    def work_a_morning(self, clock: FakeClock) -> dict[str, str]:
        """Manual, walk-in, tap then void, check-out with receipt, dispute: their uuids."""
        d = self.desk
        d.sign_in(PINS["S1"]).result(10)
        assert self.states[-1].staff_id == "S1" and self.states[-1].name == "王芳"
        manual = d.manual("A1", direction=Direction.IN, reason="card unreadable").result(10)
        walk_in = d.register_walk_in(
            WalkInForm("resident_id", "11010519491231002X", "张三", "旗医院")
        ).result(10)
        tap = d.submit(Credential.id_card(document=PEOPLE[1].document)).result(10)
        clock.advance(minutes=1)
        void = d.void_last("A2", reason="tapped for a colleague").result(10)
        d.submit(Credential.id_card(document=PEOPLE[2].document)).result(10)
        clock.advance(hours=2)
        out = d.submit(Credential.id_card(document=PEOPLE[2].document)).result(10)
        assert out.receipt is not None
        dispute = d.dispute("A3", words="我九点就到了", receipt=out.receipt.text).result(10)
        results = {"manual": manual, "walk_in": walk_in, "tap": tap, "void": void,
                   "out": out, "dispute": dispute}  # fmt: skip
        assert all(r.status is Status.ACCEPTED and r.event for r in results.values()), results
        return {k: r.event.uuid for k, r in results.items() if r.event is not None}
