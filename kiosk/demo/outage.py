"""The lunch outage: the platform stops, the desk keeps answering, then catches up.

What the platform knows of the desk (its completeness) is read from the platform's own data
before the outage, when it returns, and after the desk has caught up.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from kiosk.demo.scenario import Step, printed_ticket, tap
from kiosk.demo.stage import Stage
from sync.protocol import DeskCompleteness

_CATCH_UP_S = 30.0


def platform_desk(stage: Stage) -> DeskCompleteness:
    """The platform's completeness for the demo desk, from its database."""
    status = stage.venue.admin.status(stage.venue.project.number)
    device = stage.service.checkin.device_id
    return next(d for d in status.desks if d.device_id == device)


def completeness_line(when: str, d: DeskCompleteness) -> str:
    """One line: the platform's view of the desk."""
    state = "complete" if d.complete else f"missing {d.missing}"
    return (
        f"{when}: platform has desk {d.desk_name} up to seq {d.latest_seq} "
        f"(contiguous to {d.highest_contiguous}), {state}"
    )


def pending(stage: Stage) -> int:
    """Records and refusals the desk holds for upload (read on the desk thread)."""
    store = stage.desk.store
    return int(stage.service.run(store.outbox.pending_count).result(10))


def last_seq(stage: Stage) -> int:
    """The desk's newest record (read on the desk thread)."""
    store = stage.desk.store
    return int(stage.service.run(store.outbox.last_seq).result(10))


def wait_caught_up(stage: Stage, *, timeout: float = _CATCH_UP_S) -> bool:
    """Kick sync until nothing is pending and the platform has the desk's last record."""
    deadline = time.monotonic() + timeout
    target = last_seq(stage)
    while time.monotonic() < deadline:
        stage.sync.sync_now()
        if pending(stage) == 0 and platform_desk(stage).latest_seq >= target:
            return True
        time.sleep(0.3)
    return False


def stop_platform(stage: Stage) -> list[str]:
    """Everything so far uploaded, then the platform goes away."""
    synced = wait_caught_up(stage)
    lines = [completeness_line("before the outage", platform_desk(stage))]
    if not synced:
        lines.append("(the desk had not finished uploading)")
    stage.venue.stop_serving()
    lines.append(f"platform stopped; the desk holds {pending(stage)} record(s) for upload")
    return lines


def offline_note(stage: Stage) -> list[str]:
    """After an answer during the outage: how many records wait for the platform."""
    return [f"pending upload: {pending(stage)}"]


def platform_back(stage: Stage) -> list[str]:
    """The platform returns: its view of the desk before and after the desk catches up."""
    lines = [completeness_line("when it returns", platform_desk(stage))]
    lines.append(f"the desk holds records up to seq {last_seq(stage)}, {pending(stage)} pending")
    stage.venue.serve_again()
    caught_up = wait_caught_up(stage)
    lines.append(completeness_line("after the catch-up", platform_desk(stage)))
    lines.append(f"pending upload: {pending(stage)}" + ("" if caught_up else " (NOT caught up)"))
    return lines


def lunch() -> Iterator[Step]:
    """12:00 the platform stops; the desk answers; 14:00 it is back."""
    yield Step(
        "12:00",
        "平台 platform",
        "the platform stops over lunch",
        stop_platform,
        answers=False,
        key="outage",
    )
    yield Step(
        "12:02",
        "身份证 ID card",
        "张伟 out for lunch",
        tap("张伟"),
        then=offline_note,
        key="offline_out",
        why="offline: committed and answered at once, uploaded later",
    )
    yield Step(
        "12:03",
        "扫码枪 scanner",
        "刘洋 leaves (speaker, morning)",
        printed_ticket("刘洋"),
        then=offline_note,
        key="offline_ticket",
    )
    yield Step(
        "13:55",
        "身份证 ID card",
        "张伟 back from lunch",
        tap("张伟"),
        then=offline_note,
        key="offline_in",
    )


def afternoon() -> Iterator[Step]:
    """14:00: the platform returns and the desk catches up."""
    yield Step(
        "14:00",
        "平台 platform",
        "the platform is back",
        platform_back,
        answers=False,
        key="catch_up",
        why="the desk uploads what it kept, in order; the platform counts it complete",
    )
