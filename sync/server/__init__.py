"""The reference platform server: HTTP API, database, administration (docs/protocol.md)."""
