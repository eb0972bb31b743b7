"""`make bench`: run every tests/bench/bench_*.py and collect their `bench:` lines."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def main(argv: list[str]) -> int:
    """Run the named benchmarks (default: all); print a summary; non-zero if any failed."""
    wanted = set(argv)
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not wanted or p.stem in wanted)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    lines: list[str] = []
    failed: list[str] = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, str(script)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            if line.startswith("bench: "):
                lines.append(line.rstrip())
        if proc.wait() != 0:
            failed.append(script.name)
        print(f"== {script.name} finished in {time.monotonic() - started:.1f} s", flush=True)
    print("\n== summary")
    for line in lines:
        print(line)
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
