"""Numbered SQL migrations of the kiosk store (NNNN_name.sql, applied in order)."""
