"""The decision engine: hand-computed cases for every rule in ``review_app.decision.engine``."""

import json
import random
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review_app.decision.engine import (
    Candidate,
    DecisionParams,
    Move,
    compare,
    decide,
)
from review_app.errors import InvalidInput

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def code(n: int) -> str:
    return f"ZY-26-A{n:03d}"


def cand(n, raw, **kw) -> Candidate:
    """Candidate ``n`` (application id n, code ZY-26-A00n) with raw score ``raw``."""
    kw.setdefault("prefecture", "郑州市")
    kw.setdefault("priority_rank", None)
    kw.setdefault("calibrated_score", None)
    kw.setdefault("honours", ())
    kw.setdefault("maturity_level", None)
    kw.setdefault("inspection", None)
    return Candidate(application_id=n, anon_code=code(n), raw_score=raw, **kw)


def by_code(result):
    return {e.anon_code: e for e in result.entries}


def order(result):
    return [e.application_id for e in result.entries if e.rank is not None]


def admitted_ids(result):
    return [e.application_id for e in result.entries if e.outcome == "admitted"]


FIVE = [cand(1, 90), cand(2, 85), cand(3, 80), cand(4, 75), cand(5, 70)]


# --- capacity and minimum score ---------------------------------------------------------------


def test_exactly_capacity_admitted_when_enough_pass():
    r = decide(FIVE, DecisionParams(capacity=3))
    assert admitted_ids(r) == [1, 2, 3]
    assert r.admitted == 3
    assert (r.cut_rank, r.cut_score) == (3, 80.0)
    assert [e.rank for e in r.entries] == [1, 2, 3, 4, 5]
    assert [e.reason for e in r.entries] == ["admitted"] * 3 + ["below_cut"] * 2
    assert r.blocking == []


def test_min_score_admits_fewer_than_capacity():
    r = decide(FIVE, DecisionParams(capacity=4, min_score=82))
    assert admitted_ids(r) == [1, 2]
    assert (r.admitted, r.cut_rank, r.cut_score) == (2, 2, 85.0)
    assert [e.reason for e in r.entries] == ["admitted"] * 2 + ["below_min"] * 3


def test_below_min_takes_precedence_over_below_cut():
    # capacity 2 fills at 85; 80 passes the minimum 78 but is past the cut; 75 and 70 are below.
    r = decide(FIVE, DecisionParams(capacity=2, min_score=78))
    assert [e.reason for e in r.entries] == [
        "admitted",
        "admitted",
        "below_cut",
        "below_min",
        "below_min",
    ]


def test_min_score_is_inclusive():
    r = decide(FIVE, DecisionParams(capacity=5, min_score=80))
    assert admitted_ids(r) == [1, 2, 3]


def test_capacity_zero_admits_nobody():
    r = decide(FIVE, DecisionParams(capacity=0))
    assert (r.admitted, r.cut_rank, r.cut_score) == (0, None, None)
    assert {e.reason for e in r.entries} == {"below_cut"}
    assert by_code(r)[code(1)].explanation.endswith("本次入库名额为 0 家，未予入库。")


def test_empty_input():
    r = decide([], DecisionParams(capacity=3))
    assert (r.entries, r.admitted, r.cut_rank, r.cut_score, r.blocking) == ([], 0, None, None, [])


# --- veto and deductions ----------------------------------------------------------------------


def test_veto_excludes_top_scorer_and_next_moves_up():
    cands = [cand(1, 95, inspection="untrue"), cand(2, 90), cand(3, 85)]
    r = decide(cands, DecisionParams(capacity=1))
    assert order(r) == [2, 3]
    assert admitted_ids(r) == [2]
    top = by_code(r)[code(1)]
    assert (top.rank, top.outcome, top.reason, top.final_score) == (
        None,
        "rejected",
        "vetoed",
        None,
    )
    assert top.base_score == 95.0
    assert top.explanation == "评审得分 95.00，实地抽查结论为“不属实”，一票否决，未予入库。"
    assert [e.application_id for e in r.entries] == [2, 3, 1]  # excluded ones come last


def test_untrue_without_veto_takes_the_full_cap():
    cands = [cand(1, 95, inspection="untrue", deduction=1.0), cand(2, 91)]
    r = decide(cands, DecisionParams(capacity=1, veto_untrue=False, max_deduction=5))
    e = by_code(r)[code(1)]
    assert (e.rank, e.deduction, e.final_score, e.reason) == (2, 5.0, 90.0, "below_cut")
    assert "不属实" in e.explanation and "扣 5.00 分" in e.explanation


def test_deduction_points_and_cap():
    cands = [
        cand(1, 84.35, inspection="mostly_true", deduction=3),
        cand(2, 84.35, inspection="mostly_true", deduction=7),  # capped at 5
        cand(3, 84.35, inspection="true", deduction=3),  # 属实: recorded points ignored
        cand(4, 3.0, inspection="mostly_true", deduction=5),  # never below zero
    ]
    e = by_code(decide(cands, DecisionParams(capacity=4, max_deduction=5)))
    assert (e[code(1)].deduction, e[code(1)].final_score) == (3.0, 81.35)
    assert (e[code(2)].deduction, e[code(2)].final_score) == (5.0, 79.35)
    assert (e[code(3)].deduction, e[code(3)].final_score) == (0.0, 84.35)
    assert (e[code(4)].deduction, e[code(4)].final_score) == (3.0, 0.0)
    assert "实地抽查基本属实扣 5.00 分" in e[code(2)].explanation
    assert "实地抽查属实" in e[code(3)].explanation


def test_deduction_fraction_and_cap():
    cands = [
        cand(1, 80, inspection="mostly_true", deduction=0.05),  # 80 × 0.05 = 4.00
        cand(2, 80, inspection="mostly_true", deduction=0.3),  # capped at 0.1: 8.00
        cand(3, 84.35, inspection="mostly_true", deduction=0.03),  # 2.5305 → 2.53
    ]
    params = DecisionParams(capacity=3, deduction_mode="fraction", max_deduction=0.1)
    e = by_code(decide(cands, params))
    assert (e[code(1)].deduction, e[code(1)].final_score) == (4.0, 76.0)
    assert (e[code(2)].deduction, e[code(2)].final_score) == (8.0, 72.0)
    assert (e[code(3)].deduction, e[code(3)].final_score) == (2.53, 81.82)


def test_scores_round_half_up():
    e = by_code(decide([cand(1, 84.345), cand(2, 2.675)], DecisionParams(capacity=1)))
    assert e[code(1)].base_score == 84.35
    assert e[code(2)].base_score == 2.68


# --- honours ----------------------------------------------------------------------------------


def test_bonus_mode_changes_order():
    cands = [cand(1, 80), cand(2, 79, honours=("单项冠军",))]
    plain = decide(cands, DecisionParams(capacity=1))
    assert order(plain) == [1, 2]
    assert by_code(plain)[code(2)].bonus == 0.0

    bonus = decide(cands, DecisionParams(capacity=1, honours_mode="bonus", honours_bonus=2))
    assert order(bonus) == [2, 1]
    e = by_code(bonus)[code(2)]
    assert (e.base_score, e.bonus, e.final_score) == (79.0, 2.0, 81.0)
    assert "荣誉加分 2.00" in e.explanation
    assert by_code(bonus)[code(1)].bonus == 0.0


# --- tie-breaks ---------------------------------------------------------------------------------
# In each case the code order alone would put A001 first; the criterion under test reverses it.


def test_tiebreak_by_honours():
    cands = [cand(1, 81.2, honours=("专精特新",)), cand(2, 81.2, honours=("单项冠军", "专精特新"))]
    r = decide(cands, DecisionParams(capacity=1))
    assert order(r) == [2, 1]
    e = by_code(r)
    assert e[code(2)].tiebreak == "与 ZY-26-A001 同分（81.20），荣誉称号 2 项多于 1 项，排在前面"
    assert e[code(1)].tiebreak == "与 ZY-26-A002 同分（81.20），荣誉称号 1 项少于 2 项，排在后面"
    assert e[code(2)].tiebreak in e[code(2)].explanation
    assert e[code(1)].explanation.endswith("同分排在入库线（第 1 位，81.20 分）之后，未予入库。")


def test_tiebreak_by_honours_also_in_bonus_mode():
    cands = [cand(1, 80, honours=("专精特新",)), cand(2, 80, honours=("单项冠军", "专精特新"))]
    r = decide(cands, DecisionParams(capacity=1, honours_mode="bonus", honours_bonus=1))
    assert order(r) == [2, 1]
    assert by_code(r)[code(2)].final_score == 81.0


def test_tiebreak_by_maturity():
    cands = [cand(1, 81.2, maturity_level=3), cand(2, 81.2, maturity_level=4)]
    e = by_code(decide(cands, DecisionParams(capacity=1)))
    assert (e[code(2)].rank, e[code(1)].rank) == (1, 2)
    assert e[code(2)].tiebreak == (
        "与 ZY-26-A001 同分（81.20），智能制造能力成熟度 4 级高于 3 级，排在前面"
    )
    assert e[code(1)].tiebreak == (
        "与 ZY-26-A002 同分（81.20），智能制造能力成熟度 3 级低于 4 级，排在后面"
    )


def test_tiebreak_unknown_maturity_sorts_last():
    cands = [cand(1, 81.2), cand(2, 81.2, maturity_level=2)]
    e = by_code(decide(cands, DecisionParams(capacity=1)))
    assert (e[code(2)].rank, e[code(1)].rank) == (1, 2)
    assert "智能制造能力成熟度未提供，对方为 2 级" in e[code(1)].tiebreak


def test_tiebreak_by_priority_rank():
    cands = [
        cand(1, 81.2, maturity_level=3, priority_rank=2, prefecture="洛阳市"),
        cand(2, 81.2, maturity_level=3, priority_rank=1),
        cand(3, 81.2, maturity_level=3, priority_rank=None),
    ]
    e = by_code(decide(cands, DecisionParams(capacity=1)))
    assert [e[code(n)].rank for n in (2, 1, 3)] == [1, 2, 3]
    assert (
        e[code(2)].tiebreak
        == "与 ZY-26-A001 同分（81.20），地市推荐顺序第 1 位先于第 2 位，排在前面"
    )
    # The middle entry explains both neighbours.
    assert e[code(1)].tiebreak == (
        "与 ZY-26-A002 同分（81.20），地市推荐顺序第 2 位后于第 1 位，排在后面；"
        "与 ZY-26-A003 同分（81.20），地市推荐顺序第 2 位，对方未提供，排在前面"
    )
    assert e[code(3)].tiebreak == (
        "与 ZY-26-A001 同分（81.20），地市推荐顺序未提供，对方为第 2 位，排在后面"
    )


def test_tiebreak_by_code_last():
    # Application ids run against the codes, so only the code can put ZY-26-B001 first.
    first = Candidate(20, "ZY-26-B001", "郑州市", 1, 81.2, None, ("专精特新",), 3, None)
    second = Candidate(10, "ZY-26-B002", "开封市", 1, 81.2, None, ("单项冠军",), 3, None)
    r = decide([second, first], DecisionParams(capacity=1))
    assert order(r) == [20, 10]
    e = by_code(r)
    assert e["ZY-26-B001"].tiebreak == (
        "与 ZY-26-B002 同分（81.20），荣誉称号、成熟度和推荐顺序均相同，"
        "按编号顺序（同分且各项相同），排在前面"
    )
    assert e["ZY-26-B002"].tiebreak.startswith("与 ZY-26-B001 同分（81.20），")
    assert e["ZY-26-B002"].tiebreak.endswith("按编号顺序（同分且各项相同），排在后面")


def test_ties_are_judged_after_rounding_and_only_for_equal_neighbours():
    # 81.204 and 81.196 both round to 81.20: a tie, decided by honours.
    cands = [cand(1, 81.204), cand(2, 81.196, honours=("单项冠军",)), cand(3, 70)]
    r = decide(cands, DecisionParams(capacity=3))
    assert order(r) == [2, 1, 3]
    assert by_code(r)[code(2)].tiebreak.startswith("与 ZY-26-A001 同分（81.20）")
    assert by_code(r)[code(3)].tiebreak == ""


# --- calibration --------------------------------------------------------------------------------


def test_calibration_switch_changes_ranking():
    cands = [
        cand(1, 85, calibrated_score=80),
        cand(2, 82, calibrated_score=83),
        cand(3, 70, calibrated_score=None),
    ]
    raw = decide(cands, DecisionParams(capacity=1))
    assert order(raw) == [1, 2, 3]
    assert "校准" not in by_code(raw)[code(1)].explanation

    cal = decide(cands, DecisionParams(capacity=1, use_calibration=True))
    assert order(cal) == [2, 1]
    e = by_code(cal)
    assert (e[code(2)].base_score, e[code(2)].final_score) == (83.0, 83.0)
    assert "评审得分 83.00（经评审尺度校准，校准前 82.00）" in e[code(2)].explanation
    assert (e[code(3)].reason, e[code(3)].rank) == ("incomplete", None)
    assert cal.blocking == []


# --- blocking -------------------------------------------------------------------------------------


def test_pending_inspection_blocks_but_is_ranked():
    cands = [cand(1, 88, inspection="pending"), cand(2, 80, inspection="true")]
    r = decide(cands, DecisionParams(capacity=1))
    e = by_code(r)[code(1)]
    assert (e.rank, e.outcome, e.deduction) == (1, "admitted", 0.0)
    assert r.blocking == ["ZY-26-A001 已被抽中实地核查，尚未记录结论"]


def test_not_decidable_blocks_and_incomplete_does_not():
    cands = [
        cand(1, 88, state="expert_assigned"),
        cand(2, None, state="scored"),
        cand(3, 80, state="spot_inspected", inspection="true"),
    ]
    r = decide(cands, DecisionParams(capacity=3))
    e = by_code(r)
    assert (e[code(1)].rank, e[code(1)].reason, e[code(1)].outcome) == (
        None,
        "not_decidable",
        "rejected",
    )
    assert (e[code(2)].reason, e[code(2)].explanation) == ("incomplete", "评分未完成，不参与排名。")
    assert admitted_ids(r) == [3]
    assert len(r.blocking) == 1
    assert r.blocking[0].startswith("ZY-26-A001 ")
    assert [x.application_id for x in r.entries] == [3, 1, 2]


# --- explanations -------------------------------------------------------------------------------


def test_explanations_contain_the_numbers():
    cands = [
        cand(1, 84.35, inspection="mostly_true", deduction=2),
        cand(2, 90),
        cand(3, 80.1),
        cand(4, 70.1),
        cand(5, 50),
    ]
    e = by_code(decide(cands, DecisionParams(capacity=3, min_score=60)))
    assert e[code(1)].explanation == (
        "评审得分 84.35，实地抽查基本属实扣 2.00 分，综合得分 82.35，"
        "在卓越级培育 5 家有效申报中排第 2 位，入库线为第 3 位（80.10 分），予以入库。"
    )
    assert e[code(4)].explanation == (
        "评审得分 70.10，综合得分 70.10，在卓越级培育 5 家有效申报中排第 4 位，"
        "低于入库线（第 3 位，80.10 分），未予入库。"
    )
    assert e[code(5)].explanation == (
        "评审得分 50.00，综合得分 50.00，在卓越级培育 5 家有效申报中排第 5 位，"
        "低于最低分数线 60.00 分，未予入库。"
    )


def test_track_name_and_numbers_dict():
    c = cand(
        1,
        Decimal("88.5"),
        honours=("智能制造示范工厂",),
        maturity_level=4,
        priority_rank=1,
        inspection="mostly_true",
        deduction=Decimal("1.25"),
        section_scores={"background": 7.5},
    )
    r = decide([c], DecisionParams(capacity=5, track_name="领航级培育"))
    e = r.entries[0]
    assert "在领航级培育 1 家有效申报中排第 1 位" in e.explanation
    assert e.numbers == {
        "raw": 88.5,
        "calibrated": None,
        "base": 88.5,
        "bonus": 0.0,
        "deduction": 1.25,
        "final": 87.25,
        "honours": ["智能制造示范工厂"],
        "maturity_level": 4,
        "priority_rank": 1,
        "inspection": "mostly_true",
        "section_scores": {"background": 7.5},
        "state": "scored",
    }
    json.dumps(e.numbers)


# --- determinism and properties -----------------------------------------------------------------


def test_input_order_does_not_matter():
    cands = [
        cand(n, s, honours=h, maturity_level=m, priority_rank=p, inspection=i, deduction=1.5)
        for n, s, h, m, p, i in [
            (1, 80, (), 3, 1, None),
            (2, 80, (), 3, 2, "mostly_true"),
            (3, 78.5, ("单项冠军",), None, None, None),
            (4, 80, ("单项冠军",), 2, 1, "pending"),
            (5, 99, (), 5, 1, "untrue"),
            (6, 78.5, (), 4, None, "true"),
            (7, None, (), 4, None, None),
        ]
    ]
    params = DecisionParams(capacity=3, min_score=70)
    expected = decide(cands, params)
    rng = random.Random(2026)  # noqa: S311
    for _ in range(20):
        shuffled = cands[:]
        rng.shuffle(shuffled)
        assert decide(shuffled, params) == expected


@st.composite
def candidate_lists(draw):
    n = draw(st.integers(0, 25))
    out = []
    for i in range(n):
        out.append(
            cand(
                i + 1,
                draw(st.one_of(st.none(), st.integers(0, 10000).map(lambda x: x / 100))),
                honours=tuple(
                    draw(st.lists(st.sampled_from(["单项冠军", "专精特新"]), max_size=2))
                ),
                maturity_level=draw(st.one_of(st.none(), st.integers(1, 5))),
                priority_rank=draw(st.one_of(st.none(), st.integers(1, 4))),
                inspection=draw(
                    st.sampled_from([None, "pending", "true", "mostly_true", "untrue"])
                ),
                deduction=draw(st.integers(0, 8)),
                state=draw(st.sampled_from(["scored", "scored", "spot_inspected", "submitted"])),
            )
        )
    return out


@settings(max_examples=200, deadline=None)
@given(
    cands=candidate_lists(),
    capacity=st.integers(0, 12),
    min_score=st.integers(0, 100),
    bonus_mode=st.booleans(),
    seed=st.randoms(use_true_random=False),
)
def test_properties(cands, capacity, min_score, bonus_mode, seed):
    params = DecisionParams(
        capacity=capacity,
        min_score=min_score,
        honours_mode="bonus" if bonus_mode else "tiebreak",
        honours_bonus=1.5,
    )
    r = decide(cands, params)
    ranked = [e for e in r.entries if e.rank is not None]
    admitted = [e for e in r.entries if e.outcome == "admitted"]
    rejected_ranked = [e for e in ranked if e.outcome == "rejected"]

    assert [e.rank for e in ranked] == list(range(1, len(ranked) + 1))
    assert r.entries[: len(ranked)] == ranked
    assert all(a.final_score >= b.final_score for a, b in zip(ranked, ranked[1:], strict=False))
    assert len(admitted) == r.admitted <= capacity
    assert r.admitted == min(capacity, sum(e.final_score >= min_score for e in ranked))
    assert all(e.final_score >= min_score for e in admitted)
    for a in admitted:
        assert all(a.final_score >= b.final_score for b in rejected_ranked)
    if admitted:
        assert (r.cut_rank, r.cut_score) == (admitted[-1].rank, admitted[-1].final_score)
    else:
        assert (r.cut_rank, r.cut_score) == (None, None)
    assert len(r.entries) == len(cands)
    assert len(r.blocking) == sum(
        (c.inspection == "pending") + (c.state == "submitted") for c in cands
    )

    shuffled = cands[:]
    seed.shuffle(shuffled)
    assert decide(shuffled, params) == r


# --- compare ------------------------------------------------------------------------------------


def test_compare_capacity_change():
    three = decide(FIVE, DecisionParams(capacity=3))
    four = decide(FIVE, DecisionParams(capacity=4))
    assert compare(three, four) == [Move(4, code(4), "rejected", 4, 75.0, "admitted", 4, 75.0)]
    one = decide(FIVE, DecisionParams(capacity=1))
    assert compare(three, one) == [
        Move(2, code(2), "admitted", 2, 85.0, "rejected", 2, 85.0),
        Move(3, code(3), "admitted", 3, 80.0, "rejected", 3, 80.0),
    ]
    assert compare(three, three) == []


def test_compare_calibration_on_off():
    cands = [
        cand(1, 85, calibrated_score=80),
        cand(2, 82, calibrated_score=83),
        cand(3, 70, calibrated_score=70),
    ]
    off = decide(cands, DecisionParams(capacity=1))
    on = decide(cands, DecisionParams(capacity=1, use_calibration=True))
    assert compare(off, on) == [
        Move(2, code(2), "rejected", 2, 82.0, "admitted", 1, 83.0),
        Move(1, code(1), "admitted", 1, 85.0, "rejected", 2, 80.0),
    ]


def test_compare_application_missing_from_one_side():
    before = decide([cand(1, 90), cand(2, 80)], DecisionParams(capacity=1))
    after = decide([cand(2, 80), cand(3, 60)], DecisionParams(capacity=1))
    assert compare(before, after) == [
        Move(2, code(2), "rejected", 2, 80.0, "admitted", 1, 80.0),
        Move(1, code(1), "admitted", 1, 90.0, "absent", None, None),
    ]


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error_code"),
    [
        ({"capacity": -1}, "bad_capacity"),
        ({"capacity": 2.5}, "bad_capacity"),
        ({"capacity": True}, "bad_capacity"),
        ({"min_score": 100.01}, "bad_min_score"),
        ({"min_score": -1}, "bad_min_score"),
        ({"min_score": float("nan")}, "bad_min_score"),
        ({"honours_mode": "extra"}, "bad_honours_mode"),
        ({"honours_bonus": -0.5}, "bad_honours_bonus"),
        ({"deduction_mode": "percent"}, "bad_deduction_mode"),
        ({"deduction_mode": "fraction", "max_deduction": 1.5}, "bad_max_deduction"),
        ({"max_deduction": -1}, "bad_max_deduction"),
        ({"max_deduction": 101}, "bad_max_deduction"),
    ],
)
def test_bad_params_raise(kwargs, error_code):
    kwargs = {"capacity": 3, **kwargs}
    with pytest.raises(InvalidInput) as info:
        decide(FIVE, DecisionParams(**kwargs))
    assert info.value.code == error_code
    assert CHINESE.search(info.value.message)


def test_fraction_cap_of_one_is_allowed():
    r = decide(
        [cand(1, 80, inspection="mostly_true", deduction=1)],
        DecisionParams(capacity=1, deduction_mode="fraction", max_deduction=1),
    )
    assert r.entries[0].final_score == 0.0


@pytest.mark.parametrize(
    ("cands", "error_code"),
    [
        ([cand(1, 80), cand(1, 70)], "duplicate_application"),
        (
            [cand(1, 80), Candidate(2, code(1), "郑州市", None, 70, None, (), None, None)],
            "duplicate_code",
        ),
        ([cand(1, 80, inspection="maybe")], "bad_inspection"),
        ([cand(1, 80, inspection="mostly_true", deduction=-1)], "bad_deduction"),
        ([cand(1, float("nan"))], "bad_score"),
    ],
)
def test_bad_candidates_raise(cands, error_code):
    with pytest.raises(InvalidInput) as info:
        decide(cands, DecisionParams(capacity=3))
    assert info.value.code == error_code
    assert CHINESE.search(info.value.message)
