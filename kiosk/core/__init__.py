"""Pure domain: no Qt, no drivers, no network, no storage (an import-linter contract)."""
