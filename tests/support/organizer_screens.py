"""Every workspace screen as a real window: a PNG each, and the desk harness's checks on it.

Run under an X server (tests/ui/organizer/test_screens.py starts Xvfb; `make screenshots` too):

    python -m tests.support.organizer_screens --out DIR --lang zh [--only STATE ...]

The workspace is enrolled on the real platform (uvicorn, TLS on loopback, SQLite) holding the test
project, its roster and a desk's records; each state is one screen of the window. The checks are
tests.support.screens.check_window: fills the screen, nothing clipped or elided, targets ≥ 48 px,
no tofu. The report is JSON on stdout.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from kiosk.reports.workspace import Workspace
from kiosk.services.organizer import OrganizerService
from kiosk.ui.organizer.window import OrganizerWindow
from sync.server.staff import add_member
from tests.support.desk import flush_deletes
from tests.support.live_server import LiveServer, start_live_server
from tests.support.organizer_ws import NUMBER, enroll_organizer, seed_event
from tests.support.roster import DAY1, DAY2, at, make_roster
from tests.support.screens import Check, check_window, report_main, settle, translated_app
from tests.support.staff import cheap_hash
from tests.support.tls import make_tls


class Stage:
    """The workspace window over an enrolled, pulled project."""

    def __init__(self, tmp: Path, server: LiveServer) -> None:
        self.server = server
        self.ws = Workspace(tmp / "organizer")
        enroll_organizer(server, self.ws)
        self.service = OrganizerService(self.ws, NUMBER)
        self.window = OrganizerWindow(self.service)
        self.window.fill_screen()
        self.service.open().result(60)
        self.settle()

    def settle(self, seconds: float = 0.4) -> None:
        settle(seconds)

    def page(self, index: int) -> Callable[[], None]:
        def show() -> None:
            self.window.show_page(index)
            self.settle()

        return show

    def anomaly(self) -> None:
        self.window.show_page(2)
        self.window.anomalies.choose("missing_checkout", make_roster(1)[0].document.number)
        self.window.anomalies.by.setText("李老师")
        self.window.anomalies.reason.setText("忘记签退，签到表可证")
        self.settle()

    def submit_confirm(self) -> None:
        self.service.mark(make_roster(1)[0].document.number, passed=True).result(30)
        self.settle()
        self.window.show_page(6)
        self.window.submit.ask()
        self.settle()

    def close(self) -> None:
        self.window.close()
        self.service.close()
        self.window.deleteLater()
        flush_deletes()


STATES: dict[str, Callable[[Stage], Callable[[], None]]] = {
    "overview": lambda s: s.page(0),
    "attendance": lambda s: s.page(1),
    "anomalies": lambda s: s.anomaly,
    "assessment": lambda s: s.page(3),
    "credits": lambda s: s.page(4),
    "export": lambda s: s.page(5),
    "submit": lambda s: s.page(6),
    "submit-confirm": lambda s: s.submit_confirm,
    "staff": lambda s: s.page(7),
}


def run(out: Path, *, lang: str, only: list[str], prefix: str) -> list[Check]:
    """Render the states (all, or `only`) into `out`; the checks made on each."""
    _app, translations = translated_app(lang)
    checks = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = start_live_server(f"sqlite:///{work / 'server.sqlite3'}", make_tls(work / "tls"),
                                   backend="sqlite")  # fmt: skip
        try:
            seed_event(server)
            for name, role, pin in (("王芳", "staff", "284619"), ("李娜", "lead", "735102")):
                add_member(server.admin.platform, NUMBER, name=name, role=role,
                           pin_hash=cheap_hash(pin), same_pin=lambda _h: False,
                           actor="screens")  # fmt: skip
            server.clock.set(at(DAY1, 13))
            for state in only or list(STATES):
                if state == "submit-confirm":
                    server.clock.set(at(DAY2, 12))  # inside the window
                stage = Stage(work / state, server)
                try:
                    STATES[state](stage)()
                    png = out / f"{prefix}{state}.png"
                    stage.window.grab().save(str(png), "PNG")
                    problems, texts = check_window(stage.window)
                    checks.append(Check(state, str(png), problems, texts))
                finally:
                    stage.close()
        finally:
            server.stop()
    translations.remove()
    return checks


def main(argv: list[str] | None = None) -> int:
    """Render, print the JSON report, exit 1 if any state had a problem."""
    return report_main(argv, doc=__doc__ or "", prefix="organizer-", render=run)


if __name__ == "__main__":
    raise SystemExit(main())
