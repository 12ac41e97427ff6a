"""The leak scan finds every variant of a known identifier, and nothing in clean text."""

import pytest

from review_app.anonymise.leakscan import scan, scan_sections
from review_app.anonymise.redact import redact_text
from review_app.anonymise.redaction_types import Identity

from .corpus import technical_text

IDENTITY = Identity(
    enterprise_name="洛阳宏润智能装备股份有限公司",
    uscc="91410300MA44ABCD1X",
    people=["王建国", "李晓红"],
    phones=["0379-64321234", "13803791234"],
    emails=["lixh@hrzn.com.cn"],
    addresses=["河南省洛阳市涧西区建设路123号"],
    prefecture="洛阳市",
    county="涧西区",
    extra_terms=["润鑫云", "HR-3000"],
    allowed_terms=["洛阳理工学院"],
    short_forms=["润装"],
)

VARIANTS = [
    # (planted text, kind)
    ("洛阳宏润智能装备股份有限公司", "enterprise"),
    ("洛 阳 宏 润 智 能 装 备 股 份 有 限 公 司", "enterprise"),
    ("洛阳宏润智能装\n备股份有限公司", "enterprise"),
    ("洛陽宏潤智能裝備股份有限公司", "enterprise"),
    ("宏润智能", "enterprise"),
    ("宏·润·智·能", "enterprise"),
    ("宏润\u200b公司", "enterprise"),
    ("润装", "enterprise"),
    ("润鑫云", "enterprise"),
    ("ＨＲ－３０００", "enterprise"),
    ("王 建 国", "person"),
    ("李曉紅", "person"),
    ("91410300MA44ABCD1X", "code"),
    ("9141 0300 MA44 ABCD 1X", "code"),
    ("91410300ma44abcd1x", "code"),
    ("０３７９－６４３２１２３４", "phone"),
    ("(0379)6432-1234", "phone"),
    ("+86 379 6432 1234", "phone"),
    ("6432 1234", "phone"),
    ("138-0379-1234", "phone"),
    ("+86 13803791234", "phone"),
    ("lixh@hrzn.com.cn", "email"),
    ("lixh（at）hrzn.com.cn", "email"),
    ("lixh[at]hrzn.com.cn", "email"),
    ("lixh＠hrzn.com.cn", "email"),
    ("LIXH at hrzn dot com dot cn", "email"),
    ("hrzn.com.cn", "url"),
    ("河南省洛阳市涧西区建设路123号", "address"),
    ("涧西区建设路123号", "address"),
    ("建设路", "address"),
    ("洛阳", "place"),
    ("澗西區", "place"),
]


@pytest.mark.parametrize(("planted", "kind"), VARIANTS)
def test_each_variant_is_found_where_it_was_planted(planted, kind):
    before = "公司近年来持续推进数字化转型，"
    text = before + planted + "，相关成果已通过验收。"
    leaks = scan(text, IDENTITY, "link.rnd")
    assert leaks, planted
    first = leaks[0]
    assert first.section == "link.rnd"
    assert first.kind == kind
    assert first.position == len(before) + len(planted) - len(planted.lstrip("(（"))
    assert first.found == text[first.position : first.position + len(first.found)]
    assert planted.lstrip("(（")[:1] in first.found
    assert first.found in first.context
    assert len(leaks) == 1 or all(leak.position >= len(before) for leak in leaks)


def test_a_leak_names_the_identifier_it_matches():
    [leak] = scan("联系人：李 晓 红。", IDENTITY)
    assert (leak.identifier, leak.kind, leak.found, leak.position) == (
        "李晓红",
        "person",
        "李 晓 红",
        4,
    )
    assert leak.context == "联系人：李 晓 红。"


def test_nothing_in_clean_technical_text():
    assert scan(technical_text(), IDENTITY) == []
    text = (
        "上线MES、ERP、APS系统，设备联网率96.5%，投资1,200万元，GB/T 39116-2020三级；"
        "2024年营收6,432万元，13,803台设备，建设路径清晰，数字化建设路线图已发布。"
    )
    assert scan(text, IDENTITY) == []


def test_tokens_are_ignored_and_do_not_join_halves():
    text = "【企业】【人名】【电话】【邮箱】【网址】【地址】【地名】【代码】；宏【企业】润；王【人名】建国"
    assert scan(text, IDENTITY) == []


def test_allowed_terms_are_not_leaks():
    assert scan("与洛阳理工学院合作", IDENTITY) == []
    assert [leak.found for leak in scan("与洛阳的理工学院合作", IDENTITY)] == ["洛阳"]


def test_nested_matches_are_reported_once():
    leaks = scan("河南省洛阳市涧西区建设路123号", IDENTITY)
    assert [(leak.kind, leak.found) for leak in leaks] == [
        ("address", "河南省洛阳市涧西区建设路123号")
    ]


def test_scan_sections_reports_each_section():
    leaks = scan_sections({"a": "干净的文本", "b": "宏润智能", "c": "电话13803791234"}, IDENTITY)
    assert [(leak.section, leak.kind) for leak in leaks] == [("b", "enterprise"), ("c", "phone")]


def test_redaction_leaves_no_leak_for_its_identity():
    text = " ".join(planted for planted, _kind in VARIANTS)
    assert len(scan(text, IDENTITY)) >= len(VARIANTS) // 2
    redacted = redact_text(text, IDENTITY).text
    assert scan(redacted, IDENTITY) == []
