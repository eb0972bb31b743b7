"""The layout's promises: contracts that fail when broken, a desk without the server's packages.

`make lint` runs import-linter (tests/test_tooling.py breaks each contract once to prove it can
fail); here the desk's modules are imported to prove none of them loads the server's packages,
and a built wheel is read for what a desk-only install would pull.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVER_PACKAGES = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg")


def run(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=300, check=False
    )
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}"


def test_the_desk_imports_none_of_the_servers_packages() -> None:
    code = (
        "import sys\n"
        "import kiosk.app, kiosk.cli, kiosk.services.platform, kiosk.services.platform_sync\n"
        "import kiosk.commands.server, sync.client.worker, sync.client.pull, sync.store\n"
        "kiosk.cli.build_parser()\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {SERVER_PACKAGES!r}"
        " or m.startswith('sync.server')))\n"
    )
    out = run([sys.executable, "-c", code], cwd=ROOT)
    assert out == "exit 0\n[]\n", out


@pytest.mark.parametrize("missing", ["sqlalchemy", "fastapi"])
def test_server_commands_on_a_desk_only_install_say_what_to_install(missing: str) -> None:
    code = (
        "import sys\n"
        f"sys.modules[{missing!r}] = None  # as if the server extra were not installed\n"
        "from kiosk.cli import main\n"
        "sys.exit(main(['server', 'run', '--db', 'unused.sqlite3']))\n"
    )
    out = run([sys.executable, "-c", code], cwd=ROOT)
    assert out.splitlines() == [
        "exit 1",
        "cme-kiosk: the platform server is not installed here (desk-only install):"
        " install the cme-kiosk-server package, or pip install 'cme-kiosk[server]'",
    ], out


def test_the_demo_on_a_desk_only_install_says_what_to_install(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['fastapi'] = None  # as if the server extra were not installed\n"
        "from kiosk.cli import main\n"
        f"sys.exit(main(['demo', '--headless', '--data-dir', {str(tmp_path / 'demo')!r}]))\n"
    )
    out = run([sys.executable, "-c", code], cwd=ROOT)
    assert out.splitlines() == [
        "exit 1",
        "cme-kiosk: the demo runs a local platform, which is not installed here:"
        " install the cme-kiosk-server package, or pip install 'cme-kiosk[server]'",
    ], out


def test_a_desk_only_install_pulls_no_server_package_and_the_server_has_its_migrations(
    tmp_path: Path,
) -> None:
    src = tmp_path / "src"
    for name in ("kiosk", "drivers", "sync"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    out = run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
               "-w", str(tmp_path / "dist"), str(src)], cwd=tmp_path)  # fmt: skip
    assert out.startswith("exit 0"), out
    [wheel] = (tmp_path / "dist").glob("cme_kiosk-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        [meta] = [n for n in names if n.endswith(".dist-info/METADATA")]
        requires = [ln[len("Requires-Dist: "):] for ln in z.read(meta).decode().splitlines()
                    if ln.startswith("Requires-Dist: ")]  # fmt: skip
    for needed in ("env.py", "script.py.mako", "versions/0001_initial.py"):
        assert f"sync/server/migrations/{needed}" in names
    base = [r.lower() for r in requires if "extra ==" not in r]
    server = [r.lower() for r in requires if 'extra == "server"' in r]
    assert not [r for r in base if r.startswith(SERVER_PACKAGES)], base
    for package in (*SERVER_PACKAGES[:5], "psycopg[binary]"):
        if package != "starlette":  # comes with fastapi
            assert any(r.startswith(package) for r in server), (package, server)


def test_the_demo_borrows_the_server_packages_libraries_after_the_desks_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.commands.demo import lend_server_libraries

    venv = tmp_path / "cme-kiosk-server"
    monkeypatch.setenv("CME_KIOSK_SERVER_VENV", str(venv))
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    monkeypatch.setattr("sys.path", list(sys.path))
    assert lend_server_libraries() is False  # no server package: the demo says what to install
    packages = venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    (packages / "fastapi").mkdir(parents=True)
    before = list(sys.path)
    assert lend_server_libraries() is True
    assert sys.path[: len(before)] == before and sys.path[-1] == str(packages)  # after the desk's
    assert os.environ["PYTHONPATH"] == f"/elsewhere{os.pathsep}{packages}"  # and for `server …`


def test_the_windows_theme_loads_neither_the_check_in_service_nor_the_store() -> None:
    code = (
        "import sys\n"
        "import kiosk.ui.theme\n"
        "print(sorted(m for m in sys.modules if m in ('kiosk.services.checkin', 'sync.store')))\n"
    )
    out = run([sys.executable, "-c", code], cwd=ROOT)
    assert out == "exit 0\n[]\n", out
