"""Pure domain: no Qt, no drivers, no network, no storage (enforced by an import-linter contract)."""
