"""The kiosk's one TOML configuration file, validated at start with messages that name the key."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from kiosk.core.charset import CHARSETS, Charset


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_as_numbers(cls, value: object, info: ValidationInfo) -> object:
        # TOML true/false are not 1/0: `batch_size = true` is a mistake, not a batch of one.
        if isinstance(value, bool) and info.field_name is not None:
            annotation = cls.model_fields[info.field_name].annotation
            if annotation in (int, float) or annotation in (int | None, float | None):
                raise ValueError("must be a number, not true/false")
        return value


class KioskSection(_Section):
    """Where the kiosk keeps its data and what it calls itself."""

    data_dir: Path | None = None  # default: the platformdirs user data directory
    desk_name: str = "A"
    language: Literal["zh", "en"] = "zh"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class DeskSection(_Section):
    """Desk rules set by venue staff."""

    mode: Literal["in", "out", "auto"] = "auto"
    duplicate_window_minutes: int = Field(10, ge=0, le=24 * 60)
    auto_min_interval_minutes: int = Field(30, ge=0, le=24 * 60)
    expired_document: Literal["admit_with_flag", "refuse"] = "admit_with_flag"
    allow_plain_roster_codes: bool = False


class SyncSection(_Section):
    """The platform (or venue relay) this kiosk syncs with."""

    server_url: str | None = None
    ca_bundle: Path | None = None
    pinned_sha256: str | None = None  # optional certificate pin (hex SHA-256 of the DER cert)
    connect_timeout_s: float = Field(5.0, gt=0)
    read_timeout_s: float = Field(15.0, gt=0)
    batch_size: int = Field(500, ge=1, le=500)
    pull_interval_s: float = Field(60.0, gt=0, le=3600)  # roster and other desks' records
    push_interval_s: float = Field(5.0, gt=0, le=3600)  # outbox drain when nothing kicks it
    # An idle desk's status report (latest seq, signed head) when nothing changed: the
    # platform's load at a province's peak, and how soon an idle desk sees it went away.
    heartbeat_s: float = Field(60.0, gt=0, le=3600)

    @field_validator("server_url")
    @classmethod
    def _https_only(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith("https://"):
            raise ValueError("must start with https:// (kiosks speak nothing else)")
        if value is not None and len(value) <= len("https://"):
            raise ValueError("must name the platform's host, e.g. https://platform.example:8443")
        return value

    @field_validator("pinned_sha256")
    @classmethod
    def _pin_format(cls, value: str | None) -> str | None:
        if value is None:
            return None
        pin = value.lower().replace(":", "")
        if len(pin) != 64 or any(ch not in "0123456789abcdef" for ch in pin):
            raise ValueError(
                "must be the SHA-256 of the certificate: 64 hex digits, colons allowed"
            )
        return value


class SamSection(_Section):
    """GA 467 SAM ID-card reader on a serial / USB-CDC port."""

    enabled: bool = False
    port: str = "/dev/ttyUSB0"
    baudrate: int = 115200
    wlt_decoder: Path | None = None  # vendor library that turns WLT photo bytes into a bitmap
    wlt_function: str = "unpack"  # its exported function: int f(char *wlt, char *bmp, int save)
    read_fingerprint: bool = False  # read the fingerprint block too (2321-byte answers)


class PcscSection(_Section):
    """PC/SC readers for Mifare / hospital staff cards."""

    enabled: bool = False
    reader_filter: str = ""  # substring of the reader name; empty = any reader
    uid_format: Literal[
        "hex", "hex_reversed", "dec", "dec_reversed", "8h10d", "6h8d", "wiegand26"
    ] = "hex"


class ScannerSection(_Section):
    """Barcode / QR scanners."""

    wedge: bool = True  # USB keyboard-wedge scanner through the Qt event filter
    wedge_prefix: str = ""
    wedge_suffix: str = ""
    wedge_max_interkey_ms: int = Field(35, ge=1, le=1000)
    wedge_min_length: int = Field(6, ge=1)
    wedge_terminator: Literal["enter", "tab", "none"] = "enter"
    evdev_device: str | None = None  # exclusive grab of this /dev/input/event* device (Linux)
    serial_port: str | None = None
    serial_baudrate: int = 9600
    hidpos_device: str | None = None  # a HID-POS scanner's /dev/hidraw* node (Linux)
    reconnect_s: float = Field(1.0, gt=0, le=60)  # retry interval after a scanner is unplugged
    # How serial and HID-POS scanners' bytes become text: "auto" reads them like the camera's
    # codes; "utf-8" or "gb18030" for a scanner set to send that (GBK and GB2312: "gb18030").
    charset: Charset = "auto"

    @field_validator("charset", mode="before")
    @classmethod
    def _charset(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        name = value.strip().lower().replace("_", "-")
        name = {"utf8": "utf-8", "gbk": "gb18030", "gb2312": "gb18030"}.get(name, name)
        if name not in CHARSETS:
            choices = ", ".join(f'"{c}"' for c in CHARSETS)
            raise ValueError(f'must be one of {choices} (a GBK or GB2312 scanner: "gb18030")')
        return name


class CameraSection(_Section):
    """The webcam (or a video file / stream URL standing in for one)."""

    enabled: bool = False
    source: str = "0"  # device index, /dev/video*, rtsp://…, http://… or a video file
    fps: float = Field(15.0, gt=0, le=120)
    width: int = 1280
    height: int = 720
    mirror: bool = False  # the camera delivers a mirrored image (turn directions swap)


class QrSection(_Section):
    """Camera QR decoding."""

    backend: Literal["zxing", "zbar"] = "zxing"
    # A code held in view is one event; it counts again after this long out of view.
    debounce_s: float = Field(1.0, ge=0, le=30)
    # Symbologies the camera looks for (zxing-cpp names); fewer is faster.
    formats: tuple[str, ...] = ("QRCode", "Code128")


class FaceSection(_Section):
    """Face check-in thresholds (defaults and the error rates behind them: docs/face.md)."""

    enabled: bool = False
    threshold: float = Field(0.5, gt=0, lt=1.5)
    margin: float = Field(0.06, ge=0, lt=1)
    verify_threshold: float = Field(0.55, gt=0, lt=1.5)
    liveness: Literal["off", "challenge_on_doubt", "always"] = "challenge_on_doubt"
    min_face_px: int = Field(80, ge=20)
    card_photo_threshold: float = Field(0.6, gt=0, lt=1.5)  # live face vs ID-card photo (WLT)
    detect_width: int = Field(480, ge=160, le=1920)  # frames are downscaled to this for detection
    blur_min: float = Field(40.0, ge=0)  # Laplacian variance of the face at 128 px wide
    max_yaw: float = Field(0.5, gt=0, le=1)  # frontal gate on the landmark yaw ratio
    liveness_timeout_s: float = Field(6.0, ge=1, le=30)
    doubt_band: float = Field(0.1, ge=0, lt=1)  # challenge_on_doubt: distance > threshold - band
    # [checkin] face_verify_cards: how long an ID-card tap waits for the cardholder's face
    card_verify_timeout_s: float = Field(8.0, ge=1, le=60)


class SoundSection(_Section):
    """The desk's tones (docs/desk.md "Sounds"): played with aplay on an ALSA device."""

    enabled: bool = True  # false: the desk starts muted (staff mode can still unmute it)
    volume: int = Field(70, ge=0, le=100)
    device: str | None = None  # an ALSA PCM name (aplay -L), e.g. "plughw:CARD=PCH,DEV=0"

    @field_validator("device")
    @classmethod
    def _alsa_name(cls, device: str | None) -> str | None:
        if device is not None and (
            not device or not device.isprintable() or any(c.isspace() for c in device)
        ):
            raise ValueError("an ALSA device name (see aplay -L), without spaces")
        return device


class CreditsSection(_Section):
    """Where the credits engine also looks for rules profiles (a province's own TOML files)."""

    # Searched after --rules-dir and before $CME_KIOSK_RULES_DIR and the built-in profiles.
    rules_dirs: list[Path] = Field(default_factory=list)

    @field_validator("rules_dirs")
    @classmethod
    def _expand(cls, dirs: list[Path]) -> list[Path]:
        return [d.expanduser() for d in dirs]


class PrivacySection(_Section):
    """Retention of personal data (PIPL)."""

    retention_days_after_submission: int = Field(30, ge=0)
    retention_days_if_never_submitted: int = Field(90, ge=0)
    # Where the field/index keys live: 0600 files in <data_dir>/keys, or the OS keyring when the
    # kiosk runs in a desktop session that has one (falls back to the files when it is locked).
    key_store: Literal["file", "keyring"] = "file"


class Config(_Section):
    """The whole configuration file."""

    kiosk: KioskSection = KioskSection()
    desk: DeskSection = DeskSection()
    sync: SyncSection = SyncSection()
    sam: SamSection = SamSection()
    pcsc: PcscSection = PcscSection()
    scanner: ScannerSection = ScannerSection()
    camera: CameraSection = CameraSection()
    qr: QrSection = QrSection()
    face: FaceSection = FaceSection()
    sound: SoundSection = SoundSection()
    privacy: PrivacySection = PrivacySection()
    credits: CreditsSection = CreditsSection()

    @property
    def data_dir(self) -> Path:
        """The configured data directory, else $CME_KIOSK_DATA_DIR, else the platform default."""
        if self.kiosk.data_dir is not None:
            return self.kiosk.data_dir
        env = os.environ.get("CME_KIOSK_DATA_DIR")
        return Path(env) if env else Path(user_data_dir("cme-kiosk", appauthor=False))


class ConfigError(Exception):
    """The configuration file is unreadable or invalid; the message names the key."""


def _describe(err: ValidationError, source: str) -> str:
    lines = []
    for e in err.errors():
        loc = e["loc"]
        key = f"[{loc[0]}]." + ".".join(str(p) for p in loc[1:]) if len(loc) > 1 else str(loc[0])
        if e["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key {key}")
        elif e["type"] == "value_error":  # our own validators' messages, without pydantic's prefix
            lines.append(f"{source}: {key}: {e['ctx']['error']} (got {e.get('input')!r})")
        else:
            lines.append(f"{source}: {key}: {e['msg']} (got {e.get('input')!r})")
    return "\n".join(lines)


def parse_config(data: dict[str, Any], *, source: str = "config") -> Config:
    """Validate an already-parsed TOML document."""
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_describe(err, source)) from None


def default_config_path() -> Path:
    """$CME_KIOSK_CONFIG, else config.toml in the platform config directory."""
    env = os.environ.get("CME_KIOSK_CONFIG")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("cme-kiosk", appauthor=False)) / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """Read and validate the configuration; a missing default file means all defaults."""
    explicit = path is not None or "CME_KIOSK_CONFIG" in os.environ
    target = path or default_config_path()
    if not target.exists():
        if explicit:
            raise ConfigError(f"{target}: configuration file not found")
        return Config()
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{target}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{target}: not valid TOML: {exc}") from None
    return parse_config(data, source=str(target))
