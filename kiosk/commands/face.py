"""`cme-kiosk face enroll DIR --out GALLERY`, `face identify GALLERY IMAGE...`, `face withdraw`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.commands._common import config_from_args, fail

if TYPE_CHECKING:
    from drivers.face.engine import FaceEngine
    from drivers.face.settings import FaceSettings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the face command group."""
    p = sub.add_parser("face", help="face tools: enroll, identify, withdraw a template")
    group = p.add_subparsers(dest="face_command", metavar="ACTION", required=True)
    e = group.add_parser("enroll", help="build a gallery from DIR/<person>/<photos>")
    e.add_argument("dir", type=Path, help="one folder per person, named after the person")
    e.add_argument("--out", type=Path, required=True, help="gallery file to write (.npz, 0600)")
    e.add_argument("--project", default="", help="project number the templates belong to")
    e.set_defaults(handler=run_enroll)
    i = group.add_parser("identify", help="print one JSON line per face found in each image")
    i.add_argument("gallery", type=Path)
    i.add_argument("images", type=Path, nargs="+")
    i.add_argument("--threshold", type=float, help="override [face] threshold")
    i.add_argument("--margin", type=float, help="override [face] margin")
    i.set_defaults(handler=run_identify)
    w = group.add_parser(
        "withdraw", help="consent withdrawn: delete one attendee's face template for a project"
    )
    w.add_argument("--project", required=True, help="project number (项目编号)")
    w.add_argument("--attendee", required=True, help="the attendee's roster id")
    w.set_defaults(handler=run_withdraw)


def _settings(args: argparse.Namespace) -> FaceSettings:
    from dataclasses import replace

    from drivers.face.settings import FaceSettings

    settings = FaceSettings.from_config(config_from_args(args).face)
    if getattr(args, "threshold", None) is not None:
        if not 0 < args.threshold < 1.5:
            fail("--threshold must be between 0 and 1.5", code=2)
        settings = replace(settings, threshold=args.threshold)
    if getattr(args, "margin", None) is not None:
        if not 0 <= args.margin < 1:
            fail("--margin must be between 0 and 1", code=2)
        settings = replace(settings, margin=args.margin)
    return settings


def _engine(settings: FaceSettings) -> FaceEngine:
    import logging

    from drivers.face.availability import load_engine

    # The command prints its own one-line error; the drivers' log lines would repeat it.
    logging.getLogger("drivers").addHandler(logging.NullHandler())

    engine, status = load_engine(settings)
    if engine is None:
        fail(f"face check-in disabled: {status.detail}")
        raise AssertionError("unreachable")
    return engine


def _warn(message: str) -> None:
    print(f"cme-kiosk: {message}", file=sys.stderr)


def run_enroll(args: argparse.Namespace) -> int:
    """Encode the largest face of every photo; write the gallery; warn about unusable photos."""
    from drivers.face.engine import BadImage, load_rgb
    from drivers.face.gallery import Gallery

    root: Path = args.dir
    if not root.is_dir():
        fail(f"{root}: not a directory")
    people = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if not people:
        fail(f"{root}: no person folders inside")
    engine = _engine(_settings(args))
    gallery = Gallery()
    photos = 0
    for person in people:
        for path in sorted(f for f in person.iterdir() if f.is_file()):
            try:
                rgb = load_rgb(path)
            except BadImage as exc:
                _warn(f"{path}: {exc}; skipped")
                continue
            faces = engine.photo_faces(rgb)
            if not faces:
                _warn(f"{path}: no face found; skipped")
                continue
            if len(faces) > 1:
                _warn(f"{path}: {len(faces)} faces; the largest is enrolled")
            gallery.add(person.name, faces[0].encoding, project=args.project)
            photos += 1
    if not photos:
        fail(f"{root}: no usable face in any photo")
    try:
        gallery.save(args.out)
    except OSError as exc:
        fail(f"{args.out}: cannot write: {exc.strerror or exc}")
    enrolled = len(gallery.people())
    print(f"enrolled {photos} photo(s) of {enrolled} person(s) into {args.out}")
    return 0


def run_identify(args: argparse.Namespace) -> int:
    """One JSON line per face: image, box, match, distance, second_distance."""
    from drivers.face.engine import BadImage, load_rgb
    from drivers.face.gallery import Gallery, GalleryError

    settings = _settings(args)
    try:
        gallery = Gallery.load(args.gallery)
    except GalleryError as exc:
        fail(str(exc))
        raise AssertionError("unreachable") from None
    engine = _engine(settings)
    status = 0
    for path in args.images:
        try:
            rgb = load_rgb(path)
        except (BadImage, OSError) as exc:
            _warn(f"{path}: {exc}")
            status = 1
            continue
        faces = sorted(engine.photo_faces(rgb), key=lambda f: (f.box.left, f.box.top))
        for face in faces:
            m = gallery.identify(
                face.encoding, threshold=settings.threshold, margin=settings.margin
            )
            line = {
                "image": str(path),
                "box": face.box.as_list(),
                "match": m.person,
                "distance": None if m.distance is None else round(m.distance, 4),
                "second_distance": None
                if m.second_distance is None
                else round(m.second_distance, 4),
            }
            print(json.dumps(line, ensure_ascii=False), flush=True)
    return status


def run_withdraw(args: argparse.Namespace) -> int:
    """Delete the template, tell a running desk (store meta), and keep an audit line."""
    import getpass
    import logging

    from kiosk.core.timeutil import utc_now
    from kiosk.logging_setup import setup_logging
    from kiosk.runtime.face.templates import bump_revision
    from sync.store import Store

    config = config_from_args(args)
    db = config.data_dir / "kiosk.sqlite3"
    if not db.exists():
        fail(f"no kiosk database at {db}")
    store = Store.open(db, use_keyring=config.privacy.key_store == "keyring")
    try:
        if args.project not in store.roster.project_numbers():
            fail(f"no project {args.project} in {db}")
        had = store.records.delete_face_template(args.project, args.attendee)
        # A running desk polls this key and drops the template from its gallery.
        bump_revision(store, args.project)
    finally:
        store.close()
    setup_logging(config.data_dir, level=config.kiosk.log_level)
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers): the audit still names the time
        who = "unknown"
    logging.getLogger("kiosk.audit").info(
        "face template withdrawn: project=%s attendee=%s held=%s by=%s at=%s",
        args.project, args.attendee, "yes" if had else "no", who, utc_now().isoformat(),
    )  # fmt: skip
    if had:
        print(f"withdrawn: face template of attendee {args.attendee} in {args.project} deleted")
    else:
        print(f"withdrawn: no face template was held for {args.attendee} in {args.project}")
    return 0
