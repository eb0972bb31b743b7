"""Camera capture: one worker thread per camera, newest-frame delivery, recovery, clear status."""

from drivers.camera.base import Camera, Capture
from drivers.camera.events import CameraState, CameraStatus, Frame
from drivers.camera.opencv import CameraUnavailable, OpenCvCamera, open_with_opencv
from drivers.camera.source import CameraSource, SourceKind, parse_source
from drivers.camera.subscription import Subscription

__all__ = [
    "Camera",
    "CameraSource",
    "CameraState",
    "CameraStatus",
    "CameraUnavailable",
    "Capture",
    "Frame",
    "OpenCvCamera",
    "SourceKind",
    "Subscription",
    "open_with_opencv",
    "parse_source",
]
