"""Faults during an on-site face enrollment: the camera unplugged, a card tapped mid-capture.

The camera is an IP camera simulator on loopback (MJPEG over HTTP, as a network camera speaks);
unplugging it is closing the server. Whatever happens, stopping leaves no thread of the station
or the camera running, and (tests/conftest.py) no desk QObject destroyed off the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from drivers.camera import OpenCvCamera
from drivers.face.enrollment import EnrollmentState
from drivers.sim.mjpeg_camera import MjpegCamera
from kiosk.config import parse_config
from kiosk.runtime.face import FaceStation, StationTiming
from kiosk.services.checkin import Credential, Status
from kiosk.services.screen import EnrollmentOffer, EnrollmentUpdate
from tests.support.desk import DeskRig, wait_for
from tests.support.face_desk import FaceSignals, face_status, set_liveness
from tests.support.faces import PhotoCache, still_scene

pytestmark = pytest.mark.timeout(120)

STATION_THREADS = ("face-station", "camera-subscriber", "camera-capture", "Thread-")


def station_threads() -> list[str]:
    """Threads a face station or its camera started (timers are plain "Thread-N")."""
    return [t.name for t in threading.enumerate() if t.name.startswith(STATION_THREADS)]


@pytest.fixture
def ipcam() -> Iterator[MjpegCamera]:
    cam = MjpegCamera(fps=15)
    yield cam
    cam.close()


def capturing(
    rig: DeskRig, ipcam: MjpegCamera, photos: PhotoCache
) -> tuple[FaceStation, OpenCvCamera, FaceSignals]:
    """A card tap, consent and the staff's confirmation: the capture waits for a face."""
    set_liveness(rig, "off")
    config = parse_config({"face": {"enabled": True, "liveness": "off"},
                           "camera": {"enabled": True, "source": ipcam.url, "fps": 15}})  # fmt: skip
    signals = FaceSignals(rig)
    camera = OpenCvCamera(config.camera.source, fps=config.camera.fps)
    station = FaceStation(config=config, desk=rig.desk, camera=camera,
                          timing=StationTiming(capture_timeout_s=30.0))  # fmt: skip
    station.start()
    assert wait_for(lambda: any(d.ok for d in face_status(rig)), 40)
    person = rig.store.roster.get_attendee(rig.project.number, "A2")
    assert person is not None
    rig.desk.submit(Credential.id_card(document=person.document, name=person.name))
    assert rig.outcomes.wait(1).status is Status.ACCEPTED
    assert wait_for(lambda: bool(signals.of(EnrollmentOffer)), 10)
    offer = signals.of(EnrollmentOffer)[0]
    ipcam.clear()  # the attendee stepped aside: nothing to capture yet
    offer.controls.accept()
    offer.controls.confirm()
    flow = offer.controls.flow  # type: ignore[attr-defined]
    assert wait_for(lambda: flow.state is EnrollmentState.CAPTURING, 10)
    return station, camera, signals


def stop_all(station: FaceStation, camera: OpenCvCamera) -> None:
    station.stop()
    camera.close(2.0)


def test_camera_unplugged_during_capture_leaves_nothing_running(
    rig: DeskRig, ipcam: MjpegCamera, photos: PhotoCache
) -> None:
    before = set(station_threads())
    station, camera, _ = capturing(rig, ipcam, photos)
    ipcam.close()  # unplugged mid-capture
    assert wait_for(lambda: not camera.state.ok, 15)  # the driver saw the stream end
    stop_all(station, camera)
    assert wait_for(lambda: set(station_threads()) <= before, 5), station_threads()
    assert rig.store.records.face_templates(rig.project.number) == {}


def test_card_tapped_during_capture_cancels_it_and_leaves_nothing_running(
    rig: DeskRig, ipcam: MjpegCamera, photos: PhotoCache
) -> None:
    before = set(station_threads())
    station, camera, signals = capturing(rig, ipcam, photos)
    other = rig.store.roster.get_attendee(rig.project.number, "A3")
    assert other is not None
    rig.desk.submit(Credential.id_card(document=other.document, name=other.name))
    assert rig.outcomes.wait(2).status is Status.ACCEPTED
    ipcam.show(still_scene(photos, "obama-720p.jpg"))  # the next person steps up
    assert wait_for(lambda: bool(signals.of(EnrollmentUpdate)), 10)
    update = signals.of(EnrollmentUpdate)[0]
    assert update.attendee_id == "A2" and update.state in ("cancelled", "failed")
    stop_all(station, camera)
    assert wait_for(lambda: set(station_threads()) <= before, 5), station_threads()
    # The capture was for A2; nothing of the next person's face was stored under A2's name.
    assert "A2" not in rig.store.records.face_templates(rig.project.number)
