"""A venue relay between the kiosks at a venue and the platform, in two sides.

`upstream`: a relay server enrolled with the platform forwards its kiosks' records, refused
attempts, walk-ins (`walkins`) and reports verbatim through its HTTPS `client`, mirroring the
project and roster it pulls (`mirror`); `links` are its enrollments, `status` what it shows.
`downstream`: the platform's /api/v1/relay routes a relay calls, judging each forwarded item as
its own kiosk's upload. docs/protocol.md, "Venue relay".
"""

from sync.server.relay.links import LinkResult, RelayError, RelayLink
from sync.server.relay.upstream import RelayForwarder

__all__ = ["LinkResult", "RelayError", "RelayForwarder", "RelayLink"]
