"""QR codes, scanners and the wedge filter."""
