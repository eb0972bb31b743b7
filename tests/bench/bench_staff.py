"""Staff mode on 10,000 people: building the search index, a keystroke's search, the session
list, and a named sign-in (argon2 per member) beside the one shared PIN check."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk.core.roster_search import RosterIndex  # noqa: E402
from kiosk.services.checkin import CheckInService  # noqa: E402
from kiosk.services.pins import PinGuard, hash_pin  # noqa: E402
from kiosk.services.staff_search import ListFilter, StaffLists  # noqa: E402
from kiosk.services.staff_session import StaffSession  # noqa: E402
from sync.store import Store  # noqa: E402
from sync.store.staff import DeskStaff  # noqa: E402
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster  # noqa: E402

N = 10_000
QUERIES = ("zw", "王芳", "0012", "A9999", "内蒙古", "zhang", "lny")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "kiosk.sqlite3")
        project = make_project()
        store.roster.save_project(project)
        people = make_roster(N)
        store.roster.save_roster(project.number, people)
        service = CheckInService(store=store, project=project, device_id="bench", desk_name="A",
                                 clock=FakeClock(at(DAY1, 9)))  # fmt: skip
        lists = StaffLists(service)
        started = time.perf_counter()
        lists.index()
        print(f"bench: staff_index_build_10k {ms(time.perf_counter() - started)} ms")
        started = time.perf_counter()
        RosterIndex.build(people)
        print(f"bench: staff_index_build_10k_pinyin_only {ms(time.perf_counter() - started)} ms")
        times = []
        for _ in range(5):
            for q in QUERIES:
                t = time.perf_counter()
                lists.search(q, limit=50)
                times.append(time.perf_counter() - t)
        print(f"bench: staff_search_10k_median {ms(statistics.median(times))} ms")
        print(f"bench: staff_search_10k_max {ms(max(times))} ms")
        t = time.perf_counter()
        lists.session_list(ListFilter.NOT_ARRIVED, limit=200)
        print(f"bench: staff_session_list_10k {ms(time.perf_counter() - t)} ms")

        members = [DeskStaff(f"S{i}", f"员工{i}", "staff", hash_pin(f"2{i:02d}4619"))
                   for i in range(1, 11)]  # fmt: skip
        store.staff.replace(project.number, members)
        guard = PinGuard(store, "staff")
        session = StaffSession(store, project.number, pins=guard)
        t = time.perf_counter()
        assert (
            session.match("2094619").who is not None
        )  # S9 sorts last of ten (S1, S10, S2 …): nine wrong verifies first
        print(f"bench: staff_sign_in_10_members_worst {ms(time.perf_counter() - t)} ms")
        t = time.perf_counter()
        assert session.match("2094619").who is not None  # now tried first
        print(f"bench: staff_sign_in_10_members_again {ms(time.perf_counter() - t)} ms")
        guard.set_pin("284619")
        t = time.perf_counter()
        assert guard.check("284619").ok
        print(f"bench: shared_pin_check {ms(time.perf_counter() - t)} ms")
        store.close()


if __name__ == "__main__":
    main()
