"""The organizer's workspace (`cme-kiosk organizer`): review, resolve, assess, credit, submit."""
