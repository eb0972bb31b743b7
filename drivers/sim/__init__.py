"""Simulated devices that speak the real protocols over real transports (pty, vpcd socket)."""
