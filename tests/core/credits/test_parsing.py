"""Attendance and assessment files: good rows parsed, every bad row reported with its line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.credits import parse_assessment_csv
from kiosk.core.credits.events_csv import parse_events_csv
from kiosk.core.model import Direction, Method, Role
from tests.support.credits import ALICE, BOB, D1, SPEAKER, at

HEAD = "id_number,name,role,direction,time,method\n"


def test_good_rows_with_optional_columns_and_chinese_values() -> None:
    text = (
        "\ufeffid_number,name,role,direction,time,method,desk,record_id\n"
        f"{ALICE},张伟,participant,in,2026-11-24T08:30:00+08:00,face,A,u1\n"
        f"{ALICE.lower()},张伟,学员,签退,2026-11-24 12:00:00+08:00,二维码,B,u2\n"
        f"{SPEAKER},刘洋,授课人,in,2026-11-24T00:25:00+00:00,人脸识别,A,\n"
    )
    parsed = parse_events_csv(text)
    assert parsed.errors == ()
    a_in, a_out, s_in = parsed.records
    assert (a_in.direction, a_in.method, a_in.desk, a_in.record_id, a_in.line) == (
        Direction.IN, Method.FACE, "A", "u1", 2,
    )  # fmt: skip
    assert (a_out.direction, a_out.method, a_out.at) == (Direction.OUT, Method.QR, at(D1, 12))
    assert s_in.at == at(D1, 8, 25)
    assert parsed.people[SPEAKER].role is Role.SPEAKER
    assert parsed.people[ALICE].name == "张伟"


BAD = [
    (f"{ALICE[:-1]}7,张伟,participant,in,2026-11-24T08:30:00+08:00,face", "check digit"),
    (f"{ALICE},张伟,participant,in,2026-11-24T08:30:00,face", "has no UTC offset"),
    (f"{ALICE},张伟,participant,in,24/11/2026 08:30,face", "not an ISO 8601"),
    (f"{ALICE},张伟,participant,sideways,2026-11-24T08:30:00+08:00,face", "direction 'sideways'"),
    (f"{ALICE},张伟,participant,in,2026-11-24T08:30:00+08:00,telepathy", "method 'telepathy'"),
    (f"{ALICE},张伟,guest,in,2026-11-24T08:30:00+08:00,face", "role 'guest'"),
    (",张伟,participant,in,2026-11-24T08:30:00+08:00,face", "ID number is empty"),
    (f"{ALICE},张伟,participant,in", "method is missing"),  # a short row
]


@pytest.mark.parametrize(("row", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_rows_are_reported_with_their_line(row: str, message: str) -> None:
    good = f"{BOB},王芳,participant,in,2026-11-24T08:30:00+08:00,qr\n"
    parsed = parse_events_csv(HEAD + good + row + "\n" + good)
    assert [e.line for e in parsed.errors] == [3]
    assert message in parsed.errors[0].message
    assert len(parsed.records) == 2


def test_line_numbers_survive_blank_lines_and_quoted_newlines() -> None:
    text = (
        HEAD
        + "\n"
        + f'{BOB},"王\n芳",participant,in,2026-11-24T08:30:00+08:00,qr\n'
        + f"{ALICE},张伟,participant,in,bad time,face\n"
    )
    parsed = parse_events_csv(text)
    assert [str(e) for e in parsed.errors] == [
        "line 5: time 'bad time' is not an ISO 8601 date-time"
    ]
    assert parsed.records[0].line == 3


def test_inconsistent_names_and_roles_are_bad_rows() -> None:
    t = "2026-11-24T08:30:00+08:00"
    text = HEAD + (
        f"{ALICE},张伟,participant,in,{t},face\n"
        f"{ALICE},张三,participant,out,{t},face\n"
        f"{ALICE},张伟,speaker,out,{t},face\n"
        f"{ALICE},,,out,{t},face\n"
    )
    errors = parse_events_csv(text).errors
    assert [str(e) for e in errors] == [
        "line 3: name '张三' differs from '张伟' (line 2)",
        "line 4: role speaker differs from participant (line 2)",
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "empty"),
        ("id_number,name,direction,time\n", 1, "missing column(s): role, method"),
        ('id_number,name\n"unterminated,x\n', 2, "not valid CSV"),
        ("a\x00b\n", 1, "NUL"),
    ],
)
def test_unreadable_files(text: str, line: int, message: str) -> None:
    (error,) = parse_events_csv(text).errors
    assert error.line == line and message in error.message


def test_assessment_pass_fail_and_scores() -> None:
    text = (
        f"证件号,姓名,考核结果,成绩\n{ALICE},张伟,合格,\n{BOB},王芳,,59.5\n{SPEAKER},刘洋,pass,60\n"
    )
    imported = parse_assessment_csv(text, pass_mark=Decimal(60))
    assert imported.errors == ()
    r = imported.results
    assert (r[ALICE].passed, r[ALICE].score) == (True, None)
    assert (r[BOB].passed, r[BOB].score, r[BOB].pass_mark) == (False, Decimal("59.5"), 60)
    assert r[BOB].label_zh() == "不合格（59.5分）"
    assert r[SPEAKER].passed and r[ALICE].label_zh() == "合格"


@pytest.mark.parametrize(
    ("row", "mark", "message"),
    [
        (f"{ALICE},maybe,", None, "neither pass (合格) nor fail (不合格)"),
        (f"{ALICE},,78", None, "no pass mark (use --pass-mark)"),
        (f"{ALICE},,abc", Decimal(60), "score 'abc' is not a number"),
        (f"{ALICE},,-3", Decimal(60), "0 or more"),
        (f"{ALICE},,NaN", Decimal(60), "0 or more"),
        (f"{ALICE},合格,40", Decimal(60), "contradicts score 40 against the pass mark 60"),
        (f"{ALICE},,", None, "no result and no score"),
        ("1234,合格,", None, "5-20 letters and digits"),
    ],
)
def test_bad_assessment_rows(row: str, mark: Decimal | None, message: str) -> None:
    text = f"id_number,result,score\n{BOB},fail,\n{row}\n"
    imported = parse_assessment_csv(text, pass_mark=mark)
    assert [e.line for e in imported.errors] == [3], imported.errors
    assert message in imported.errors[0].message
    assert BOB in imported.results


def test_assessment_duplicates_and_missing_columns() -> None:
    text = f"id_number,result\n{ALICE},合格\n{ALICE},pass\n{ALICE},不合格\n"
    imported = parse_assessment_csv(text)
    assert [str(e) for e in imported.errors] == [
        "line 4: conflicts with line 2 for the same ID number"
    ]
    assert (
        parse_assessment_csv("姓名,成绩\n张伟,80\n")
        .errors[0]
        .message.startswith("no ID number column")
    )
    assert "no result" in parse_assessment_csv("证件号,姓名\n").errors[0].message


_cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_cells, max_size=8), max_size=6), st.booleans())
def test_any_file_gives_rows_or_line_numbered_errors(rows: list[list[str]], header: bool) -> None:
    body = "\n".join(",".join(r) for r in rows)
    text = (HEAD if header else "") + body
    events = parse_events_csv(text)
    assert all(e.line >= 1 and e.message for e in events.errors)
    assert all(r.at.tzinfo is not None for r in events.records)
    results = parse_assessment_csv("id_number,result,score\n" + body, pass_mark=Decimal(60))
    assert all(e.line >= 1 and e.message for e in results.errors)
