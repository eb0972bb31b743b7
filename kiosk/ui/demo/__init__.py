"""The demo's Qt parts (`cme-kiosk demo` with a display): the window's caption and control panel."""
