"""The conflict engine: each rule's positive and negative cases, and the matrix."""

import pytest

from review_app.assignment.conflict_index import matrix
from review_app.assignment.conflicts import (
    EnterpriseFacts,
    ExpertFacts,
    Relation,
    detect,
    mention_forms,
    unit_core,
)
from review_app.assignment.models import CONFLICT_RULES
from review_app.enterprises.uscc import make_uscc

YEAR = 2026
USCC = make_uscc("410300", "MA000001")
OTHER_USCC = make_uscc("410100", "MA000002")


def expert(employer="郑州大学", prefecture="开封市", relations=(), name="李四", expert_id=1):
    return ExpertFacts(expert_id, name, employer, prefecture, tuple(relations))


def enterprise(name="中原轴承股份有限公司", prefecture="洛阳市", texts=(), uscc=USCC, ent_id=10):
    return EnterpriseFacts(ent_id, name, uscc, prefecture, tuple(texts))


def rules(findings):
    return sorted(f.rule for f in findings)


def only(findings, rule):
    found = [f for f in findings if f.rule == rule]
    assert len(found) == 1, findings
    return found[0]


def test_rule_ids_are_the_models():
    findings = detect(
        expert(
            "洛阳中原轴承集团有限公司技术中心",
            "洛阳",
            [Relation(USCC, None, "consultancy", 2024, 2025)],
        ),
        enterprise(texts=("与郑州大学合作",)),
        year=YEAR,
    )
    assert {f.rule for f in findings} <= set(CONFLICT_RULES)


# -- same_employer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("employer", "name"),
    [
        ("洛阳中原轴承集团有限公司技术中心", "中原轴承股份有限公司"),
        ("中原轴承股份有限公司", "洛阳中原轴承集团有限公司"),
        ("河南省宇通客车股份有限公司郑州分公司", "宇通客车股份有限公司"),
        ("中原轴承研究院", "中原轴承股份有限公司"),
        ("中原轴承集团有限公司", "洛阳中原轴承精密制造有限公司"),  # group and subsidiary
        ("郑州大学", "郑州大学"),
    ],
)
def test_same_employer_matches_group_and_affiliates(employer, name):
    f = only(detect(expert(employer), enterprise(name), year=YEAR), "same_employer")
    assert f.source == "detected" and f.status == "active"
    assert employer in f.evidence and name in f.evidence


@pytest.mark.parametrize(
    ("employer", "name"),
    [
        ("郑州大学", "中原轴承股份有限公司"),  # a university, unrelated name
        ("郑州机械研究所", "郑州华信智能科技有限公司"),
        ("中原重工有限公司", "中原轴承股份有限公司"),  # same first word, different core
        ("河南省智能制造研究院", "洛阳智能制造有限公司"),  # generic cores never match
        ("洛阳科技有限公司", "洛阳科技发展有限公司"),
        ("河南智能装备有限公司", "郑州智能装备有限公司"),
    ],
)
def test_same_employer_negative(employer, name):
    findings = detect(expert(employer), enterprise(name), year=YEAR, same_prefecture=False)
    assert "same_employer" not in rules(findings)


def test_generic_cores_have_no_core():
    assert unit_core("河南智能装备股份有限公司") is None
    assert unit_core("河南省智能制造研究院") is None
    assert unit_core("洛阳中原轴承集团有限公司技术中心") == "中原轴承"
    assert unit_core("郑州大学") == "郑州大学"


# -- former_employer ---------------------------------------------------------------------------


@pytest.mark.parametrize(("end_year", "conflict"), [(2023, True), (2022, False), (None, True)])
def test_former_employer_three_year_boundary(end_year, conflict):
    rel = Relation(None, "洛阳中原轴承集团有限公司", "employment", 2015, end_year)
    findings = detect(expert(relations=[rel]), enterprise(), year=YEAR)
    assert ("former_employer" in rules(findings)) is conflict
    assert "declared_relation" not in rules(findings)
    if conflict:
        f = only(findings, "former_employer")
        assert f.source == "declared" and "洛阳中原轴承集团有限公司" in f.evidence


def test_former_employer_by_uscc_and_not_other_enterprises():
    rel = Relation(USCC.lower(), None, "employment", 2020, 2024)
    assert "former_employer" in rules(detect(expert(relations=[rel]), enterprise(), year=YEAR))
    other = enterprise("宇通客车股份有限公司", uscc=OTHER_USCC)
    assert detect(expert(relations=[rel]), other, year=YEAR, same_prefecture=False) == []


# -- declared_relation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["consultancy", "shareholding", "relative", "helped_write", "other"]
)
def test_declared_relation_kinds_by_uscc(kind):
    rel = Relation(USCC, None, kind, 2010, 2012)  # no time limit on declared relations
    f = only(detect(expert(relations=[rel]), enterprise(), year=YEAR), "declared_relation")
    assert f.source == "declared" and USCC in f.evidence


def test_declared_relation_by_name_and_negative():
    rel = Relation(None, "中原轴承股份有限公司", "consultancy", 2022, 2024)
    f = only(detect(expert(relations=[rel]), enterprise(), year=YEAR), "declared_relation")
    assert "咨询服务" in f.evidence and "2022—2024" in f.evidence
    unrelated = Relation(OTHER_USCC, "宇通客车股份有限公司", "consultancy", 2022, 2024)
    assert detect(expert(relations=[unrelated]), enterprise(), year=YEAR) == []


# -- same_prefecture ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mine", "theirs", "conflict"),
    [
        ("洛阳", "洛阳市", True),
        ("济源", "济源示范区", True),
        ("郑州航空港经济综合实验区", "航空港区", True),
        ("航空港区", "郑州市", False),
        ("开封市", "洛阳市", False),
        (None, "洛阳市", False),
    ],
)
def test_same_prefecture_aliases(mine, theirs, conflict):
    findings = detect(expert(prefecture=mine), enterprise(prefecture=theirs), year=YEAR)
    assert ("same_prefecture" in rules(findings)) is conflict


def test_same_prefecture_switch_off():
    findings = detect(expert(prefecture="洛阳市"), enterprise(), year=YEAR, same_prefecture=False)
    assert findings == []
    on = only(detect(expert(prefecture="洛阳市"), enterprise(), year=YEAR), "same_prefecture")
    assert on.source == "detected" and "洛阳市" in on.evidence


# -- supplier_mentioned ------------------------------------------------------------------------

TEXT = (
    "本项目由外部单位实施，系统集成商为郑州华信智能科技有限公司，完成了产线的数字化改造和数据采集。"
)


@pytest.mark.parametrize(
    "employer", ["郑州华信智能科技有限公司", "华信智能", "华信智能科技有限公司研发中心"]
)
def test_supplier_mentioned_pending_with_quote(employer):
    f = only(
        detect(expert(employer), enterprise(texts=("其他内容", TEXT)), year=YEAR),
        "supplier_mentioned",
    )
    assert f.status == "pending" and f.source == "detected"
    assert "系统集成商为郑州华信智能科技有限公司" in f.evidence
    quote = f.evidence.split("：“", 1)[1]
    assert len(quote) < 45  # about 20 characters around the mention, not the whole text


def test_supplier_not_mentioned_and_generic_units_never_searched():
    assert detect(expert("郑州大学"), enterprise(texts=(TEXT,)), year=YEAR) == []
    generic = expert("河南智能科技有限公司")
    assert mention_forms(generic.employer) == ()
    assert detect(generic, enterprise(texts=("采用智能科技手段",)), year=YEAR) == []
    # 中原 is an everyday word and a place: a unit called 中原 is not searched for
    assert (
        detect(
            expert("河南中原有限公司"),
            enterprise("宇通客车股份有限公司", texts=("地处中原腹地",)),
            year=YEAR,
            same_prefecture=False,
        )
        == []
    )


def test_own_name_is_not_a_supplier_mention():
    ent = enterprise(texts=("中原轴承股份有限公司成立于1958年",))
    assert rules(detect(expert("中原轴承股份有限公司"), ent, year=YEAR)) == ["same_employer"]


# -- matrix ------------------------------------------------------------------------------------


def test_matrix_lists_only_pairs_with_findings():
    experts = [
        expert("洛阳中原轴承集团有限公司技术中心", "开封市", expert_id=1),
        expert("郑州大学", "开封市", expert_id=2),
        expert("华信智能", "郑州市", expert_id=3),
    ]
    enterprises = [
        enterprise(ent_id=10),
        enterprise("宇通客车股份有限公司", "郑州市", (TEXT,), OTHER_USCC, ent_id=11),
    ]
    result = matrix(experts, enterprises, year=YEAR)
    assert set(result) == {(1, 10), (3, 11)}
    assert rules(result[(1, 10)]) == ["same_employer"]
    assert rules(result[(3, 11)]) == ["same_prefecture", "supplier_mentioned"]
    off = matrix(experts, enterprises, year=YEAR, same_prefecture=False)
    assert rules(off[(3, 11)]) == ["supplier_mentioned"]
