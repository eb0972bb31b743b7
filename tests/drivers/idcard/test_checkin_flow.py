"""From a card on a reader to a committed check-in: real pty / pcscd, real service and store."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from drivers.idcard.events import CardEvent, IdCardRead, ReaderStatus
from drivers.idcard.pcsc import PcscReader, PcscTiming
from drivers.sim.idcard_samples import resident_card
from kiosk.core.model import Flag, Method
from kiosk.runtime import credential_for
from kiosk.services.checkin import CheckInService, Outcome, Status
from sync.store import Store
from tests.support.idcard import Events, SamRig
from tests.support.pcscd import PrivatePcscd
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster

pytestmark = pytest.mark.timeout(60)


class Desk:
    """A listener that presents each credential to the service, as the desk thread does."""

    def __init__(self, service: CheckInService) -> None:
        self.service = service
        self.outcomes: list[Outcome] = []
        self._cond = threading.Condition()

    def __call__(self, event: CardEvent) -> None:
        cred = credential_for(event)
        if cred is not None:
            out = self.service.present(cred)
            with self._cond:
                self.outcomes.append(out)
                self._cond.notify_all()

    def wait(self, n: int = 1, timeout: float = 10.0) -> Outcome:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.outcomes) >= n, timeout), self.outcomes
            return self.outcomes[n - 1]


@pytest.fixture
def service(tmp_path: Path) -> CheckInService:
    store = Store.open(tmp_path / "kiosk.sqlite3")
    project = make_project()
    store.roster.save_project(project)
    store.roster.save_roster(project.number, make_roster(3))
    return CheckInService(
        store=store,
        project=project,
        device_id="desk-a",
        desk_name="A",
        clock=FakeClock(at(DAY1, 8, 12)),
    )


# make_roster()[0]: 张伟, 150102 19600101 000 + check digit, staff card 0713233758.
ROSTER_CARD = dict(name="张伟", birth="19600101", seq="000")


def test_id_card_tap_is_committed_before_the_outcome(sam: SamRig, service: CheckInService) -> None:
    desk = Desk(service)
    sam.reader.add_listener(desk)
    sam.sim.place(resident_card(**ROSTER_CARD))
    out = desk.wait()
    assert out.status is Status.ACCEPTED and out.message_zh == "张伟 签到成功"
    assert out.event is not None and out.event.method is Method.ID_CARD
    committed = Store.open(service.store.path).records.events()
    assert [e.event.uuid for e in committed] == [out.event.uuid]


def test_expired_card_is_admitted_and_flagged(sam: SamRig, service: CheckInService) -> None:
    desk = Desk(service)
    sam.reader.add_listener(desk)
    sam.sim.place(resident_card(**ROSTER_CARD, valid_to="20260519"))
    out = desk.wait()
    assert out.status is Status.ACCEPTED
    assert out.event is not None and Flag.EXPIRED_DOCUMENT in out.event.flags
    assert sam.events.of(IdCardRead)[0].expired is True


def test_a_card_left_on_the_reader_is_one_check_in(sam: SamRig, service: CheckInService) -> None:
    desk = Desk(service)
    sam.reader.add_listener(desk)
    sam.sim.place(resident_card(**ROSTER_CARD))
    desk.wait()
    sam.events.settle(0.5)
    assert len(desk.outcomes) == 1
    assert len(Store.open(service.store.path).records.events()) == 1


def test_walk_in_with_a_valid_card_is_provisional(sam: SamRig, service: CheckInService) -> None:
    desk = Desk(service)
    sam.reader.add_listener(desk)
    sam.sim.place(resident_card(name="赵敏", birth="19920202", seq="777"))
    out = desk.wait()
    assert out.status is Status.ACCEPTED
    assert out.event is not None and Flag.PROVISIONAL_ATTENDEE in out.event.flags


@pytest.mark.needs_pcscd
def test_staff_card_and_unknown_card_on_pcsc(pcscd: PrivatePcscd, service: CheckInService) -> None:
    reader = PcscReader(
        reader_filter="00 00",
        uid_format="dec",
        timing=PcscTiming(wait_ms=200, retry_s=0.1, max_retry_s=0.5),
    )
    events = Events()
    desk = Desk(service)
    reader.add_listener(events)
    reader.add_listener(desk)
    reader.start()
    try:
        events.wait_status(ReaderStatus.READY, timeout=10)
        card = pcscd.insert_card(bytes.fromhex("2A83155E"))  # 0713233758: 张伟's staff card
        out = desk.wait()
        assert out.status is Status.ACCEPTED and out.attendee is not None
        assert out.attendee.name == "张伟" and out.event is not None
        assert out.event.method is Method.IC_CARD
        pcscd.remove_card(card)
        assert pcscd.wait_reader(card=False)
        pcscd.insert_card(bytes.fromhex("11223344"))
        refused = desk.wait(2)
        assert refused.status is Status.REFUSED
        assert refused.message_en == "Card not registered — please see staff"
        assert refused.message_zh == "卡片未登记，请联系工作人员"
    finally:
        reader.stop()
