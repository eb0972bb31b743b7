"""Exact arithmetic for hours and credits: fractions inside, decimals out, explicit rounding."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Literal

RoundingMode = Literal["down", "half_up"]


def quantize(value: Fraction, step: Decimal, mode: RoundingMode) -> Decimal:
    """`value` rounded to a multiple of `step` (down, or half up), as an exact Decimal."""
    units = value / Fraction(step)
    whole = math.floor(units) if mode == "down" else math.floor(units + Fraction(1, 2))
    exponent = step.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return (Decimal(whole) * step).quantize(Decimal(1).scaleb(-places))


def minutes_to_hours(minutes: int) -> Fraction:
    """Whole minutes as exact hours."""
    return Fraction(minutes, 60)


def show(value: Decimal | Fraction | int, *, places: int = 1) -> str:
    """A figure for people: at least `places` decimals, trailing zeros beyond them dropped."""
    return _show(value, places)


@lru_cache(maxsize=8192)
def _show(value: Decimal | Fraction | int, places: int) -> str:
    # Explanations show the same few figures for thousands of attendees: computed once each.
    number = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if isinstance(value, Fraction)
        else Decimal(value)
    )
    text = f"{number.normalize():f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return f"{whole}.{frac.ljust(places, '0')}" if places or frac else whole


def show_exact(value: Fraction) -> str:
    """A quotient for an explanation: exact when it terminates within 4 places, else with '…'."""
    scaled = value * 10_000
    if scaled.denominator == 1:
        return show(value)
    return f"{show(Fraction(math.floor(scaled), 10_000))}…"


def as_json_number(value: Decimal) -> float:
    """A Decimal for JSON: the float whose shortest repr has the same digits (2.1, not 2.10…1)."""
    return float(value)
