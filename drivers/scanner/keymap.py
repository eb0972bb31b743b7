"""Linux input key codes (linux/input-event-codes.h) to characters, US layout as scanners send them.

USB HID scanners type as a US keyboard unless programmed otherwise; reading the key codes
ourselves (evdev) makes the result independent of the desktop's layout and input method.
"""

from __future__ import annotations

KEY_ENTER = 28
KEY_KPENTER = 96
KEY_TAB = 15
KEY_LEFTSHIFT = 42
KEY_RIGHTSHIFT = 54
KEY_CAPSLOCK = 58
SHIFT_KEYS = frozenset({KEY_LEFTSHIFT, KEY_RIGHTSHIFT})
# Modifiers that change no character here: Ctrl, Alt, Meta, Num Lock.
IGNORED_KEYS = frozenset({29, 97, 56, 100, 125, 126, 69})

# code: (plain, shifted)
_MAIN: dict[int, tuple[str, str]] = {
    2: ("1", "!"), 3: ("2", "@"), 4: ("3", "#"), 5: ("4", "$"), 6: ("5", "%"),
    7: ("6", "^"), 8: ("7", "&"), 9: ("8", "*"), 10: ("9", "("), 11: ("0", ")"),
    12: ("-", "_"), 13: ("=", "+"), 26: ("[", "{"), 27: ("]", "}"), 39: (";", ":"),
    40: ("'", '"'), 41: ("`", "~"), 43: ("\\", "|"), 51: (",", "<"), 52: (".", ">"),
    53: ("/", "?"), 57: (" ", " "),
}  # fmt: skip
for _code, _letter in zip(range(16, 26), "qwertyuiop", strict=True):
    _MAIN[_code] = (_letter, _letter.upper())
for _code, _letter in zip(range(30, 39), "asdfghjkl", strict=True):
    _MAIN[_code] = (_letter, _letter.upper())
for _code, _letter in zip(range(44, 51), "zxcvbnm", strict=True):
    _MAIN[_code] = (_letter, _letter.upper())
# The keypad types the same with or without Shift (Num Lock on, as scanners assume).
_KEYPAD = {
    71: "7", 72: "8", 73: "9", 74: "-", 75: "4", 76: "5", 77: "6", 78: "+",
    79: "1", 80: "2", 81: "3", 82: "0", 83: ".", 55: "*", 98: "/",
}  # fmt: skip
LETTERS = frozenset(range(16, 26)) | frozenset(range(30, 39)) | frozenset(range(44, 51))


def char_for(code: int, *, shift: bool, caps: bool = False) -> str | None:
    """The character a key types, or None if it types none (Caps Lock affects letters only)."""
    if code in _KEYPAD:
        return _KEYPAD[code]
    pair = _MAIN.get(code)
    if pair is None:
        return None
    upper = shift != (caps and code in LETTERS)
    return pair[1] if upper else pair[0]


def codes_for(text: str) -> list[tuple[int, bool]]:
    """(key code, shift) presses that type `text` on the main block (simulators and tests)."""
    reverse: dict[str, tuple[int, bool]] = {}
    for code, (plain, shifted) in _MAIN.items():
        reverse.setdefault(plain, (code, False))
        reverse.setdefault(shifted, (code, True))
    try:
        return [reverse[ch] for ch in text]
    except KeyError as exc:
        raise ValueError(f"a US keyboard cannot type {exc.args[0]!r}") from None
