"""Barcode/QR scanners: keyboard wedge (Qt filter or evdev grab) and serial/USB-CDC lines."""
