"""Local store, durable outbox, sync client, wire protocol and the reference platform server."""
