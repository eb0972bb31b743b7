"""`cme-kiosk server …`: run the reference platform and administer it on the server machine.

One command group; its subcommands live in the underscore modules beside this one (command
discovery skips those): `_server_run` (run), `_server_admin` (projects, rosters, codes, devices,
status, keys), `_server_relay` (venue relay), `_server_pin` (desk PINs), `_server_staff` (named
staff), sharing `_server_common`.
"""

from __future__ import annotations

import argparse

from kiosk.commands._server_admin import register_admin
from kiosk.commands._server_common import add_db_option
from kiosk.commands._server_pin import register_pin
from kiosk.commands._server_relay import register_relay
from kiosk.commands._server_run import register_run
from kiosk.commands._server_staff import register_staff


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the server command group."""
    common = argparse.ArgumentParser(add_help=False)
    add_db_option(common)
    server = sub.add_parser("server", help="the reference platform server and its administration")
    ssub = server.add_subparsers(dest="server_command", metavar="SUBCOMMAND", required=True)
    register_run(ssub, common)
    register_admin(ssub, common)
    register_relay(ssub, common)
    register_pin(ssub, common)
    register_staff(ssub, common)
