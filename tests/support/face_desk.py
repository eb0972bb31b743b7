"""Face station test material: templates from photos, what the screen receives, running stations."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from drivers.camera import OpenCvCamera
from drivers.face.gallery import pack_template
from kiosk.config import Config, parse_config
from kiosk.runtime.face import FaceStation, StationTiming
from kiosk.services.screen import FACE_NAME, PreviewFrame
from tests.support import face_tracks as ft
from tests.support.desk import DeskRig
from tests.support.faces import PhotoCache

CONSENT = datetime(2026, 5, 19, 12, 0, tzinfo=UTC)


def enroll_photos(rig: DeskRig, photos: PhotoCache, attendee: str, person: str) -> None:
    """A roster-photo template (consent given at registration) for one attendee."""
    encodings = [photos.faces(p)[0].encoding for p in ft.enrolled_people()[person]]
    rig.store.records.save_face_template(project=rig.project.number, attendee_id=attendee,
                                 template=pack_template(np.stack(encodings)),
                                 source="roster_photo", consent_at=CONSENT)  # fmt: skip


def face_config(source: Path, **face: Any) -> Config:
    return parse_config({"face": {"enabled": True, **face},
                         "camera": {"enabled": True, "source": str(source), "fps": 15}})  # fmt: skip


def set_liveness(rig: DeskRig, policy: str) -> None:
    """The organizer's per-project policy, as a project update from the platform would set it."""
    project = replace(rig.project, checkin=replace(rig.project.checkin, liveness=policy))
    rig.store.roster.save_project(project)
    rig.service.project = project


def clip_video(path: Path, first: int = 140, last: int = 200) -> Path:
    """The clip's talking face (real motion) as a short looping video file."""
    import cv2

    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15.0, (640, 360))
    for _, frame in ft.clip_frames(first, last, step=2):
        w.write(frame)
    w.release()
    return path


class FaceSignals:
    """Everything the station shows, as the GUI thread receives it."""

    def __init__(self, rig: DeskRig, *, ack: bool = True) -> None:
        self.items: list[object] = []
        self.previews = 0
        self.ack = ack  # False: like a screen that never painted (or nobody connected)
        rig.bridge.face.connect(self.items.append)
        rig.bridge.preview.connect(self._preview)

    def _preview(self, frame: PreviewFrame) -> None:
        self.previews += 1
        assert frame.rgb.shape[1] == 240 and frame.rgb.dtype == np.uint8
        if self.ack:
            frame.shown()

    def of(self, kind: type) -> list[Any]:
        return [i for i in self.items if isinstance(i, kind)]


class Running:
    """A started station on a video-file camera; stopped (and the camera closed) at teardown."""

    def __init__(self) -> None:
        self.started: list[tuple[FaceStation, OpenCvCamera]] = []

    def __call__(self, rig: DeskRig, config: Config, **kw: Any) -> FaceStation:
        camera = OpenCvCamera(config.camera.source, fps=config.camera.fps)
        paces = {k: kw.pop(k) for k in list(kw) if k in StationTiming.__dataclass_fields__}
        if paces:
            kw["timing"] = StationTiming(**paces)
        if kw:
            station = FaceStation(config=config, desk=rig.desk, camera=camera, **kw)
        else:
            made = FaceStation.create(config=config, desk=rig.desk, camera=camera)
            assert made is not None
            station = made
        self.started.append((station, camera))
        station.start()
        return station

    def stop(self) -> None:
        """Stop every station (joining its threads), then close its camera."""
        for station, camera in self.started:
            station.stop()
            camera.close()


def face_status(rig: DeskRig) -> list[Any]:
    return [d for d in rig.devices if d.name == FACE_NAME]
