"""The doctor probes for ID-card readers: plain answers with the reason."""

from __future__ import annotations

from pathlib import Path

from drivers.idcard import availability, sam_availability
from drivers.sim.sam_reader import start_sam_simulator


def test_sam_port_present_and_absent(tmp_path: Path) -> None:
    port, sim = start_sam_simulator(tmp_path / "ttySAM")
    try:
        assert sam_availability(port) == (True, f"{port} present")
        sim.unplug()
        ok, detail = sam_availability(port)
        assert not ok and "not present" in detail
    finally:
        sim.stop()


def test_combined_line_names_both_transports(tmp_path: Path) -> None:
    ok, detail = availability(sam_port=str(tmp_path / "ttyUSB9"))
    assert detail.startswith(f"SAM {tmp_path / 'ttyUSB9'} not present")
    assert "; PC/SC " in detail
    assert ok is detail.split("; PC/SC ")[1].startswith(("pcscd running", "1 reader", "2 reader"))
