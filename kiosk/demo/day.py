"""The whole demo day in time order: cards, codes, staff, the outage, faces, the organizer."""

from __future__ import annotations

from kiosk.demo import faces, organizer, outage, scenario, staff
from kiosk.demo.scenario import Step


def day() -> list[Step]:
    """Every step of the day, sorted by the time it happens (stable for equal times)."""
    steps = [
        *scenario.arrivals(), *staff.morning(), *staff.mistaken_tap(), *outage.lunch(),
        *outage.afternoon(), *faces.arrival(), *faces.attack(), *faces.departure(),
        *scenario.departures(), *staff.disputes(), *organizer.evening(),
    ]  # fmt: skip
    return sorted(steps, key=lambda s: s.time)
