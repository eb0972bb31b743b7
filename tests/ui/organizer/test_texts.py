"""The workspace words a void's or dispute's subject through Qt, in the organizer's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from kiosk.reports.staff_review import ABOUT_TEXTS, About, about_text
from kiosk.ui.organizer.texts import ABOUT, DIRECTIONS, about_line, direction_text, method_text
from tests.support.screens import translated_app

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_subject_code_has_words_in_both_catalogues() -> None:
    assert set(ABOUT) == set(ABOUT_TEXTS)


def test_the_subjects_are_chinese_on_a_chinese_screen_and_plain_in_the_report() -> None:
    app, translations = translated_app("zh_CN")
    try:
        voided = About("voided", direction="out", at=datetime(2026, 12, 1, 4, 5, tzinfo=UTC))
        genuine = About("receipt_genuine", hours=Decimal("3.5"))
        forged = About("receipt_forged")
        unknown = About("receipt_unknown_desk", ref="D-7")
        for about in (voided, genuine, forged, unknown, About("no_receipt")):
            line = about_line(about)
            assert CJK.search(line) and "receipt" not in line, line
        assert "3.50" in about_line(genuine) and "D-7" in about_line(unknown)
        assert "12:05" in about_line(voided) and direction_text("out") in about_line(voided)
        assert all(CJK.search(direction_text(d)) for d in DIRECTIONS)
        assert CJK.search(method_text("id_card"))
    finally:
        translations.remove()
    # `organizer report` keeps its plain words, as before.
    assert about_text(genuine) == "genuine receipt: 3.50 h counted at check-out"
    assert about_text(voided) == "out 12:05" and about_text(None) == ""
    del app
