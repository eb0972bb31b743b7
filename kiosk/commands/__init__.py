"""Subcommands of `cme-kiosk`: each module defines `register(subparsers)` and sets `handler`.

Modules here must keep heavy imports (Qt, OpenCV, dlib, the server) inside their handlers, so that
`cme-kiosk --help` and unrelated commands start fast and work when an optional library is missing.
"""
