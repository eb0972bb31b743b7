"""The demo without a display: run the day and print what the desk did, then what it has stored."""

from __future__ import annotations

from kiosk.demo.scenario import DemoDesk, describe, run_step, steps
from kiosk.logging_setup import setup_logging
from sync import chain
from sync.store import Store


def run_scripted(desk: DemoDesk) -> int:
    """Print each step's outcome and a summary; exit status 0 when everything was recorded."""
    project = desk.service.project
    log_file = setup_logging(desk.data_dir)
    print("cme-kiosk demo (no display: scripted run)")
    print(f"  data directory : {desk.data_dir}")
    print(f"  project        : {project.number} {project.name}")
    sessions = ", ".join(f"{s.title} {s.start:%H:%M}-{s.end:%H:%M}" for s in project.sessions)
    print(f"  today          : {project.first_day}  sessions: {sessions}")
    print(f"  desk           : {desk.service.desk_name}, mode {desk.service.mode.value}")
    print(f"  log            : {log_file}\n")
    for step in steps():
        print(describe(step, run_step(desk, step)))
    events = desk.store.events()
    reopened = Store.open(desk.store.path)
    problems = chain.verify(reopened.chain_rows(), desk.store._device_key.public_key())
    print(
        f"\nstored: {len(events)} records (committed before each answer), "
        f"{len(desk.store.denied())} refused attempts kept for audit, "
        f"{desk.store.pending_count()} waiting to sync"
    )
    print(f"tamper evidence: hash chain and signatures {'intact' if not problems else 'BROKEN'}")
    return 0 if events and not problems else 1
