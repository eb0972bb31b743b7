"""The platform's HTTP routes by caller: `desks` (every device) and `organizers`.

The relay's routes are sync.server.relay.downstream; every router takes what it needs from
sync.server.deps.
"""
