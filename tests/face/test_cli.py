"""`cme-kiosk face enroll` and `cme-kiosk face identify`: JSON lines, 0600 gallery, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PilImage

from kiosk.cli import main
from tests.support.face_tracks import ENROLL, FACES

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def gallery_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five people enrolled through the real command line, in a child process."""
    out = tmp_path_factory.mktemp("gallery") / "five.npz"
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "face", "enroll", str(ENROLL), "--out", str(out)],
        capture_output=True, text=True, timeout=170, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"enrolled 9 photo(s) of 5 person(s) into {out}"
    return out


def identify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict], str]:  # type: ignore[type-arg]
    code = main(["face", "identify", *args])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_gallery_file_is_private(gallery_file: Path) -> None:
    assert stat.S_IMODE(gallery_file.stat().st_mode) == 0o600


def test_identify_prints_one_json_line_per_face(
    gallery_file: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blank = tmp_path / "blank.png"
    PilImage.fromarray(np.full((240, 320, 3), 128, dtype=np.uint8)).save(blank)
    images = [FACES / "obama-480p.jpg", FACES / "two_people.jpg", blank, FACES / "obama_small.jpg"]
    code, lines, err = identify(capsys, str(gallery_file), *map(str, images))
    assert code == 0 and err == ""
    assert [(d["image"], d["match"]) for d in lines] == [
        (str(images[0]), "obama"),
        (str(images[1]), "obama"),  # left face first
        (str(images[1]), "biden"),
        (str(images[3]), "obama"),
    ]  # the blank image yields no line
    for d in lines:
        assert set(d) == {"image", "box", "match", "distance", "second_distance"}
        left, top, right, bottom = d["box"]
        assert 0 <= left < right and 0 <= top < bottom
        assert d["distance"] < 0.5 and d["second_distance"] > d["distance"] + 0.06
    assert lines[0]["box"] == pytest.approx([390, 60, 505, 174], abs=12)


def test_person_not_in_gallery_is_null(
    gallery_file: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    four = tmp_path / "four"
    shutil.copytree(ENROLL, four)
    shutil.rmtree(four / "biden")
    out = tmp_path / "four.npz"
    assert main(["face", "enroll", str(four), "--out", str(out)]) == 0
    capsys.readouterr()
    code, lines, _ = identify(capsys, str(out), str(ENROLL / "biden" / "biden2.jpg"))
    assert code == 0 and len(lines) == 1
    assert lines[0]["match"] is None and lines[0]["distance"] > 0.5


def test_thresholds_come_from_config_and_flags(
    gallery_file: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    probe = str(FACES / "edge" / "obama3.jpg")  # distance about 0.33
    code, lines, _ = identify(capsys, str(gallery_file), probe, "--threshold", "0.2")
    assert code == 0 and lines[0]["match"] is None
    cfg = tmp_path / "config.toml"
    cfg.write_text("[face]\nthreshold = 0.2\n")
    assert main(["--config", str(cfg), "face", "identify", str(gallery_file), probe]) == 0
    assert json.loads(capsys.readouterr().out)["match"] is None
    cfg.write_text("[face]\nthreshold = 0.45\n")
    assert main(["--config", str(cfg), "face", "identify", str(gallery_file), probe]) == 0
    assert json.loads(capsys.readouterr().out)["match"] == "obama"


def test_bad_inputs_are_one_line_errors(
    gallery_file: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\xff\xd8 not really")
    code, lines, err = identify(capsys, str(gallery_file), str(junk), str(FACES / "biden.jpg"))
    assert code == 1 and [d["match"] for d in lines] == ["biden"]  # the good image still ran
    assert err.count("\n") == 1 and err.startswith(f"cme-kiosk: {junk}:")
    bad_gallery = tmp_path / "g.npz"
    bad_gallery.write_bytes(b"garbage")
    for argv in (
        ["face", "identify", str(bad_gallery), str(FACES / "biden.jpg")],
        ["face", "identify", str(tmp_path / "missing.npz"), str(FACES / "biden.jpg")],
        ["face", "enroll", str(tmp_path / "nodir"), "--out", str(tmp_path / "x.npz")],
        ["face", "identify", str(gallery_file), str(FACES / "biden.jpg"), "--threshold", "7"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code in (1, 2)
        _, err = capsys.readouterr()
        assert err.count("\n") == 1 and err.startswith("cme-kiosk: ") and "Traceback" not in err


def test_enroll_skips_unusable_photos_with_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    people = tmp_path / "people"
    (people / "obama").mkdir(parents=True)
    (people / "nobody").mkdir()
    shutil.copy(ENROLL / "obama" / "obama.jpg", people / "obama")
    (people / "obama" / "notes.txt").write_text("not a photo")
    PilImage.fromarray(np.full((100, 100, 3), 50, dtype=np.uint8)).save(people / "nobody" / "a.png")
    out = tmp_path / "g.npz"
    assert main(["face", "enroll", str(people), "--out", str(out)]) == 0
    stdout, err = capsys.readouterr()
    assert stdout.strip() == f"enrolled 1 photo(s) of 1 person(s) into {out}"
    assert "notes.txt: not a readable image" in err and "a.png: no face found; skipped" in err
    empty = tmp_path / "empty"
    (empty / "nobody").mkdir(parents=True)
    with pytest.raises(SystemExit):
        main(["face", "enroll", str(empty), "--out", str(tmp_path / "e.npz")])
    assert "no usable face" in capsys.readouterr().err
