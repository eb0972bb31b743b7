"""The ledger of earlier grants: its CSV, the cap in activity-date order, the exemption."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kiosk.core.credits import compute_attendee
from kiosk.core.credits.ledger import (
    Grant,
    parse_ledger_csv,
    run_cap,
    standings,
    year_json,
    yearly_cap,
)
from kiosk.core.model import ProjectForm
from kiosk.core.rules import load_profile
from tests.support.credits import ALICE, BOB, D1, idn, people, project, stay

IM = load_profile("inner-mongolia-2025-draft")
CQ = load_profile("chongqing-2017")
HEADER = "id_number,credit_year,kind,credits,activity_date\n"
REMOTE = project(form=ProjectForm.REMOTE)  # last day 2026-11-24


def _d(text: str) -> Decimal:
    return Decimal(text)


def test_the_csv_any_column_order_a_bom_and_extra_columns() -> None:
    text = f"\ufeffkind,note,activity_date,credits,credit_year,id_number\nremote,x,2026-03-02,2.5,2026,{ALICE}\n"
    parsed = parse_ledger_csv(text)
    assert parsed.errors == ()
    assert parsed.grants == (Grant(ALICE, 2026, "remote", _d("2.5"), date(2026, 3, 2), 2),)


def test_a_file_without_the_columns_or_rows_is_one_clear_error() -> None:
    (e,) = parse_ledger_csv("id_number,credits\n").errors
    assert str(e) == "line 1: missing column(s): credit_year, kind, activity_date"
    (e,) = parse_ledger_csv("").errors
    assert "empty" in str(e)
    (e,) = parse_ledger_csv(HEADER + f"{ALICE},26,remote,1,2026-01-01\n").errors
    assert str(e) == "line 2: credit_year '26' is not a year such as 2026"


def test_the_cap_counts_in_order_until_it_is_reached() -> None:
    assert run_cap([_d("12"), _d("6"), _d("1")], _d("15")) == [_d("12"), _d("3"), _d("0")]
    assert run_cap([_d("12"), _d("6")], None) == [_d("12"), _d("6")]


def test_activity_dates_decide_not_the_order_of_the_file() -> None:
    later, earlier = (
        Grant(ALICE, 2026, "remote", _d("6"), date(2026, 12, 1), 2),
        Grant(ALICE, 2026, "remote", _d("5"), date(2026, 2, 1), 3),
    )
    same_day = Grant(ALICE, 2026, "remote", _d("2"), D1, 4)  # on the project's day: first
    y = standings(REMOTE, IM, [later, earlier, same_day], people=[ALICE, BOB])
    assert (y[ALICE].before, y[ALICE].left_before, y[ALICE].later) == (_d("7"), _d("3"), (_d("6"),))
    assert y[ALICE].year_total(_d("2.1")) == _d("10")  # 5 + 2 + 2.1, then 0.9 of the later 6
    assert (y[BOB].before, y[BOB].left_before, y[BOB].known) == (_d("0"), _d("10"), True)
    unknown = standings(REMOTE, IM, None, people=[ALICE])[ALICE]
    assert unknown.known is False and year_json(_d("2.1"), _d(0), unknown, IM)["annual"] == {
        "required": 25.0, "earned": None, "professional_required": 20.0,
        "public_required": 5.0, "public_to_other_hours": None, "source": "第四条",
        "provisional": False,
    }  # fmt: skip


def test_another_credit_year_does_not_count() -> None:
    old = Grant(ALICE, 2025, "remote", _d("10"), date(2025, 12, 31), 2)
    assert standings(REMOTE, IM, [old], people=[ALICE])[ALICE].before == 0


def test_the_exemption_lifts_only_a_cap_the_profile_names_it_for() -> None:
    assert yearly_cap(IM, "remote", exempt=True) == (None, True)  # 第四条
    assert yearly_cap(IM, "remote", exempt=False) == (_d("10"), False)
    assert yearly_cap(IM, "practice_activity", exempt=True) == (_d("15"), False)  # no exemption
    assert yearly_cap(IM, "self_study", exempt=False) == (None, False)
    assert yearly_cap(IM, "get", exempt=False) == (None, False)  # not a form, not an attribute
    practice = project(form=ProjectForm.PRACTICE_ACTIVITY, speakers=())
    r = compute_attendee(
        practice, IM, people(ALICE)[ALICE], stay(ALICE, D1, (8, 30), (17, 0)),
        prior_year_credits=_d("14.9"), yearly_cap_exempt=True,
    )  # fmt: skip
    assert (r.credits, r.yearly_cut) == (_d("0.1"), _d("0.9"))  # primary care or not


def test_year_json_names_the_cap_and_what_it_cut() -> None:
    grants = [Grant(idn(5), 2026, "remote", _d("9"), date(2026, 5, 1), 2)]
    y = standings(REMOTE, IM, grants, people=[idn(5)])[idn(5)]
    out = year_json(_d("1.0"), _d("1.1"), y, IM)
    assert out["yearly_cap"] == {
        "kind": "remote", "cap": 10.0, "left_before": 1.0, "cut": 1.1, "exempt": False,
        "source": "第四条", "provisional": False,
    }  # fmt: skip
    assert out["annual"]["earned"] == 10.0  # type: ignore[index]
    cq = standings(project(form=ProjectForm.REMOTE, profile=CQ.name), CQ, [], people=[ALICE])
    assert year_json(_d("1"), _d("0"), cq[ALICE], CQ)["yearly_cap"]["provisional"] is True  # type: ignore[index]
    assert year_json(_d("1"), _d("0"), cq[ALICE], CQ)["annual"]["public_to_other_hours"] == "1:5"  # type: ignore[index]
