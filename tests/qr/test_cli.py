"""`cme-kiosk qr make` and `qr decode`: standalone keys, the reference server's keys, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from kiosk.cli import main as cli
from kiosk.commands.qr import write_png
from sync.server.admin import ServerAdmin
from tests.support.qr import PlatformKeys, bgr, camera_frame
from tests.support.roster import DAY1, at, make_project, make_roster

ROOT = Path(__file__).resolve().parents[2]
NUMBER = "2026-15-01-001"
FIELDS = ["text", "format", "box", "verdict", "reason"]


@pytest.fixture
def keys(tmp_path: Path) -> tuple[PlatformKeys, Path, Path]:
    k = PlatformKeys()
    private = tmp_path / "ticket.pem"
    private.write_bytes(k.private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    public = tmp_path / "ticket.pub.pem"
    public.write_bytes(
        k.private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    return k, private, public


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    try:
        code = cli(["qr", *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def decoded(lines: list[str]) -> list[dict[str, object]]:
    rows = [json.loads(line) for line in lines]
    for row in rows:
        assert list(row) == FIELDS
    return rows


def test_ticket_made_with_a_key_file_then_decoded_with_and_without_the_key(
    tmp_path: Path, keys: tuple[PlatformKeys, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    k, private, public = keys
    png = tmp_path / "ticket.png"
    code, out, _ = run(
        capsys, "make", "--project", NUMBER, "--attendee", "A17", "--key-file", str(private),
        "--valid-from", "2026-05-20T00:00", "--valid-to", "2026-05-22T00:00", "--out", str(png),
    )  # fmt: skip
    assert code == 0 and png.exists() and f"key {k.key_id}" in out[0] and "QR version" in out[0]

    code, out, _ = run(capsys, "decode", str(png), "--at", "2026-05-20T08:00")
    [row] = decoded(out)
    assert code == 0
    assert (row["verdict"], row["reason"], row["format"]) == (
        "ticket",
        "unverified_no_key",
        "QRCode",
    )
    assert str(row["text"]).startswith("CME-TKT1:") and len(row["box"]) == 4  # type: ignore[arg-type]

    verify = ["decode", str(png), "--public-key", str(public), "--at", "2026-05-20T08:00"]
    assert decoded(run(capsys, *verify, "--project", NUMBER)[1])[0]["reason"] == "ok"
    assert decoded(run(capsys, *verify, "--project", "other")[1])[0]["reason"] == "other_project"
    late = ["decode", str(png), "--public-key", str(public), "--at", "2026-06-01T00:00"]
    assert decoded(run(capsys, *late)[1])[0]["reason"] == "expired"
    other_key = PlatformKeys("other")
    wrong = tmp_path / "wrong.pem"
    wrong.write_bytes(
        other_key.private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    wrong_kid = ["decode", str(png), "--public-key", str(wrong), "--key-id", k.key_id]
    assert decoded(run(capsys, *wrong_kid, "--at", "2026-05-20T08:00")[1])[0]["reason"] == (
        "bad_signature"
    )


def test_rotating_code_standalone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "phone.png"
    secret = "ab" * 32
    code, _, _ = run(
        capsys, "make", "--project", NUMBER, "--attendee", "A3", "--rotating",
        "--secret-hex", secret, "--at", "2026-05-20T08:00:10", "--out", str(png),
    )  # fmt: skip
    assert code == 0
    base = ["decode", str(png), "--project", NUMBER, "--secret-hex", secret]
    for when, reason in [
        ("2026-05-20T08:00:15", "ok"),
        ("2026-05-20T08:00:40", "ok"),
        ("2026-05-20T08:01:30", "expired"),
    ]:
        [row] = decoded(run(capsys, *base, "--at", when)[1])
        assert (row["verdict"], row["reason"]) == (
            ("rotating", reason) if reason == "ok" else ("rejected", reason)
        )
    forged = ["decode", str(png), "--secret-hex", "cd" * 32, "--at", "2026-05-20T08:00:15"]
    assert decoded(run(capsys, *forged)[1])[0]["reason"] == "bad_mac"


@pytest.mark.parametrize("backend", ["zxing", "zbar"])
def test_several_codes_and_no_codes(
    tmp_path: Path, backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    k = PlatformKeys()
    payloads = ["CME-NUM1:A1", k.ticket(NUMBER, "A2", start=at(DAY1, 0)), "hello world"]
    image = tmp_path / "sheet.jpg"
    cv2.imwrite(str(image), bgr(camera_frame(payloads, size=240)))
    code, out, _ = run(
        capsys, "decode", str(image), "--backend", backend, "--at", "2026-05-20T09:00"
    )
    rows = decoded(out)
    assert code == 0
    assert [r["text"] for r in rows] == payloads
    assert [(r["verdict"], r["reason"]) for r in rows] == [
        ("roster_code", "unverified_no_roster"),
        ("ticket", "unverified_no_key"),
        ("rejected", "unknown_prefix"),
    ]
    empty = tmp_path / "empty.png"
    cv2.imwrite(str(empty), camera_frame([]))
    assert run(capsys, "decode", str(empty), "--backend", backend)[:2] == (0, [])


# A ticket (signed by a since-forgotten key) whose QR code zxing-cpp also reads as an "ITF" 1D
# barcode (the digits "3865") when it looks for every symbology: found by rendering 1,500 tickets.
ITF_LOOKALIKE = (
    "CME-TKT1:BYZDAMRWFUYTKLJQGEWTAMBRAJATCCBUGBRWKMJXGJTGUDHZQBVBB3QA6ZWCQSM3YGNOUZEDG6TBB42DHC"
    "DUHCHLINZVV7MRHR624KVNDUJ5EB4V5FIW3WT26HWA467FTKZPNBPISGJBZWDHRUXLPSIOFC33MCQ"
)


@pytest.mark.parametrize("backend", ["zxing", "zbar"])
def test_decode_reads_the_symbologies_the_desk_reads_and_no_phantom_barcode(
    tmp_path: Path, backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "ticket.png"
    write_png(ITF_LOOKALIKE, png)
    code, out, _ = run(capsys, "decode", str(png), "--backend", backend)
    rows = decoded(out)
    assert code == 0 and [(r["text"], r["format"]) for r in rows] == [(ITF_LOOKALIKE, "QRCode")]


def test_unreadable_files_exit_non_zero_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "photo.png"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    truncated = tmp_path / "cut.jpg"
    cv2.imwrite(str(truncated), camera_frame(["CME-NUM1:A1"]))
    truncated.write_bytes(truncated.read_bytes()[:200])
    for path in (garbage, truncated, tmp_path / "missing.png", tmp_path):
        code, out, err = run(capsys, "decode", str(path))
        assert code == 1 and out == [] and err.startswith("cme-kiosk: cannot read"), path
        assert len(err.strip().splitlines()) == 1


def test_bad_arguments_are_one_line_errors(
    tmp_path: Path, keys: tuple[PlatformKeys, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "x.png")
    cases = [
        (["make", "--project", "P", "--attendee", "A1", "--rotating", "--secret-hex", "zz"], "hex"),
        (["make", "--project", "P", "--attendee", "A1", "--rotating", "--secret-hex", "00"], "16"),
        (["make", "--project", "P", "--attendee", "A\x1b1", "--key-file", str(keys[1])], "control"),
        (["make", "--project", "P", "--attendee", "A1", "--key-file", str(tmp_path)], "key file"),
        (["make", "--project", "P", "--attendee", "A1", "--key-file", str(keys[2])], "private"),
        (
            [
                "make",
                "--project",
                "P",
                "--attendee",
                "A1",
                "--rotating",
                "--secret-hex",
                "ab" * 16,
                "--at",
                "yesterday",
            ],
            "ISO",
        ),
        (["make", "--project", "P", "--attendee", "A 1", "--badge"], "roster code"),
    ]
    for args, needle in cases:
        code, _, err = run(capsys, *args, "--out", out)
        assert code != 0 and err.startswith("cme-kiosk:") and len(err.strip().splitlines()) == 1
        assert needle in err, err


def test_decode_of_a_bad_file_has_no_traceback_in_a_real_process(tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_text("not an image")
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "qr", "decode", str(bad)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and proc.stdout == ""


# ---- with the reference server's keys -----------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    admin = ServerAdmin(url)
    admin.create_project(make_project())
    csv = tmp_path / "roster.csv"
    lines = ["id_type,id_number,name,unit,department,title,role,card_uid"]
    for a in make_roster(3):
        lines.append(f"resident_id,{a.document.number},{a.name},{a.unit},,护理,participant,")
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    admin.import_roster(NUMBER, csv)
    admin.close()
    return url


def test_server_signed_ticket_and_rotating_code(
    tmp_path: Path, server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    id_number = make_roster(3)[1].document.number
    ticket = tmp_path / "ticket.png"
    code, out, _ = run(
        capsys, "make", "--server-db", server, "--project", NUMBER, "--attendee", id_number,
        "--out", str(ticket),
    )  # fmt: skip
    admin = ServerAdmin(server)
    key_id, _ = admin.ticket_signing_key(NUMBER)
    ref = admin.attendee_ref(NUMBER, id_number)
    admin.close()
    assert code == 0 and f"ticket for {ref} (key {key_id})" in out[0]
    # Valid on the project's days (Shanghai), not before.
    at_desk = ["decode", str(ticket), "--server-db", server, "--project", NUMBER]
    [row] = decoded(run(capsys, *at_desk, "--at", "2026-05-20T08:00")[1])
    assert (row["verdict"], row["reason"]) == ("ticket", "ok")
    [row] = decoded(run(capsys, *at_desk, "--at", "2026-05-19T23:59")[1])
    assert row["reason"] == "not_yet_valid"

    phone = tmp_path / "phone.png"
    code, _, _ = run(
        capsys, "make", "--server-db", server, "--project", NUMBER, "--attendee", ref,
        "--rotating", "--at", "2026-05-20T08:00:00", "--out", str(phone),
    )  # fmt: skip
    assert code == 0
    [row] = decoded(run(capsys, "decode", str(phone), "--server-db", server, "--project", NUMBER,
                        "--at", "2026-05-20T08:00:20")[1])  # fmt: skip
    assert (row["verdict"], row["reason"]) == ("rotating", "ok")


def test_key_rotation_on_the_server_keeps_old_tickets_valid(
    tmp_path: Path, server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.png"
    assert run(capsys, "make", "--server-db", server, "--project", NUMBER, "--attendee", "A1",
               "--out", str(old))[0] == 0  # fmt: skip
    admin = ServerAdmin(server)
    admin.rotate_ticket_key(NUMBER)
    admin.close()
    new = tmp_path / "new.png"
    assert run(capsys, "make", "--server-db", server, "--project", NUMBER, "--attendee", "A1",
               "--out", str(new))[0] == 0  # fmt: skip
    for png in (old, new):
        [row] = decoded(run(capsys, "decode", str(png), "--server-db", server, "--project",
                            NUMBER, "--at", "2026-05-21T09:00")[1])  # fmt: skip
        assert row["reason"] == "ok"
    admin = ServerAdmin(server)
    admin.rotate_ticket_key(NUMBER, retire_old=True)
    admin.close()
    [row] = decoded(run(capsys, "decode", str(old), "--server-db", server, "--project", NUMBER,
                        "--at", "2026-05-21T09:00")[1])  # fmt: skip
    assert row["reason"] == "unknown_key_id"


def test_server_errors_are_one_line(
    tmp_path: Path, server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "x.png")
    for args in (
        ["make", "--server-db", server, "--project", "nope", "--attendee", "A1", "--out", out],
        ["make", "--server-db", server, "--project", NUMBER, "--attendee", "A404", "--out", out],
        ["make", "--server-db", server, "--project", NUMBER, "--attendee", "A404", "--rotating",
         "--out", out],
    ):  # fmt: skip
        code, _, err = run(capsys, *args)
        assert code == 1 and len(err.strip().splitlines()) == 1
        assert ("nope" if "nope" in args else "A404") in err, err


def test_default_server_database_is_used_but_never_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CME_KIOSK_SERVER_DIR", str(tmp_path / "server"))
    out = str(tmp_path / "t.png")
    code, _, err = run(capsys, "make", "--project", NUMBER, "--attendee", "A1", "--out", out)
    assert code == 1 and "no reference server database" in err
    assert not (tmp_path / "server").exists()
    (tmp_path / "server").mkdir()
    admin = ServerAdmin()  # the server's own default database, as `server project create` makes
    admin.create_project(make_project())
    admin.close()
    code, lines, _ = run(capsys, "make", "--project", NUMBER, "--attendee", "A1", "--badge",
                         "--out", out)  # fmt: skip
    assert code == 0 and "badge code" in lines[0]
    code, _, err = run(capsys, "make", "--project", NUMBER, "--attendee", "A1", "--out", out)
    assert code == 1 and "A1" in err  # the project has no roster yet: a clear refusal
