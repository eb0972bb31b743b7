"""Plain words for the devices' reason codes where no Qt translator runs: logs, console, demo.

The runtime reports each device's state as a `DeviceReason` (a code and its parameters, %1…);
the Devices page words the same codes through Qt (kiosk/ui/texts.py DEVICE_REASONS). A test
checks that both catalogues hold every code.
"""

from __future__ import annotations

from kiosk.services.screen import DeviceReason

# code → (zh, en); %1, %2 … are the reason's parameters in order.
DEVICE_REASONS: dict[str, tuple[str, str]] = {
    # card readers (drivers.idcard ReaderStatus)
    "reader_stopped": ("已停止", "stopped"),
    "reader_starting": ("正在打开 %1", "opening %1"),
    "reader_ready": ("就绪（%1）", "ready on %1"),
    "reader_absent": ("%1 未找到读卡器，正在重试", "no reader at %1; retrying"),
    "reader_reconnecting": ("%1 连接断开，正在重连", "%1 went away; reconnecting"),
    "reader_fault": ("%1 读卡器故障，正在重试", "reader fault at %1; retrying"),
    "reader_unavailable": ("本机缺少读卡器所需的软件库", "a library the reader needs is missing"),
    # the camera (drivers.camera CameraStatus)
    "camera_stopped": ("已停止", "stopped"),
    "camera_starting": ("正在打开 %1", "opening %1"),
    "camera_running": ("正在采集（%1）", "capturing from %1"),
    "camera_absent": ("%1 未找到摄像头，正在重试", "no camera at %1; retrying"),
    "camera_reconnecting": ("%1 画面中断，正在重连", "%1 stopped delivering frames; reconnecting"),
    "camera_unavailable": ("摄像头不可用（见日志）", "the camera cannot be used (see the log)"),
    # scanners (drivers.scanner ScannerStatus.state)
    "scanner_ready": ("正在读取 %1", "reading %1"),
    "scanner_absent": ("%1 未找到扫码枪，正在重试", "no scanner at %1; retrying"),
    "scanner_lost": ("%1 连接断开，正在重连", "%1 went away; reconnecting"),
    "scanner_unavailable": ("本机缺少扫码枪所需的软件库", "a library the scanner needs is missing"),
    # camera QR
    "qr_ready": ("二维码识别就绪（%1）", "QR decoder %1 on the camera"),
    "qr_off": ("二维码识别库不可用，摄像头扫码已关闭", "no QR decoder: camera QR scanning is off"),
    # the face station
    "face_loading": ("人脸模型加载中…", "face models loading…"),
    "face_ready": ("人脸签到可用，已登记 %1 人", "face check-in ready, %1 enrolled"),
    "face_off": ("人脸签到已停用（见日志）", "face check-in is off (see the log)"),
    "face_purged": (
        "本项目数据已到期删除，人脸签到已停用",
        "face check-in off: the data was purged",
    ),
    "face_needs_camera": ("人脸签到需要启用摄像头", "face check-in needs the camera enabled"),
    "face_not_a_method": ("本项目不使用人脸签到", "face check-in is not a method of this project"),
    # sound
    "sound_ready": ("声音就绪（%1）", "sound ready (%1)"),
    "sound_off": ("无法播放声音（见日志）", "no sound output (see the log)"),
    "sound_tones_missing": ("缺少 %1 个提示音文件", "%1 tone files missing or unreadable"),
    # the keyboard wedge (a Qt key filter)
    "wedge_ready": ("正在接收键盘模式扫码枪", "listening for a keyboard-wedge scanner"),
    # the runtime
    "start_failed": ("启动失败（%1），见日志", "failed to start (%1); see the log"),
    "reconnect_failed": ("重连失败（%1），见日志", "reconnect failed (%1); see the log"),
    "worker_still_running": (
        "上一个工作线程尚未结束，暂不能重连，请稍后再试",
        "the previous worker has not ended yet: reconnect refused, try again shortly",
    ),
}


def fill(text: str, params: tuple[str, ...]) -> str:
    """`text` with %1, %2 … replaced by `params` (highest first: %10 is not %1 then 0)."""
    for i in range(len(params), 0, -1):
        text = text.replace(f"%{i}", params[i - 1])
    return text


def device_reason_text(reason: DeviceReason, lang: str = "en") -> str:
    """The plain words for a device's reason; an unknown code is shown as the code itself."""
    pair = DEVICE_REASONS.get(reason.code)
    if pair is None:
        return " ".join((reason.code, *reason.params))
    return fill(pair[0] if lang == "zh" else pair[1], reason.params)
