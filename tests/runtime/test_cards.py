"""ID cards through the runtime: the SAM simulator on a pty to a committed check-in on screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from drivers.idcard.events import CardUid
from drivers.sim.idcard_samples import resident_card
from drivers.sim.sam_reader import SamSimulator, start_sam_simulator
from kiosk.core.model import Method
from kiosk.runtime import credential_for
from kiosk.runtime.cards import SAM_NAME
from kiosk.services.checkin import Status
from kiosk.ui import theme
from kiosk.ui.bridge import DeviceStatus
from sync.store import Store
from tests.support.desk import DeskRig, wait_for

pytestmark = pytest.mark.timeout(60)

# make_roster()[0]: 张伟, born 1960-01-01, sequence 000.
ROSTER_CARD = dict(name="张伟", birth="19600101", seq="000")


@pytest.fixture
def sam(tmp_path: Path) -> Iterator[SamSimulator]:
    """A SAM reader simulator (no card yet) behind a stable link, as udev names a real one."""
    _, sim = start_sam_simulator(tmp_path / "ttySAM")
    yield sim
    sim.stop()


def test_id_card_is_committed_then_shown_green(
    rig: DeskRig, sam: SamSimulator, qapp: QApplication, zh: None
) -> None:
    window = rig.window()
    rig.runtime({"sam": {"enabled": True, "port": sam.port}})
    assert wait_for(lambda: any(d.name == SAM_NAME and d.ok for d in rig.devices))
    sam.place(resident_card(**ROSTER_CARD))
    out = rig.outcomes.wait()
    assert out.status is Status.ACCEPTED and out.message_zh == "张伟 签到成功"
    assert out.event is not None and out.event.method is Method.ID_CARD
    # Committed before it was shown: another connection sees the record.
    other = Store.open(rig.store.path)
    assert [e.event.uuid for e in other.records.events()] == [out.event.uuid]
    other.close()
    # The window got it on the GUI thread, through the queued signal.
    assert wait_for(lambda: theme.GREEN in window.card.styleSheet())
    assert window.card.name_label.text() == "张伟" and window.card.line_label.text() == "签到成功"
    assert rig.outcomes.threads == {"MainThread"}
    window.close()


def test_a_card_with_a_bad_number_is_refused_and_kept(rig: DeskRig, sam: SamSimulator) -> None:
    rig.runtime({"sam": {"enabled": True, "port": sam.port}})
    sam.place(resident_card(**ROSTER_CARD, bad_check_digit=True))
    out = rig.outcomes.wait()
    assert out.status is Status.REFUSED and out.reason == "invalid_number"
    assert out.message_zh and out.message_en
    assert rig.store.records.events() == []
    [row] = rig.store.records.denied()
    assert (row["method"], row["reason"]) == ("id_card", "invalid_number")
    # The detail kept for the audit never holds the unmasked number.
    assert "19600101" not in str(row["detail"])


def test_staff_card_uid_becomes_an_ic_card_credential() -> None:
    cred = credential_for(CardUid("PC/SC", "0713233758", b"\x2a\x83\x15\x5e", b""))
    assert cred is not None and cred.method is Method.IC_CARD and cred.uid == "0713233758"


def sam_line(rig: DeskRig) -> DeviceStatus:
    """The SAM reader's latest status line."""
    return [d for d in rig.devices if d.name == SAM_NAME][-1]


def test_reader_unplugged_and_back_shows_on_the_status_line(
    rig: DeskRig, sam: SamSimulator
) -> None:
    rig.runtime({"sam": {"enabled": True, "port": sam.port}})
    assert wait_for(lambda: any(d.name == SAM_NAME and d.ok for d in rig.devices))
    sam.unplug()
    assert wait_for(lambda: not sam_line(rig).ok)
    sam.replug()
    assert wait_for(lambda: sam_line(rig).ok)
    sam.place(resident_card(**ROSTER_CARD))
    assert rig.outcomes.wait().status is Status.ACCEPTED


def test_unplugged_reader_line_names_the_port(rig: DeskRig, sam: SamSimulator) -> None:
    rig.runtime({"sam": {"enabled": True, "port": sam.port}})
    assert wait_for(lambda: any(d.name == SAM_NAME and d.ok for d in rig.devices))
    sam.unplug()
    assert wait_for(lambda: not sam_line(rig).ok)
    assert sam.port in sam_line(rig).detail
