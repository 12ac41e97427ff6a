"""The pure expert draw (review_app.experts.draw): determinism, limits, shortfalls, verify."""

import random
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review_app.experts import draw as d
from review_app.experts.draw import (
    Candidate,
    DrawLimits,
    DrawResult,
    DrawShortfall,
    canonical_snapshot,
    draw,
    snapshot_hash,
    verify,
)

PREFS = ["郑州市", "开封市", "洛阳市", "平顶山市", "安阳市", "新乡市", "焦作市", "许昌市"]
SPECS = ["link.factory", "link.design", "link.quality", "C34", "C35", "C38", "C39"]


def make_pool(n: int, rng: random.Random, units: int = 40) -> list[Candidate]:
    pool = []
    for i in range(1, n + 1):
        pool.append(
            Candidate(
                expert_id=i * 7 + rng.randrange(7),  # unique, not contiguous
                unit=f"单位{rng.randrange(units)}",
                prefecture=rng.choice(PREFS + [None]),
                specialties=tuple(rng.sample(SPECS, rng.randint(1, 3))),
                recent_panels=rng.choice([0, 0, 0, 1, 2]),
                available=rng.random() > 0.1,
            )
        )
    return pool


def simple_pool(n: int) -> list[Candidate]:
    return [Candidate(i, f"单位{i}", PREFS[i % len(PREFS)], ("C34",)) for i in range(1, n + 1)]


POOL_200 = make_pool(200, random.Random(2026))


# ------------------------------------------------------------------ determinism


def test_same_seed_same_result_regardless_of_input_order():
    limits = DrawLimits(count=10, backups=4, max_per_unit=2, max_per_prefecture=3)
    first = draw(POOL_200, limits, "20260415")
    for k in range(5):
        shuffled = POOL_200[:]
        random.Random(k).shuffle(shuffled)
        assert draw(shuffled, limits, "20260415") == first
    assert draw(list(reversed(POOL_200)), limits, "20260415") == first
    assert len(first.drawn) == 10 and len(first.backups) == 4


def test_seed_is_stripped():
    limits = DrawLimits(count=8, backups=2)
    assert draw(POOL_200, limits, "  42 ") == draw(POOL_200, limits, "42")
    assert draw(POOL_200, limits, "\t42\n") == draw(POOL_200, limits, "42")


def test_different_seeds_give_different_orders():
    limits = DrawLimits(count=15)
    orders = {tuple(draw(POOL_200, limits, str(seed)).drawn) for seed in range(20)}
    assert len(orders) >= 19


def test_pool_change_changes_the_draw():
    limits = DrawLimits(count=15)
    base = draw(POOL_200, limits, "7")
    # Changing a candidate who is not even eligible still changes the hash, hence the draw.
    idx = next(i for i, c in enumerate(POOL_200) if not c.available)
    changed = POOL_200[:]
    changed[idx] = replace(changed[idx], recent_panels=changed[idx].recent_panels + 5)
    other = draw(changed, limits, "7")
    assert other.snapshot_hash != base.snapshot_hash
    assert other.drawn != base.drawn


def test_golden_draw_is_pinned():
    """Pins the whole procedure (snapshot format, hash, RNG derivation, shuffle, walk): if this
    fails, draws recorded earlier can no longer be re-checked."""
    pool = simple_pool(30)
    result = draw(pool, DrawLimits(count=5, backups=2), "河南2026")
    assert result.snapshot_hash == GOLDEN_HASH
    assert (result.drawn, result.backups) == GOLDEN_DRAW


GOLDEN_HASH = "4b3117cadb242f1ca75b04f38caa4abc6eb19bd842617c1e7a5fed62106652be"
GOLDEN_DRAW = ([1, 19, 4, 24, 21], [5, 28])


def test_pinned_shuffle_matches_random_shuffle():
    for n in (0, 1, 2, 5, 100, 257):
        a, b = list(range(n)), list(range(n))
        d._shuffle(a, random.Random(n))
        random.Random(n).shuffle(b)
        assert a == b


# ---------------------------------------------------------------------- snapshot


def test_snapshot_is_sorted_json_safe_and_order_independent():
    snap = canonical_snapshot(list(reversed(POOL_200)))
    assert [row["expert_id"] for row in snap] == sorted(c.expert_id for c in POOL_200)
    assert set(snap[0]) == {
        "expert_id",
        "unit",
        "prefecture",
        "specialties",
        "recent_panels",
        "available",
    }
    assert snapshot_hash(list(reversed(POOL_200))) == snapshot_hash(POOL_200)
    assert len(snapshot_hash(POOL_200)) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"expert_id": 999},
        {"unit": "另一单位"},
        {"prefecture": "南阳市"},
        {"prefecture": None},
        {"specialties": ("C36",)},
        {"recent_panels": 3},
        {"available": False},
    ],
)
def test_every_field_changes_the_hash(change):
    pool = simple_pool(10)
    base = snapshot_hash(pool)
    pool[3] = replace(pool[3], **change)
    assert snapshot_hash(pool) != base


def test_unit_comparison_ignores_case_and_whitespace():
    a = [Candidate(1, "Henan  机械院", "郑州市", ()), Candidate(2, " henan机械院 ", "郑州市", ())]
    b = [Candidate(1, "HENAN\u3000机械院", "郑州市", ()), Candidate(2, "henan机械院", "郑州市", ())]
    assert snapshot_hash(a) == snapshot_hash(b)
    with pytest.raises(DrawShortfall) as exc:
        draw(a, DrawLimits(count=2, max_per_unit=1), "1")
    assert exc.value.shortfalls[0].limit == "max_per_unit"


# ------------------------------------------------------------------------ limits


def check_result(pool, limits, result):
    by_id = {c.expert_id: c for c in pool}
    taken = result.drawn + result.backups
    assert len(result.drawn) == limits.count
    assert len(result.backups) == limits.backups
    assert len(set(taken)) == len(taken)
    required = set(limits.specialties)
    for eid in taken:
        c = by_id[eid]
        assert c.available
        assert not required or required & set(c.specialties)
        assert c.prefecture not in limits.excluded_prefectures
        assert not (limits.exclude_recent and c.recent_panels > 0)
    if limits.max_per_unit is not None:
        units = Counter(d.normalize_key(by_id[e].unit) for e in taken)
        assert max(units.values()) <= limits.max_per_unit
    if limits.max_per_prefecture is not None:
        prefs = Counter(by_id[e].prefecture for e in taken if by_id[e].prefecture is not None)
        assert not prefs or max(prefs.values()) <= limits.max_per_prefecture
    assert result.eligible + sum(result.excluded.values()) == len(pool)
    assert set(result.excluded) == {"unavailable", "specialty", "prefecture", "recent"}


limits_strategy = st.builds(
    DrawLimits,
    count=st.integers(1, 12),
    backups=st.integers(0, 6),
    specialties=st.lists(st.sampled_from(SPECS), max_size=3, unique=True).map(tuple),
    max_per_unit=st.none() | st.integers(1, 3),
    max_per_prefecture=st.none() | st.integers(1, 4),
    excluded_prefectures=st.lists(st.sampled_from(PREFS), max_size=3, unique=True).map(tuple),
    exclude_recent=st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(
    pool_seed=st.integers(0, 10**6),
    size=st.integers(0, 120),
    units=st.integers(1, 50),
    limits=limits_strategy,
    seed=st.text(min_size=1, max_size=12).filter(lambda s: s.strip()),
)
def test_limits_respected_on_random_pools(pool_seed, size, units, limits, seed):
    pool = make_pool(size, random.Random(pool_seed), units=units)
    try:
        result = draw(pool, limits, seed)
    except DrawShortfall as exc:
        assert exc.shortfalls
        for s in exc.shortfalls:
            assert s.needed == limits.count + limits.backups
            assert s.available < s.needed
            assert f"还差{s.needed - s.available}名" in s.message
        return
    check_result(pool, limits, result)


def test_limits_respected_over_many_seeds():
    limits = DrawLimits(
        count=12,
        backups=5,
        specialties=("C34", "link.factory"),
        max_per_unit=1,
        max_per_prefecture=3,
        excluded_prefectures=("洛阳市",),
        exclude_recent=True,
    )
    for seed in range(100):
        check_result(POOL_200, limits, draw(POOL_200, limits, f"s{seed}"))


def test_excluded_counts_use_first_failing_reason():
    pool = [
        Candidate(1, "甲", "洛阳市", ("C99",), recent_panels=2, available=False),
        Candidate(2, "乙", "洛阳市", ("C99",), recent_panels=2),
        Candidate(3, "丙", "洛阳市", ("C34",), recent_panels=2),
        Candidate(4, "丁", "郑州市", ("C34",), recent_panels=2),
        Candidate(5, "戊", None, ("C34",)),
    ]
    limits = DrawLimits(
        count=1, specialties=("C34",), excluded_prefectures=("洛阳市",), exclude_recent=True
    )
    result = draw(pool, limits, "1")
    assert result.excluded == {"unavailable": 1, "specialty": 1, "prefecture": 1, "recent": 1}
    assert result.eligible == 1
    assert result.drawn == [5]


def test_backups_continue_the_order():
    limits_split = DrawLimits(count=6, backups=4, max_per_unit=2)
    limits_all = DrawLimits(count=10, max_per_unit=2)
    for seed in range(10):
        split = draw(POOL_200, limits_split, str(seed))
        whole = draw(POOL_200, limits_all, str(seed))
        assert split.drawn + split.backups == whole.drawn
        assert draw(POOL_200, DrawLimits(count=6, max_per_unit=2), str(seed)).drawn == split.drawn


def test_backups_share_the_limits_with_the_drawn():
    # Two units only: with max 2 per unit, drawn + backups together can hold at most 4.
    pool = [Candidate(i, "甲" if i % 2 else "乙", None, ()) for i in range(1, 21)]
    for seed in range(30):
        result = draw(pool, DrawLimits(count=2, backups=2, max_per_unit=2), str(seed))
        units = Counter("甲" if e % 2 else "乙" for e in result.drawn + result.backups)
        assert units == {"甲": 2, "乙": 2}
    with pytest.raises(DrawShortfall) as exc:
        draw(pool, DrawLimits(count=2, backups=3, max_per_unit=2), "1")
    assert [s.limit for s in exc.value.shortfalls] == ["max_per_unit"]


def test_none_prefecture_never_counts_toward_prefecture_limit():
    pool = [Candidate(i, f"单位{i}", None, ()) for i in range(1, 11)]
    pool += [Candidate(100 + i, f"单位{100 + i}", "郑州市", ()) for i in range(5)]
    result = draw(pool, DrawLimits(count=11, max_per_prefecture=1), "x")
    assert sum(1 for e in result.drawn if e >= 100) == 1


def test_lookahead_completes_when_the_plain_walk_would_get_stuck():
    # Only {1, 3, 4} satisfies one-per-unit and one-per-prefecture; a plain greedy walk that
    # meets #2 first would take it and end with 2 experts.
    pool = [
        Candidate(1, "A", "X", ()),
        Candidate(2, "B", "X", ()),
        Candidate(3, "B", "Y", ()),
        Candidate(4, "C", "Z", ()),
    ]
    limits = DrawLimits(count=3, max_per_unit=1, max_per_prefecture=1)
    orders = set()
    for seed in range(40):
        result = draw(pool, limits, str(seed))
        assert sorted(result.drawn) == [1, 3, 4]
        orders.add(tuple(result.drawn))
    assert len(orders) > 1


# -------------------------------------------------------------------- shortfalls


def test_shortfall_eligible():
    pool = simple_pool(12) + [Candidate(50 + i, f"X{i}", "洛阳市", ("C34",)) for i in range(4)]
    limits = DrawLimits(count=10, backups=5, specialties=("C34",), excluded_prefectures=("洛阳市",))
    # simple_pool puts 1 of the 12 in 洛阳市 (index 2 of PREFS: ids 2 and 10).
    with pytest.raises(DrawShortfall) as exc:
        draw(pool, limits, "1")
    (s,) = exc.value.shortfalls
    assert (s.limit, s.available, s.needed) == ("eligible", 10, 15)
    assert (
        s.message == "符合专业要求、未回避且可参加的专家只有10名，需抽取15名（含备选5名），还差5名"
    )
    assert "还差5名" in str(exc.value)


def test_shortfall_max_per_unit():
    pool = [Candidate(i, f"单位{i % 3}", None, ()) for i in range(1, 11)]  # units of 3, 4, 3
    with pytest.raises(DrawShortfall) as exc:
        draw(pool, DrawLimits(count=5, backups=2, max_per_unit=2), "1")
    (s,) = exc.value.shortfalls
    assert (s.limit, s.available, s.needed) == ("max_per_unit", 6, 7)
    assert "每个单位最多抽取2名" in s.message
    assert "3个单位" in s.message
    assert "最多可抽取6名" in s.message and "需抽取7名（含备选2名）" in s.message
    assert s.message.endswith("还差1名")


def test_shortfall_max_per_prefecture():
    pool = [Candidate(i, f"单位{i}", PREFS[i % 2], ()) for i in range(1, 11)]
    pool += [Candidate(20, "单位20", None, ())]
    with pytest.raises(DrawShortfall) as exc:
        draw(pool, DrawLimits(count=6, max_per_prefecture=2), "1")
    (s,) = exc.value.shortfalls
    assert (s.limit, s.available, s.needed) == ("max_per_prefecture", 5, 6)
    assert "每个地市最多抽取2名" in s.message
    assert "含省外或地市不详的1名" in s.message
    assert "需抽取6名" in s.message and "备选" not in s.message
    assert s.message.endswith("还差1名")


def test_shortfall_lists_every_binding_limit_in_order():
    pool = [Candidate(i, "同一单位", "郑州市", ()) for i in range(1, 4)]
    with pytest.raises(DrawShortfall) as exc:
        draw(pool, DrawLimits(count=4, max_per_unit=1, max_per_prefecture=2), "1")
    kinds = [(s.limit, s.available) for s in exc.value.shortfalls]
    assert kinds == [("eligible", 3), ("max_per_unit", 1), ("max_per_prefecture", 2)]


def test_shortfall_combined():
    # Units and prefectures each allow 3, but B and C are both only in X: at most 2 together.
    pool = [
        Candidate(1, "A", "X", ()),
        Candidate(2, "B", "X", ()),
        Candidate(3, "C", "X", ()),
        Candidate(4, "A", "Y", ()),
        Candidate(5, "A", "Z", ()),
    ]
    with pytest.raises(DrawShortfall) as exc:
        draw(pool, DrawLimits(count=3, max_per_unit=1, max_per_prefecture=1), "1")
    (s,) = exc.value.shortfalls
    assert (s.limit, s.available, s.needed) == ("combined", 2, 3)
    assert "两项限额同时适用" in s.message and "最多可抽取2名" in s.message
    assert s.message.endswith("还差1名")


def test_empty_pool_is_a_shortfall_not_a_crash():
    with pytest.raises(DrawShortfall) as exc:
        draw([], DrawLimits(count=1), "1")
    assert exc.value.shortfalls[0].message == "可参加的专家只有0名，需抽取1名，还差1名"


# ------------------------------------------------------------------------ verify


LIMITS = DrawLimits(count=8, backups=3, max_per_unit=2, max_per_prefecture=3)


def test_verify_accepts_the_recorded_result():
    recorded = draw(POOL_200, LIMITS, "开会时宣读的种子")
    assert verify(list(reversed(POOL_200)), LIMITS, " 开会时宣读的种子 ", recorded) == []
    as_dict = {
        "drawn": recorded.drawn,
        "backups": recorded.backups,
        "snapshot_hash": recorded.snapshot_hash,
    }
    assert verify(POOL_200, LIMITS, "开会时宣读的种子", as_dict) == []


def test_verify_names_a_changed_pool():
    recorded = draw(POOL_200, LIMITS, "9")
    changed = POOL_200[:]
    changed[0] = replace(changed[0], unit="换了单位")
    problems = verify(changed, LIMITS, "9", recorded)
    assert problems[0].startswith("快照哈希不一致")
    assert recorded.snapshot_hash in problems[0]


def test_verify_names_a_changed_result():
    recorded = draw(POOL_200, LIMITS, "9")
    tampered = DrawResult(
        drawn=recorded.drawn[:2] + [12345] + recorded.drawn[3:],
        backups=recorded.backups,
        snapshot_hash=recorded.snapshot_hash,
        eligible=recorded.eligible,
        excluded=recorded.excluded,
    )
    assert verify(POOL_200, LIMITS, "9", tampered) == [
        f"抽取结果不一致（第3位：记录为#12345，重算为#{recorded.drawn[2]}）"
    ]
    swapped = replace(tampered, drawn=recorded.drawn, backups=recorded.backups[::-1])
    (problem,) = verify(POOL_200, LIMITS, "9", swapped)
    assert problem.startswith("备选结果不一致（第1位：")
    shorter = replace(tampered, drawn=recorded.drawn[:-1])
    assert verify(POOL_200, LIMITS, "9", shorter) == ["抽取结果人数不一致（记录为7名，重算为8名）"]


def test_verify_names_a_changed_seed():
    recorded = draw(POOL_200, LIMITS, "9")
    problems = verify(POOL_200, LIMITS, "10", recorded)
    assert problems and problems[0].startswith("抽取结果不一致（第")
    assert not any("快照哈希" in p for p in problems)


def test_verify_reports_a_pool_that_can_no_longer_be_drawn():
    recorded = draw(simple_pool(5), DrawLimits(count=5), "1")
    problems = verify(simple_pool(4), DrawLimits(count=5), "1", recorded)
    assert problems[0].startswith("快照哈希不一致")
    assert "无法重算" in problems[1] and "还差1名" in problems[1]


# -------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("limits", "pool", "seed", "message"),
    [
        (DrawLimits(count=0), simple_pool(3), "1", "抽取人数"),
        (DrawLimits(count=1, backups=-1), simple_pool(3), "1", "备选人数"),
        (DrawLimits(count=1, max_per_unit=0), simple_pool(3), "1", "同一单位人数上限"),
        (DrawLimits(count=1, max_per_prefecture=0), simple_pool(3), "1", "同一地市人数上限"),
        (DrawLimits(count=1), simple_pool(3) + simple_pool(2), "1", "专家编号重复：#1、#2"),
        (DrawLimits(count=1), simple_pool(3), "   ", "随机种子不能为空"),
        (DrawLimits(count=1), simple_pool(3), "", "随机种子不能为空"),
        (DrawLimits(count=1), [Candidate(1, "  ", None, ())], "1", "未填写工作单位"),
        (DrawLimits(count=1), [Candidate(1, "甲", None, (), recent_panels=-1)], "1", "近期"),
        (DrawLimits(count=1, specialties=("",)), simple_pool(3), "1", "专业要求"),
    ],
)
def test_validation_errors(limits, pool, seed, message):
    with pytest.raises(ValueError, match=message):
        draw(pool, limits, seed)


def brute_force_max(pool, limits):
    """Largest subset within both limits, by exhaustive search (small pools only)."""
    from itertools import combinations

    for size in range(len(pool), 0, -1):
        for combo in combinations(pool, size):
            units = Counter(c.unit for c in combo)
            prefs = Counter(c.prefecture for c in combo if c.prefecture is not None)
            if (limits.max_per_unit is None or max(units.values()) <= limits.max_per_unit) and (
                limits.max_per_prefecture is None
                or not prefs
                or max(prefs.values()) <= limits.max_per_prefecture
            ):
                return size
    return 0


@settings(max_examples=150, deadline=None)
@given(
    cells=st.lists(
        st.tuples(st.sampled_from("ABCDE"), st.sampled_from(["X", "Y", "Z", None])),
        max_size=9,
    ),
    count=st.integers(1, 5),
    backups=st.integers(0, 2),
    max_per_unit=st.integers(1, 2),
    max_per_prefecture=st.integers(1, 2),
    seed=st.integers(0, 1000),
)
def test_draw_succeeds_exactly_when_the_limits_allow(
    cells, count, backups, max_per_unit, max_per_prefecture, seed
):
    pool = [Candidate(i, u, p, ()) for i, (u, p) in enumerate(cells, start=1)]
    limits = DrawLimits(
        count=count,
        backups=backups,
        max_per_unit=max_per_unit,
        max_per_prefecture=max_per_prefecture,
    )
    best = brute_force_max(pool, limits)
    try:
        result = draw(pool, limits, str(seed))
    except DrawShortfall as exc:
        assert best < count + backups
        assert min(s.available for s in exc.shortfalls) == best
        return
    assert best >= count + backups
    check_result(pool, limits, result)


def test_combined_is_added_when_it_binds_harder_than_each_limit_alone():
    pool = [
        Candidate(1, "A", "X", ()),
        Candidate(2, "B", "X", ()),
        Candidate(3, "C", "X", ()),
        Candidate(4, "A", "Y", ()),
        Candidate(5, "A", "Z", ()),
    ]
    with pytest.raises(DrawShortfall) as exc:
        draw(pool, DrawLimits(count=6, max_per_unit=1, max_per_prefecture=1), "1")
    kinds = [(s.limit, s.available) for s in exc.value.shortfalls]
    assert kinds == [
        ("eligible", 5),
        ("max_per_unit", 3),
        ("max_per_prefecture", 3),
        ("combined", 2),
    ]
