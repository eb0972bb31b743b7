"""Staff cards through the runtime: pyscard on a private pcscd with the vpcd virtual reader."""

from __future__ import annotations

import pytest

from drivers.sim.vpcd_card import TYPE_B_ATR
from kiosk.core.model import Method
from kiosk.runtime.cards import PCSC_NAME
from kiosk.services.checkin import Status
from tests.support.desk import DeskRig, wait_for
from tests.support.pcscd import PrivatePcscd

pytestmark = [pytest.mark.timeout(90), pytest.mark.needs_pcscd]

CONFIG = {"pcsc": {"enabled": True, "reader_filter": "00 00", "uid_format": "dec"}}


def test_staff_card_checks_in_and_an_id_card_is_refused(rig: DeskRig, pcscd: PrivatePcscd) -> None:
    rig.runtime(dict(CONFIG))
    assert wait_for(lambda: any(d.name == PCSC_NAME and d.ok for d in rig.devices), 15)
    card = pcscd.insert_card(bytes.fromhex("2A83155E"))  # 0713233758: 张伟's staff card
    out = rig.outcomes.wait(timeout=15)
    assert out.status is Status.ACCEPTED and out.attendee is not None
    assert out.attendee.name == "张伟"
    assert out.event is not None and out.event.method is Method.IC_CARD
    pcscd.remove_card(card)
    assert pcscd.wait_reader(card=False)
    # A resident ID card on a plain reader: its PUPI is zero, so it is refused, not matched.
    pcscd.insert_card(bytes(4), atr=TYPE_B_ATR)
    refused = rig.outcomes.wait(2, timeout=15)
    assert refused.status is Status.REFUSED and refused.reason == "id_card_on_uid_reader"
    assert refused.message_zh == "身份证请在身份证读卡器上刷卡"
    assert [(r["method"], r["reason"]) for r in rig.store.records.denied()] == [
        ("ic_card", "id_card_on_uid_reader")
    ]
    assert len(rig.store.records.events()) == 1
