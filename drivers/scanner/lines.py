"""Split a serial scanner's byte stream into payloads: CR, LF or CR LF end each one."""

from __future__ import annotations


class LineSplitter:
    """Pure: feed bytes as they arrive, get complete lines (terminator removed, empties skipped).

    A line longer than `max_line` is cut at max_line + 1 bytes and the rest of it is dropped up
    to the next terminator, so a scanner spewing garbage cannot grow memory; the verifier then
    rejects the cut line as oversized.
    """

    def __init__(self, max_line: int = 1024):
        self.max_line = max_line
        self._buf = bytearray()
        self._overflow = False

    def feed(self, data: bytes) -> list[bytes]:
        """The lines completed by this chunk."""
        out: list[bytes] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._buf:
                    out.append(bytes(self._buf))
                self._buf.clear()
                self._overflow = False
            elif self._overflow:
                continue
            else:
                self._buf.append(byte)
                if len(self._buf) > self.max_line:
                    out.append(bytes(self._buf))
                    self._buf.clear()
                    self._overflow = True
        return out

    @property
    def pending(self) -> int:
        """Bytes of an unfinished line."""
        return len(self._buf)
