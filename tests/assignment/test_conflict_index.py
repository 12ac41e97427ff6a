"""The indexed conflict matrix finds exactly what ``detect`` finds on every pair: the index only
narrows which pairs are looked at (review_app/assignment/conflict_index.py)."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from review_app.assignment import conflict_index
from review_app.assignment.conflict_index import EnterpriseIndex, matrix
from review_app.assignment.conflicts import EnterpriseFacts, ExpertFacts, Relation, detect
from review_app.enterprises.uscc import make_uscc

YEAR = 2026
PREFECTURES = ["郑州市", "洛阳市", "开封市", "航空港区", "郑州", None, "不存在市"]
UNITS = ["中原轴承", "中原轴承精密", "宇通", "宇通客车", "华信智能", "郑州大学", "许继电气",
         "中信重工", "河南科技", "智能装备", "洛阳轴研", "新乡化纤", "平高电气", "平高"]  # fmt: skip
SUFFIXES = [
    "股份有限公司",
    "有限公司",
    "集团有限公司技术中心",
    "科技有限公司",
    "",
    "（集团）有限公司",
]
FILLER = "本项目完成了产线的数字化改造和数据采集，建设了智能仓储与质量追溯系统。"


def _uscc(k: int) -> str:
    return make_uscc("410100", f"MA{k:06d}")


def _pairwise(experts, enterprises, same_prefecture=True):
    out = {}
    for x in experts:
        for e in enterprises:
            found = detect(x, e, year=YEAR, same_prefecture=same_prefecture)
            if found:
                out[(x.expert_id, e.enterprise_id)] = found
    return out


def _world(rng: random.Random, n_experts: int, n_enterprises: int):
    enterprises = []
    for k in range(n_enterprises):
        unit = rng.choice(UNITS)
        texts = [FILLER]
        for _ in range(rng.randint(0, 2)):  # a supplier named in the texts, maybe
            texts.append(f"系统集成商为{rng.choice(UNITS)}{rng.choice(SUFFIXES)}，{FILLER}")
        enterprises.append(EnterpriseFacts(100 + k, unit + rng.choice(SUFFIXES), _uscc(k),
                                           rng.choice(PREFECTURES), tuple(texts)))  # fmt: skip
    experts = []
    for k in range(n_experts):
        relations = []
        for _ in range(rng.randint(0, 2)):
            target = rng.randrange(n_enterprises + 3)  # some name no enterprise here
            relations.append(Relation(
                _uscc(target) if rng.random() < 0.5 else None,
                rng.choice(UNITS) + rng.choice(SUFFIXES) if rng.random() < 0.7 else None,
                rng.choice(["employment", "shareholding", "cooperation"]),
                rng.choice([None, 2015, 2023]), rng.choice([None, 2020, 2025]),
            ))  # fmt: skip
        experts.append(ExpertFacts(k + 1, f"专家{k}", rng.choice(UNITS) + rng.choice(SUFFIXES),
                                   rng.choice(PREFECTURES), tuple(relations)))  # fmt: skip
    return experts, enterprises


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), same_prefecture=st.booleans())
def test_the_indexed_matrix_is_detect_on_every_pair(seed, same_prefecture):
    experts, enterprises = _world(random.Random(seed), 12, 15)
    assert matrix(experts, enterprises, year=YEAR, same_prefecture=same_prefecture) == (
        _pairwise(experts, enterprises, same_prefecture)
    )


def test_every_rule_is_found_through_the_index():
    experts, enterprises = _world(random.Random(7), 60, 80)
    found = matrix(experts, enterprises, year=YEAR)
    assert found == _pairwise(experts, enterprises)
    rules = {f.rule for findings in found.values() for f in findings}
    assert rules == {"same_employer", "former_employer", "declared_relation", "same_prefecture",
                     "supplier_mentioned"}  # fmt: skip


def test_the_index_narrows_the_pairs_it_looks_at():
    experts, enterprises = _world(random.Random(3), 40, 200)
    index = EnterpriseIndex(enterprises, experts)
    looked_at = sum(len(index.candidates(x, True) | index.mentioning(x)) for x in experts)
    assert looked_at < len(experts) * len(enterprises) / 2
    # and a unit named nowhere is looked for nowhere
    stranger = ExpertFacts(999, "外人", "深圳鹏城实验室", None, ())
    assert index.candidates(stranger, True) == set() and index.mentioning(stranger) == set()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), same_prefecture=st.booleans())
def test_one_expert_at_a_time_is_detect_on_every_pair(seed, same_prefecture):
    """A sign-in runs the matrix for one expert: few bigrams wanted, each searched for in the
    texts; the same findings as ``detect`` on every pair (and as the cut-into-bigrams way)."""
    experts, enterprises = _world(random.Random(seed), 6, 15)
    for expert in experts:
        assert matrix([expert], enterprises, year=YEAR, same_prefecture=same_prefecture) == (
            _pairwise([expert], enterprises, same_prefecture)
        )


def test_searching_few_bigrams_gives_the_postings_of_cutting_the_texts(monkeypatch):
    experts, enterprises = _world(random.Random(11), 30, 60)
    for expert in experts:
        searched = EnterpriseIndex(enterprises, [expert]).postings
        monkeypatch.setattr(conflict_index, "SEARCHED_BIGRAMS", -1)  # always cut into bigrams
        cut = EnterpriseIndex(enterprises, [expert]).postings
        monkeypatch.undo()
        assert searched == cut
    assert any(EnterpriseIndex(enterprises, [x]).postings for x in experts)  # some are found
