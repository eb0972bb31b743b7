"""Time rules: instants are stored in UTC with the device offset kept; days are Asia/Shanghai."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]
"""An injectable source of aware UTC instants (tests move time with a fake)."""


def utc_now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def require_aware(moment: datetime) -> datetime:
    """Refuse naive datetimes: a naive time at a desk is a bug waiting for the wrong day."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} where an aware one is required")
    return moment


def to_utc(moment: datetime) -> datetime:
    """The same instant in UTC."""
    return require_aware(moment).astimezone(UTC)


def offset_minutes(moment: datetime) -> int:
    """The UTC offset of an aware datetime in whole minutes."""
    offset = require_aware(moment).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def local_day(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an instant (project days and deadlines are local)."""
    return require_aware(moment).astimezone(SHANGHAI).date()


def local_midnight(day: date) -> datetime:
    """The instant at which a Shanghai calendar day begins."""
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def end_of_local_day(day: date) -> datetime:
    """The first instant after a Shanghai calendar day (exclusive end)."""
    return local_midnight(day + timedelta(days=1))


def format_local(moment: datetime, fmt: str = "%H:%M") -> str:
    """Format an instant in Shanghai time for the screen."""
    return require_aware(moment).astimezone(SHANGHAI).strftime(fmt)
