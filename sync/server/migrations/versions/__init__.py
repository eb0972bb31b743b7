"""One module per schema revision, numbered; each one's `down_revision` names the one before."""
