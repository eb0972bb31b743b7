"""Camera-frame QR/barcode decoding: zxing-cpp (default) or pyzbar behind one code path."""
