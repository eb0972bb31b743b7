"""Services that join the pure core to the store and devices (no Qt here either)."""
