"""Captured read-response frames → the fields `cme-kiosk idcard decode` prints (pure)."""

from __future__ import annotations

import base64
import re
from typing import Any

from drivers.idcard.frames import STATUS_OK, FrameError, parse_response, split_read_data
from drivers.idcard.status import IdCardError, describe_status
from drivers.idcard.text import CardType, IdCardText, parse_text

# The keys each card type has, in print order (a field the type lacks is left out).
KEYS: dict[CardType, tuple[str, ...]] = {
    CardType.RESIDENT: (
        "name", "sex", "sex_text", "nation", "nation_text", "birth", "address", "id_number",
        "authority", "valid_from", "valid_to",
    ),
    CardType.HK_MACAU_TAIWAN: (
        "name", "sex", "sex_text", "birth", "address", "id_number", "authority", "valid_from",
        "valid_to", "permit_number", "issue_count",
    ),
    CardType.FOREIGNER_2017: (
        "name", "english_name", "sex", "sex_text", "id_number", "nationality", "birth",
        "authority", "valid_from", "valid_to",
    ),
    CardType.FOREIGNER_2023: (
        "name", "english_name", "sex", "sex_text", "issue_count", "birth", "id_number",
        "authority", "valid_from", "valid_to", "nationality",
    ),
}  # fmt: skip


class DecodeError(ValueError):
    """A frame the tool cannot decode; the message names the problem in one line."""


def parse_hex(text: str) -> bytes:
    """Hex as engineers paste it: spaces, colons, newlines and a 0x prefix are ignored."""
    cleaned = re.sub(r"[\s:,-]|0x", "", text.strip(), flags=re.IGNORECASE)
    if not cleaned:
        raise DecodeError("no hex digits given")
    bad = re.search(r"[^0-9a-fA-F]", cleaned)
    if bad:
        raise DecodeError(f"not hex: {bad.group()!r} at position {bad.start()}")
    if len(cleaned) % 2:
        raise DecodeError(f"odd number of hex digits ({len(cleaned)}): a byte is cut in half")
    return bytes.fromhex(cleaned)


def card_fields(card: IdCardText, photo: bytes) -> dict[str, Any]:
    """The JSON object for one card: card_type, the type's fields, photo_wlt_base64."""
    out: dict[str, Any] = {"card_type": card.card_type.value}
    for key in KEYS[card.card_type]:
        out[key] = getattr(card, key)
    out["photo_wlt_base64"] = base64.b64encode(photo).decode("ascii")
    return out


def decode_frame(frame: bytes) -> dict[str, Any]:
    """A captured read response (1295 or 2321 bytes) → fields; DecodeError naming the problem."""
    try:
        response = parse_response(frame)
    except FrameError as exc:
        raise DecodeError(f"invalid frame: {exc.detail}") from None
    if response.status != STATUS_OK:
        raise DecodeError(
            f"reader status 0x{response.status:02X} ({describe_status(response.status)}):"
            " not a successful read response"
        )
    try:
        blocks = split_read_data(response.data)
        card = parse_text(blocks.text)
    except FrameError as exc:
        raise DecodeError(f"not a read response: {exc.detail}") from None
    except IdCardError as exc:
        raise DecodeError(f"card text: {exc.detail}") from None
    return card_fields(card, blocks.photo)
