"""The demo without a display: run the day through the simulators and print what happened."""

from __future__ import annotations

import time
from collections.abc import Callable

from kiosk.core.model import Project
from kiosk.core.rules import load_profile
from kiosk.demo.day import day
from kiosk.demo.faces import face_ready
from kiosk.demo.scenario import Step, StepResult, describe, run_step
from kiosk.demo.stage import Stage
from kiosk.logging_setup import setup_logging
from kiosk.services.staff_methods import accepted_methods
from sync import chain
from sync.store import Store

_SYNC_WAIT_S = 20.0


def wait_devices(stage: Stage, *, timeout: float = 10.0) -> str:
    """Let the devices connect and the face engine load before anyone presents anything.

    Returns the face station's line (the face steps need its engine loaded).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(ok for ok, _ in stage.runtime.statuses().values()):
            break
        time.sleep(0.1)
    try:
        return face_ready(stage)
    except RuntimeError as exc:  # the face steps will say so again when they come
        return str(exc)


def print_header(stage: Stage) -> None:
    """Where everything runs, so an engineer can look at it."""
    face = wait_devices(stage)
    project = stage.desk.service.project
    sessions = ", ".join(f"{s.title} {s.start:%H:%M}-{s.end:%H:%M}" for s in project.sessions)
    print(f"  data directory : {stage.root}")
    print(f"  platform       : {stage.venue.url} (reference server, TLS with a demo CA)")
    print(f"  project        : {project.number} {project.name}")
    print(f"  today          : {project.first_day}  sessions: {sessions}")
    print(f"  level, rules   : {project.level.value} (市级), profile {project.profile}")
    print(f"  accepted       : {methods_line(project)}")
    print(
        f"  desk           : {stage.desk.service.desk_name}, mode {stage.desk.service.mode.value}"
    )
    print(f"  ID-card reader : SAM simulator on {stage.devices.sam.port}")
    print(f"  QR scanner     : serial simulator on {stage.devices.scanner.path}")
    print(f"  camera         : MJPEG simulator at {stage.devices.camera.url}")
    for name, (ok, detail) in sorted(stage.runtime.statuses().items()):
        print(f"  {'ok ' if ok else 'off'} {name}: {detail}")
    print(f"  face station   : {face}")
    print()


def methods_line(project: Project) -> str:
    """The attendance methods the project's level accepts under its profile, with the source."""
    accepted = sorted(m.value for m in accepted_methods(project))
    rule = load_profile(project.profile).attendance.accepted(project.level)
    return f"{', '.join(accepted)} ({rule.source})"


def wait_synced(stage: Stage) -> bool:
    """Ask for a sync now and wait until the outbox is empty."""
    stage.sync.sync_now()
    deadline = time.monotonic() + _SYNC_WAIT_S
    while time.monotonic() < deadline:
        if stage.desk.store.outbox.pending_count() == 0:
            return True
        time.sleep(0.2)
    return False


def print_platform(stage: Stage) -> None:
    """What the platform now holds for the project: counts and every desk's completeness."""
    status = stage.venue.admin.status(stage.desk.service.project.number)
    print(
        f"platform: {status.events} records ({status.manual} manual, {status.voids} void, "
        f"{status.disputes} dispute), {status.denied} refused attempts, "
        f"{status.conflicts} conflicts; submission window {status.window.state}"
    )
    for d in (d for d in status.desks if d.role == "desk"):
        state = "complete" if d.complete else f"missing {d.missing}"
        print(f"  desk {d.desk_name} ({d.device_id}): {d.latest_seq} records, {state}")


AfterStep = Callable[[Step, StepResult], None]


def run_scripted(stage: Stage, *, after_step: AfterStep | None = None) -> int:
    """Print each step's outcome and a summary; exit status 0 when the day went as scripted.

    `after_step` sees each step's result as it happens (a test reads the platform there).
    """
    log_file = setup_logging(stage.root / "kiosk")
    print("cme-kiosk demo (no display: scripted run through simulated devices)")
    print_header(stage)
    print(f"  log            : {log_file}\n")
    unanswered = 0
    for step in day():
        result = run_step(stage, step)
        unanswered += step.answers and result.outcome is None
        print(describe(step, result), flush=True)
        if after_step is not None:
            after_step(step, result)
    store = stage.desk.store
    events = store.records.events()
    # Verified from a second connection, as an auditor reading the file would.
    reopened = Store.open(store.path)
    try:
        problems = chain.verify(reopened.records.chain_rows(), store.device_verify_key())
    finally:
        reopened.close()
    print(
        f"\nstored: {len(events)} records (committed before each answer), "
        f"{len(store.records.denied())} refused attempts kept for audit"
    )
    print(f"tamper evidence: hash chain and signatures {'intact' if not problems else 'BROKEN'}")
    synced = wait_synced(stage)
    print(f"sync: {stage.sync.status().line()}")
    print_platform(stage)
    flagged = sum(1 for e in events if e.event.flags)
    print(f"records flagged for the organizer: {flagged} (the walk-in's, the expired document's)")
    ok = unanswered == 0 and bool(events) and not problems and synced
    return 0 if ok else 1
