"""`cme-kiosk idcard decode HEX`: a captured SAM read response as one JSON object (field tool)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the idcard command group."""
    p = sub.add_parser("idcard", help="ID-card reader tools")
    group = p.add_subparsers(dest="idcard_command", metavar="SUBCOMMAND", required=True)
    d = group.add_parser(
        "decode",
        help="print the fields of a captured read response frame as JSON (ID numbers unmasked)",
    )
    d.add_argument(
        "hex",
        nargs="+",
        metavar="HEX",
        help="the frame in hex, from AA AA AA 96 69 to the checksum (spaces allowed); - for stdin",
    )
    d.set_defaults(handler=decode)


def decode(args: argparse.Namespace) -> int:
    """Decode one frame; a bad frame is one line on stderr and exit status 1."""
    import json
    import sys

    from drivers.idcard.decode import DecodeError, decode_frame, parse_hex
    from kiosk.commands._common import fail

    text = sys.stdin.read() if args.hex == ["-"] else " ".join(args.hex)
    try:
        fields = decode_frame(parse_hex(text))
    except DecodeError as exc:
        fail(str(exc))
        return 1
    print(json.dumps(fields, ensure_ascii=False))
    return 0
