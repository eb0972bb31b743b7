"""What the desk and `cme-kiosk status` show about sync, and the sentences staff act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CLOCK_WARNING_MS = 60_000  # staff see a warning when the kiosk clock is off by more than a minute

# Permanent reasons (PermanentSyncError.reason, SyncStatus.needs_attention) staff must act on.
ATTENTION: dict[str, tuple[str, str]] = {
    "update_needed": (
        "需要更新软件",
        "update needed: the platform speaks another protocol version",
    ),
    "device_revoked": (
        "本机已被平台吊销，请联系管理员",
        "device revoked by the platform: see the administrator",
    ),
    "device_retired": (
        "本机已停用，停用前的记录仍会上传",
        "device retired: records from before retirement still upload",
    ),
    "not_enrolled": (
        "本机未注册到平台，请运行 cme-kiosk enroll",
        "not enrolled with the platform: run cme-kiosk enroll",
    ),
    "no_server": ("未配置平台地址", "no platform server configured ([sync] server_url)"),
    "unauthorized": (
        "平台不认识本机令牌，请重新注册",
        "the platform does not know this kiosk's token: enroll again",
    ),
    "tls_untrusted": (
        "平台证书不受信任，请检查证书设置",
        "the platform's certificate is not trusted: check [sync] ca_bundle",
    ),
    "not_enrolled_for_project": ("本机未注册此项目", "this kiosk is not enrolled for this project"),
    "unknown_project": ("平台上没有此项目", "the platform has no such project"),
    "bad_setting": ("平台设置无效，请检查配置", "bad platform setting: check the [sync] section"),
    "prev_hash_unknown": (
        "本机记录链不完整，请联系技术支持",
        "the local record chain is broken: call support",
    ),
}


def attention_text(reason: str) -> str:
    """A permanent reason as 'zh / en' for staff; an unknown reason is shown as it is."""
    if reason in ATTENTION:
        zh, en = ATTENTION[reason]
        return f"{zh} / {en}"
    return reason


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the desk and `cme-kiosk status` show about sync."""

    online: bool = False
    pending: int = 0
    last_success: datetime | None = None
    last_error: str = ""
    clock_offset_ms: int | None = None
    needs_attention: str = ""  # a permanent problem staff must act on (e.g. "update needed")
    paced_s: int = 0  # the platform asks for uploads at most this often (sync.protocol.pace)

    @property
    def clock_warning(self) -> bool:
        """Whether the kiosk clock is off by more than a minute."""
        return self.clock_offset_ms is not None and abs(self.clock_offset_ms) > CLOCK_WARNING_MS

    def line(self) -> str:
        """One line for the status bar."""
        state = "在线 online" if self.online else "离线 offline"
        text = f"同步 {state} · 待上传 {self.pending}"
        if self.paced_s:
            # Staff see why records wait: the platform, not this desk, chose the interval.
            n = self.paced_s
            text += f" · 平台要求每 {n} 秒上传 / the platform asks for uploads every {n} s"
        if self.needs_attention:
            text += f" · {attention_text(self.needs_attention)}"
        if self.clock_warning:
            text += (
                f" · 时钟偏差 {(self.clock_offset_ms or 0) / 1000:+.0f}s，请校准时间"
                " / clock off by more than a minute: set the time"
            )
        return text
