"""cme-kiosk: on-site check-in desk for continuing medical education projects."""

__version__ = "0.1.0"
