"""The wedge burst state machine: scanner timing, human timing, terminators, prefix/suffix."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.scanner.burst import BurstConfig, BurstDecoder, Scan, Step


@dataclass(frozen=True)
class Key:
    """A recorded key: what it types (or "\\n" Enter, "\\t" Tab, "?" another key) and when."""

    ch: str
    at: float


def run(decoder: BurstDecoder[Key], keys: list[Key], *, until: float | None = None) -> list[object]:
    """Feed keys like the Qt filter does; return scans (str) and what reached the field (Key)."""
    out: list[object] = []

    def apply(step: Step[Key], key: Key | None) -> None:
        for action in step.actions:
            if isinstance(action, Scan):
                out.append(action.text)
            else:
                out.extend(action.tokens)
        if key is not None and not step.swallow:
            out.append(key)

    for k in keys:
        deadline = decoder.deadline()
        if deadline is not None and deadline <= k.at:
            apply(decoder.tick(deadline), None)  # the timer fires before the next key
        if k.ch == "\n":
            apply(decoder.terminator("enter", k, k.at), k)
        elif k.ch == "\t":
            apply(decoder.terminator("tab", k, k.at), k)
        elif k.ch == "?":
            apply(decoder.other(k.at), k)
        else:
            apply(decoder.char(k.ch, k, k.at), k)
    end = until if until is not None else (keys[-1].at if keys else 0) + 10_000
    deadline = decoder.deadline()
    if deadline is not None and deadline <= end:
        apply(decoder.tick(deadline), None)
    return out


def typed(text: str, *, start: float = 0.0, gap: float) -> list[Key]:
    return [Key(ch, start + i * gap) for i, ch in enumerate(text)]


def field(out: list[object]) -> str:
    """What a text field would show: replayed and passed keys, in order."""
    return "".join(k.ch for k in out if isinstance(k, Key))


def test_scanner_burst_with_enter_is_one_scan_and_types_nothing() -> None:
    out = run(BurstDecoder(), typed("CME-NUM1:A17\n", gap=4))
    assert out == ["CME-NUM1:A17"]


def test_human_typing_reaches_the_field_in_order() -> None:
    out = run(BurstDecoder(), typed("hello world\n", gap=150))
    assert field(out) == "hello world\n" and not [o for o in out if isinstance(o, str)]


def test_fast_but_short_burst_is_typing() -> None:
    out = run(BurstDecoder(), typed("ok\n", gap=5))  # below min_length
    assert field(out) == "ok\n"


def test_burst_without_terminator_is_typing_unless_configured() -> None:
    assert field(run(BurstDecoder(), typed("CME-NUM1:A17", gap=3))) == "CME-NUM1:A17"
    cfg = BurstConfig(terminator="none")
    assert run(BurstDecoder(cfg), typed("CME-NUM1:A17", gap=3)) == ["CME-NUM1:A17"]


def test_tab_terminator() -> None:
    cfg = BurstConfig(terminator="tab")
    assert run(BurstDecoder(cfg), typed("CME-NUM1:A17\t", gap=3)) == ["CME-NUM1:A17"]
    # Enter does not end a scan on a Tab-configured scanner: it is typing.
    assert field(run(BurstDecoder(cfg), typed("CME-NUM1:A17\n", gap=3))) == "CME-NUM1:A17\n"


def test_prefix_and_suffix_are_required_and_stripped() -> None:
    cfg = BurstConfig(prefix="]Q1", suffix="#")
    assert run(BurstDecoder(cfg), typed("]Q1CME-NUM1:A17#\n", gap=3)) == ["CME-NUM1:A17"]
    # A fast burst without the scanner's prefix is not from the scanner.
    assert field(run(BurstDecoder(cfg), typed("CME-NUM1:A17#\n", gap=3))) == "CME-NUM1:A17#\n"


def test_a_pause_in_the_middle_splits_the_burst_into_typing() -> None:
    keys = typed("CME-NUM1", gap=3) + typed(":A17\n", start=200, gap=3)
    assert field(run(BurstDecoder(), keys)) == "CME-NUM1:A17\n"


def test_other_key_flushes_held_keys_before_itself() -> None:
    keys = [Key("a", 0), Key("b", 3), Key("?", 6), Key("c", 300)]
    out = run(BurstDecoder(), keys)
    assert [k.ch for k in out if isinstance(k, Key)] == ["a", "b", "?", "c"]


def test_human_then_scanner_then_human() -> None:
    keys = typed("ab", gap=200) + typed("CME-NUM1:A17\n", start=700, gap=2)
    keys += typed("cd", start=1200, gap=200)
    out = run(BurstDecoder(), keys)
    assert field(out) == "abcd" and "CME-NUM1:A17" in out


def test_runaway_burst_ends_at_max_length() -> None:
    cfg = BurstConfig(max_length=64)
    out = run(BurstDecoder(cfg), typed("X" * 100 + "\n", gap=1))
    # Cut into scans the verifier rejects; nothing of it reaches a field.
    assert out == ["X" * 64, "X" * 36]


def test_invalid_configuration() -> None:
    with pytest.raises(ValueError):
        BurstConfig(max_interkey_ms=0)
    with pytest.raises(ValueError):
        BurstConfig(min_length=10, max_length=5)


keys_strategy = st.lists(
    st.tuples(
        st.sampled_from([*list("AB1:-"), "\n", "\t", "?"]),
        st.floats(min_value=0, max_value=120, allow_nan=False),
    ),
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(
    keys_strategy,
    st.sampled_from(["enter", "tab", "none"]),
    st.sampled_from(["", "A"]),
    st.sampled_from(["", "-"]),
)
def test_every_key_comes_out_exactly_once(
    raw: list[tuple[str, float]], terminator: str, prefix: str, suffix: str
) -> None:
    """No key is lost or doubled: each is in one scan or delivered once, in order."""
    cfg = BurstConfig(terminator=terminator, prefix=prefix, suffix=suffix, min_length=2)  # type: ignore[arg-type]
    t = 0.0
    keys = []
    for ch, gap in raw:
        t += gap
        keys.append(Key(ch, t))
    out = run(BurstDecoder(cfg), keys)
    delivered = [k for k in out if isinstance(k, Key)]
    scans = [s for s in out if isinstance(s, str)]
    assert len(delivered) == len(set(map(id, delivered)))
    printable = [k for k in keys if k.ch not in "\n\t?"]
    scanned_chars = sum(len(s) + len(prefix) + len(suffix) for s in scans)
    assert len([k for k in delivered if k.ch not in "\n\t?"]) + scanned_chars == len(printable)
    # Delivered keys keep their original order.
    order = {id(k): i for i, k in enumerate(keys)}
    assert [order[id(k)] for k in delivered] == sorted(order[id(k)] for k in delivered)
    # Enter/Tab/other keys are delivered unless a scan consumed its terminator.
    controls = [k for k in keys if k.ch in "\n\t?"]
    consumed = len(controls) - len([k for k in delivered if k.ch in "\n\t?"])
    assert 0 <= consumed <= len(scans)
