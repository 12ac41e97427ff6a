"""redact_text and friends, one kind of identifier at a time."""

import pytest

from review_app.anonymise.redact import (
    identity_from_parsed,
    redact_sections,
    redact_text,
    short_forms,
    with_short_forms,
)
from review_app.anonymise.redaction_types import TOKENS, Identity
from review_app.intake.parsed import EnterpriseInfo, ParsedApplication, Person

from .corpus import technical_text

NAME = "洛阳宏润智能装备股份有限公司"
IDENTITY = Identity(
    enterprise_name=NAME,
    uscc="91410300MA44ABCD1X",
    people=["王建国", "李晓红"],
    phones=["0379-64321234", "13803791234"],
    emails=["lixh@hrzn.com.cn"],
    addresses=["河南省洛阳市涧西区建设路123号"],
    prefecture="洛阳市",
    county="涧西区",
    extra_terms=["HR-3000", "润鑫云"],
    allowed_terms=["郑州大学"],
)
NOBODY = Identity("无关企业有限公司")


def _replaced(text: str, identity: Identity = IDENTITY) -> list[tuple[str, str, str]]:
    return [(r.original, r.token, r.source) for r in redact_text(text, identity).replacements]


def test_identity_from_parsed_takes_the_form_and_the_terms():
    parsed = ParsedApplication(
        enterprise=EnterpriseInfo(
            name=" 洛阳宏润智能装备股份有限公司 ",
            uscc="91410300MA44ABCD1X",
            prefecture="洛阳市",
            county="涧西区",
            factory_address="河南省洛阳市涧西区建设路123号",
            legal_rep=Person(name="王建国", phone="13803791234"),
            contact=Person(name="李晓红", phone="0379-64321234", email="lixh@hrzn.com.cn"),
        )
    )
    identity = identity_from_parsed(
        parsed, extra_terms=["HR-3000", " "], allowed_terms=["郑州大学"]
    )
    assert identity.enterprise_name == NAME
    assert identity.uscc == "91410300MA44ABCD1X"
    assert identity.people == ["王建国", "李晓红"]
    assert identity.phones == ["13803791234", "0379-64321234"]
    assert identity.emails == ["lixh@hrzn.com.cn"]
    assert identity.addresses == ["河南省洛阳市涧西区建设路123号"]
    assert (identity.prefecture, identity.county) == ("洛阳市", "涧西区")
    assert identity.extra_terms == ["HR-3000"]
    assert identity.allowed_terms == ["郑州大学"]


def test_identity_from_an_empty_form_redacts_patterns_only():
    identity = identity_from_parsed(ParsedApplication())
    assert identity.enterprise_name == "" and identity.people == [] and identity.uscc is None
    redaction = redact_text("联系电话0371-65509873，地址郑州市金水区花园路100号。", identity)
    assert redaction.text == "联系电话【电话】，地址【地址】。"


def test_known_identifiers_are_replaced_with_their_tokens():
    text = (
        "洛阳宏润智能装备股份有限公司（统一社会信用代码91410300MA44ABCD1X）由王建国创办，"
        "联系人李晓红，邮箱lixh@hrzn.com.cn。"
    )
    redaction = redact_text(text, IDENTITY, "profile")
    assert (
        redaction.text
        == "【企业】（统一社会信用代码【代码】）由【人名】创办，联系人【人名】，邮箱【邮箱】。"
    )
    assert {r.section for r in redaction.replacements} == {"profile"}
    assert {r.source for r in redaction.replacements} == {"known"}


@pytest.mark.parametrize(
    "phone",
    [
        "0371-65509873",
        "(0379)6432-1234",
        "（0379）64321234",
        "138 0379 1234",
        "+86 138 0379 1234",
        "+86-371-6550-9873",
        "0086 371 65509873",
        "０３７１－６５５０９８７３",
        "400-888-1234",
    ],
)
def test_phone_formats(phone):
    assert redact_text(f"咨询电话{phone}。", NOBODY).text == "咨询电话【电话】。"


def test_a_short_number_is_a_phone_only_after_a_cue():
    assert redact_text("电话：6550 9873", NOBODY).text == "电话：【电话】"
    assert redact_text("年产量65509873件", NOBODY).text == "年产量65509873件"


@pytest.mark.parametrize(
    "email",
    ["abc@hrzn.com.cn", "abc（at）hrzn.com.cn", "abc[at]hrzn.com.cn", "abc＠hrzn.com.cn"],
)
def test_email_formats(email):
    assert redact_text(f"邮箱{email}。", NOBODY).text == "邮箱【邮箱】。"


@pytest.mark.parametrize(
    "url",
    ["http://www.abc.com.cn/index.html", "https://abc.cn", "www.abc.com", "abc.com.cn"],
)
def test_web_addresses(url):
    assert redact_text(f"详见{url}。", NOBODY).text == "详见【网址】。"


def test_technical_names_with_dots_are_not_web_addresses():
    text = "采用ASP.NET和Node.js开发，版本V2.0.1。"
    assert redact_text(text, NOBODY).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("公司位于郑州市金水区花园路100号。", "公司位于【地址】。"),
        ("厂区位于洛阳市洛龙区开元大道218号院3号楼。", "厂区位于【地址】。"),
        ("地址：新乡市红旗区胜利街12号，", "地址：【地址】，"),
        ("公司入驻许昌经济技术开发区。", "公司入驻【地址】。"),
        ("项目落户长葛产业集聚区。", "项目落户【地址】。"),
        ("生产基地在白沙产业集聚区。", "生产基地在【地址】。"),
    ],
)
def test_street_addresses_and_zones(text, expected):
    assert redact_text(text, NOBODY).text == expected


def test_generic_zones_stay():
    text = "公司位于省级产业集聚区，计划建设智能制造产业园。"
    assert redact_text(text, NOBODY).text == text


def test_every_henan_place_is_redacted_not_only_the_applicants():
    text = "产品销往郑州、开封、济源、航空港、偃师区、新郑、巩义、林州、汝州、永城和郑州航空港经济综合实验区。"
    redaction = redact_text(text, IDENTITY)
    assert redaction.text == "产品销往" + "、".join(["【地名】"] * 10) + "和【地名】。"


def test_everyday_words_among_short_place_forms_stay():
    text = "作为中原地区龙头，践行博爱精神，坚持创新郑重承诺，完善建设路径。"
    assert redact_text(text, NOBODY).text == text


def test_the_applicants_road_alone_is_an_address():
    redaction = redact_text("在建设路厂区新建立体仓库，并规划数字化建设路径。", IDENTITY)
    assert redaction.text == "在【地址】厂区新建立体仓库，并规划数字化建设路径。"


def test_people_found_by_named_entity_detection():
    text = "技术总监刘海涛牵头，张伟和赵敏参与，由欧阳明远负责验收。"
    redaction = redact_text(text, NOBODY)
    assert redaction.text == "技术总监【人名】牵头，【人名】和【人名】参与，由【人名】负责验收。"
    assert {r.source for r in redaction.replacements} == {"ner"}


def test_other_companies_are_redacted():
    text = "客户包括洛阳LYC轴承有限公司和西门子（中国）有限公司。"
    assert redact_text(text, NOBODY).text == "客户包括【企业】和【企业】。"


def test_technical_text_is_left_alone():
    text = technical_text()
    redaction = redact_text(text, IDENTITY)
    assert redaction.replacements == []
    assert redaction.text == text


def test_figures_systems_standards_and_years_survive():
    text = (
        "洛阳宏润智能装备股份有限公司2025年上线MES、ERP、APS、PLM、WMS、SCADA，5G+AI质检，"
        "效率提升30%，投资1,200万元，执行GB/T 39116-2020。"
    )
    assert redact_text(text, IDENTITY).text == (
        "【企业】2025年上线MES、ERP、APS、PLM、WMS、SCADA，5G+AI质检，"
        "效率提升30%，投资1,200万元，执行GB/T 39116-2020。"
    )


def test_declared_short_forms_are_found_and_redacted_in_every_section():
    sections = {
        "profile": "洛阳宏润智能装备股份有限公司（以下简称“润装”）成立于2006年。",
        "link.rnd": "润装自主研发了智能检测装置。",
    }
    assert "润装" in short_forms(IDENTITY, sections.values())
    result = redact_sections(sections, IDENTITY)
    assert result["profile"].text == "【企业】（以下简称“【企业】”）成立于2006年。"
    assert result["link.rnd"].text == "【企业】自主研发了智能检测装置。"


@pytest.mark.parametrize(
    "declaration",
    [
        "（以下简称“宏装”）",
        '(以下简称"宏装")',
        "，简称宏装，",
        "（下称“宏装”）",
        "（以下称「宏装」）",
    ],
)
def test_declaration_forms(declaration):
    text = f"洛阳宏润智能装备股份有限公司{declaration}位于洛阳。"
    assert short_forms(IDENTITY, [text]) == ["宏装"]


def test_declarations_of_other_bodies_are_not_short_forms():
    text = "河南省工业和信息化厅（以下简称“省工信厅”）组织评审。"
    assert short_forms(IDENTITY, [text]) == []
    assert redact_text(text, IDENTITY).text == text
    text = "宏润智能参加了河南省工业和信息化厅（以下简称“省工信厅”）组织的评审。"
    found = short_forms(IDENTITY, [text])
    assert "宏润智能" in found and "省工信厅" not in found


def test_a_self_reference_declares_a_short_form():
    text = "本公司（以下简称“HRZB”）成立于2006年，HRZB坚持创新。"
    assert short_forms(NOBODY, [text]) == ["HRZB"]
    assert (
        redact_text(text, NOBODY).text
        == "本公司（以下简称“【企业】”）成立于2006年，【企业】坚持创新。"
    )


def test_derived_short_forms_are_kept_when_they_occur():
    text = "宏润智能坚持创新，宏润公司获评专精特新，宏 润 智 能 与 宏润\n智能装备 同属一家。"
    found = short_forms(IDENTITY, [text])
    assert {"宏润智能", "宏润公司", "宏润智能装备"} <= set(found)
    assert "智能" not in found and "装备" not in found
    assert redact_text(text, IDENTITY).text == (
        "【企业】坚持创新，【企业】获评专精特新，【企业】 与 【企业】 同属一家。"
    )


def test_generic_words_of_the_name_stay():
    text = "智能装备行业持续发展，装备制造业智能化改造加快。"
    assert redact_text(text, IDENTITY).text == text


def test_extra_terms_are_redacted_allowed_terms_kept():
    text = "润鑫云平台与HR 3000装置由郑州大学联合研发，洛阳团队实施。"
    redaction = redact_text(text, IDENTITY)
    assert redaction.text == "【企业】平台与【企业】装置由郑州大学联合研发，【地名】团队实施。"
    assert [r.source for r in redaction.replacements][:2] == ["term", "term"]


def test_allowed_term_beats_detection_but_not_a_longer_identifier():
    identity = Identity("宏润科技有限公司", allowed_terms=["张伟"])
    redaction = redact_text("由张伟负责，宏润科技有限公司承担。", identity)
    assert redaction.text == "由张伟负责，【企业】承担。"


def test_variants_of_known_identifiers_are_redacted():
    text = (
        "洛陽宏潤智能裝備股份有限公司，王 建 国，李曉紅，电话０３７９－６４３２１２３４，"
        "+86 379 6432 1234，9141 0300 MA44 ABCD 1X，lixh（at）hrzn.com.cn。"
    )
    redaction = redact_text(text, IDENTITY)
    assert (
        redaction.text
        == "【企业】，【人名】，【人名】，电话【电话】，【电话】，【代码】，【邮箱】。"
    )


def test_tokens_cover_every_kind():
    text = (
        "洛阳宏润智能装备股份有限公司；王建国；0379-64321234；lixh@hrzn.com.cn；www.hrzn.com.cn；"
        "河南省洛阳市涧西区建设路123号；偃师；91410300MA44ABCD1X"
    )
    tokens = [r.token for r in redact_text(text, IDENTITY).replacements]
    assert tokens == [TOKENS[k] for k in TOKENS]


def test_empty_text():
    assert redact_text("", IDENTITY).text == ""
    assert redact_text("", IDENTITY).replacements == []


def test_scan_identity_keeps_the_given_short_forms():
    identity = Identity(NAME, short_forms=["HRZB"])
    assert with_short_forms(identity, ["无"]).short_forms == ["HRZB"]
    assert redact_text("HRZB成立于2006年", identity).text == "【企业】成立于2006年"
