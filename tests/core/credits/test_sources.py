"""Every quote in a built-in profile is in its regulation's text, inside the article it names."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from kiosk.core.rules import BUILTIN_DIR, Profile, load_profile_file

ROOT = Path(__file__).resolve().parents[3]
TEXTS = ROOT / "docs" / "regulations"
PROFILES = [load_profile_file(p) for p in sorted(BUILTIN_DIR.glob("*.toml"))]
NUMERAL = "[一二三四五六七八九十]+"
ARTICLE = re.compile(f"第{NUMERAL}条")  # Inner Mongolia: 第十条
ITEM = re.compile(f"（{NUMERAL}）")  # 第十条（一）, and Chongqing's （十六）


def normalised(text: str) -> str:
    """Whitespace and line breaks removed; ASCII parentheses as the full-width ones."""
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


def _spans(pattern: re.Pattern[str], text: str, start: int, end: int) -> dict[str, list[range]]:
    """Each heading matched in text[start:end] and the range it governs (to the next heading)."""
    found = list(pattern.finditer(text, start, end))
    out: dict[str, list[range]] = {}
    for i, m in enumerate(found):
        stop = found[i + 1].start() if i + 1 < len(found) else end
        out.setdefault(m.group(), []).append(range(m.start(), stop))
    return out


def article_ranges(source: str, text: str) -> list[range]:
    """Where the article a `source` such as "第十条（一）" or "（十六）" stands in the text."""
    label = normalised(source)
    head = ARTICLE.match(label)
    if head is not None:
        ranges = _spans(ARTICLE, text, 0, len(text)).get(head.group(), [])
        rest = label[head.end() :]
    else:
        ranges, rest = [range(0, len(text))], label
    if rest:
        item = ITEM.fullmatch(rest)
        assert item is not None, f"cannot read the article label {source!r}"
        ranges = [
            r for outer in ranges for r in _spans(ITEM, text, outer.start, outer.stop).get(rest, [])
        ]
    return ranges


def _cited(profile: Profile) -> list[tuple[str, str, str]]:
    return [(path, n.source, n.quote) for path, n in profile.figures() if n.kind == "cited"]


CITED = [
    pytest.param(profile, path, source, quote, id=f"{profile.name}.{path}")
    for profile in PROFILES
    for path, source, quote in _cited(profile)
]


@pytest.mark.parametrize(("profile", "path", "source", "quote"), CITED)
def test_every_quote_is_in_its_text_inside_the_named_article(
    profile: Profile, path: str, source: str, quote: str
) -> None:
    text = normalised((TEXTS / profile.source_text).read_text(encoding="utf-8"))
    words = normalised(quote)
    where = [m.start() for m in re.finditer(re.escape(words), text)]
    assert where, f"{profile.name}.{path}: {quote!r} is not in {profile.source_text}"
    ranges = article_ranges(source, text)
    assert ranges, f"{profile.name}.{path}: no article {source!r} in {profile.source_text}"
    inside = [at for at in where for r in ranges if r.start <= at and at + len(words) <= r.stop]
    assert inside, f"{profile.name}.{path}: {quote!r} is in the text but not in {source}"


def test_the_check_finds_a_quote_in_the_wrong_article() -> None:
    im = next(p for p in PROFILES if p.name == "inner-mongolia-2025-draft")
    text = normalised((TEXTS / im.source_text).read_text(encoding="utf-8"))
    quote = normalised("每年最多不超过15学分")  # 第十条（五）, across a line break in the text
    at = text.index(quote)
    assert any(r.start <= at < r.stop for r in article_ranges("第十条（五）", text))
    assert not any(r.start <= at < r.stop for r in article_ranges("第十条（一）", text))
    assert not any(r.start <= at < r.stop for r in article_ranges("第四条", text))
    assert "（基层人员等不受限制）" not in text  # words a profile once put in 第四条's mouth


def test_every_builtin_text_is_in_the_repository_and_no_national_figure_is_cited() -> None:
    for profile in PROFILES:
        if profile.source_text:
            assert (TEXTS / profile.source_text).is_file(), profile.source_text
            assert profile.source_text in (TEXTS / "README.md").read_text(encoding="utf-8")
    national = next(p for p in PROFILES if p.name == "national-2024")
    assert national.source_text == "" and _cited(national) == []
    kinds = {n.kind for _, n in national.figures()}
    assert kinds == {"provisional", "policy"}


def test_policies_and_provisional_figures_quote_nothing() -> None:
    for profile in PROFILES:
        for path, node in profile.figures():
            if node.kind != "cited":
                assert node.quote == "", f"{profile.name}.{path}"
            if node.kind == "provisional":
                assert node.note.strip(), f"{profile.name}.{path}"


def _keys(data: object) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


def test_no_quote_is_attributed_to_a_text_the_project_does_not_have() -> None:
    # The Inner Mongolia draft's words (第四条, 第十条) once stood in national-2024 under
    # 国卫办科教发〔2024〕20号, and a credit_classes "quote" found in neither text: a note may say
    # where a national figure comes from, but the file quotes nothing.
    national = next(p for p in PROFILES if p.name == "national-2024")
    data = tomllib.loads(Path(national.origin).read_text(encoding="utf-8"))
    assert "quote" not in _keys(data) and "credit_classes" not in _keys(data)
