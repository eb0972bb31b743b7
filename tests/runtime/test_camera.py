"""The camera path through the runtime: a video file with a ticket in it → exactly one check-in."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.core.model import Method
from kiosk.runtime.camera import CAMERA_NAME, QR_NAME
from kiosk.services.checkin import Status
from tests.support.desk import DeskRig, wait_for
from tests.support.qr import background, place, qr_matrix

pytestmark = pytest.mark.timeout(60)

FPS = 15.0
SHOWN = range(8, 38)  # frames with the ticket in view (2 s): one presentation
FRAMES = 150  # 10 s: the file does not loop round to the ticket again during the test


def write_video(path: Path, payload: str) -> Path:
    """An MJPG file as a webcam would see a phone held up, tilting a little frame to frame."""
    width, height = 640, 360
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (width, height))
    assert writer.isOpened()
    symbol = qr_matrix(payload)
    for i in range(FRAMES):
        gray = background(width, height, seed=i)
        if i in SHOWN:
            place(gray, symbol, center=(330 + i % 5, 180 + i % 3), size=220, angle=float(i % 7 - 3))
        writer.write(np.asarray(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)))
    writer.release()
    return path


def test_ticket_held_to_the_camera_is_one_check_in(rig: DeskRig, tmp_path: Path) -> None:
    video = write_video(tmp_path / "desk.avi", rig.ticket("A3"))
    rig.runtime({"camera": {"enabled": True, "source": str(video), "fps": FPS}})
    assert wait_for(lambda: any(d.name == CAMERA_NAME and d.ok for d in rig.devices))
    assert any(d.name == QR_NAME and d.ok for d in rig.devices)
    out = rig.outcomes.wait(timeout=15)
    assert out.status is Status.ACCEPTED and out.attendee is not None
    assert out.attendee.id == "A3"
    assert out.event is not None and out.event.method is Method.QR
    # Thirty frames showed it: still one outcome and one record once it has left the view.
    rig.outcomes.settle(3.0)
    assert len(rig.outcomes.items) == 1
    assert len(rig.store.records.events()) == 1 and rig.store.records.denied() == []
