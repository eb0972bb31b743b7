"""PySide6 screens and the Qt bridge: thin; the engine lives elsewhere."""
