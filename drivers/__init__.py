"""Device drivers: one Protocol per device kind, one module per transport, pure frame parsers."""
