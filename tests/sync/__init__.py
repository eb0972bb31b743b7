"""Sync protocol, platform server and client tests (real server over loopback TLS)."""
