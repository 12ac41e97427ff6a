"""The rules under the redaction: place data, short-form distinctiveness, NER guards, merging."""

from review_app.anonymise import ner
from review_app.anonymise.places import place_forms, place_table
from review_app.anonymise.redact import redact_text
from review_app.anonymise.redaction_types import Identity
from review_app.anonymise.shortforms import derived_forms, is_distinctive
from review_app.anonymise.spans import Span, merge
from review_app.anonymise.variants import char_variants, fold, mask_tokens
from review_app.intake.reference import prefectures

NOBODY = Identity("无关企业有限公司")


def test_henan_places_lists_every_county_level_division():
    table = place_table()
    assert len(table.county_of) == 157
    assert set(table.county_of.values()) == set(prefectures()) - {"航空港区"}
    assert table.county_of["偃师区"] == "洛阳市"
    assert table.county_of["济源市"] == "济源示范区"
    assert {"中原", "上街", "博爱"} <= table.not_alone
    assert "中原" not in table.county_short and "偃师" in table.county_short


def test_every_prefecture_and_its_short_form_is_redacted():
    for name in prefectures():
        short = name.removesuffix("市")
        for form in {name, short}:
            assert redact_text(f"产品销往{form}等地", NOBODY).text == "产品销往【地名】等地", form


def test_a_sample_of_counties_full_and_short():
    for county in (
        "管城回族区",
        "巩义市",
        "兰考县",
        "栾川县",
        "林州市",
        "淅川县",
        "固始县",
        "鹿邑县",
    ):
        assert redact_text(f"在{county}设厂", NOBODY).text == "在【地名】设厂", county
    for short in ("栾川", "林州", "固始", "鹿邑", "兰考"):
        assert redact_text(f"在{short}设厂", NOBODY).text == "在【地名】设厂", short


def test_town_after_a_county_belongs_to_the_place():
    redaction = redact_text("厂区在偃师区首阳山街道，", NOBODY)
    assert redaction.text == "厂区在【地名】，"
    assert redaction.replacements[0].original == "偃师区首阳山街道"
    assert redact_text("新郑市城关乡孟庄村", NOBODY).text == "【地名】"
    assert redact_text("郑州市推进乡村振兴", NOBODY).text == "【地名】推进乡村振兴"


def test_place_forms_of_the_applicant():
    assert place_forms("洛阳市") == ["洛阳市", "洛阳"]
    assert place_forms("洛阳市偃师区") == ["偃师区", "偃师"]
    assert place_forms("中原区") == ["中原区"]
    assert set(place_forms("航空港区")) >= {"航空港区", "郑州航空港", "航空港"}
    assert place_forms(None) == []


def test_distinctive_short_forms():
    assert is_distinctive("宏润") and is_distinctive("宇通客车") and is_distinctive("中信")
    for generic in ("智能", "装备", "智能装备", "河南科技", "公司", "本公司", "洛阳", "偃师", "ZY"):
        assert not is_distinctive(generic), generic
    assert not is_distinctive("中原") and is_distinctive("中原", declared=True)


def test_derived_forms_of_a_name_with_a_common_word_core():
    forms = derived_forms("河南中原智能装备有限公司")
    assert "中原智能装备" in forms and "中原智能" in forms and "中原公司" in forms
    assert "中原" not in forms and "智能装备" not in forms
    assert redact_text("中原地区领先的中原智能", Identity("河南中原智能装备有限公司")).text == (
        "中原地区领先的【企业】"
    )


def test_derived_forms_strip_regions_legal_and_trade_words():
    forms = derived_forms("河南省洛阳宏润新材料科技股份有限公司")
    assert {"洛阳宏润新材料科技", "宏润新材料科技", "宏润新材料", "宏润新材", "宏润"} <= set(forms)
    assert "河南省洛阳宏润新材料科技股份有限公司" not in forms


def test_technical_words_tagged_as_names_are_kept():
    text = "高精度温控模块由车间主任统筹，方案经专家论证，管理成本下降，由于石墨烯涂层寿命提高。"
    assert redact_text(text, NOBODY).replacements == []
    assert not ner.looks_like_name("高精度") and ner.looks_like_name("王建国")
    assert ner.looks_like_name("欧阳明远") and not ner.looks_like_name("王建国强")


def test_places_outside_henan_only_when_tagged_as_places():
    redaction = redact_text("与北京、深圳的伙伴合作，联合上海交通大学攻关。", NOBODY)
    assert redaction.text == "与【地名】、【地名】的伙伴合作，联合上海交通大学攻关。"
    assert {r.source for r in redaction.replacements} == {"ner"}


def test_merge_keeps_the_longest_kind_and_covers_the_union():
    spans = [
        Span(0, 3, "place", "known"),
        Span(0, 12, "address", "pattern"),
        Span(10, 14, "person", "ner"),
        Span(20, 22, "phone", "pattern"),
        Span(20, 22, "phone", "known"),
    ]
    assert merge(spans) == [Span(0, 14, "address", "pattern"), Span(20, 22, "phone", "known")]


def test_fold_and_mask_keep_offsets():
    text = "电话０３７１　６５５０【电话】ＡＢＣ"
    assert fold(text) == "电话0371 6550【电话】ABC"
    assert len(mask_tokens(text)) == len(text) and "【" not in mask_tokens(text)
    assert {"阳", "陽"} <= char_variants("阳") and {"发", "發", "髮"} <= char_variants("發")


NARRATIVE = (
    "公司积极践行新发展理念，坚持以人为本，推动高质量发展，获评全国文明单位。",
    "与清华大学、浙江大学、华中科技大学开展产学研合作，共建院士工作站和博士后科研工作站。",
    "产品出口德国、美国、日本、俄罗斯等30多个国家和地区，海外营收占比25%。",
    "采用西门子、施耐德、ABB、发那科、库卡、海康威视的设备和视觉系统。",
    "荣获中国机械工业科学技术奖一等奖、河南省科学技术进步奖二等奖、中国工业大奖提名奖。",
    "落实黄河流域生态保护和高质量发展战略，融入长江经济带和京津冀协同发展。",
    "严格执行新安全生产法，强化安全生产许可证管理，周期性开展隐患排查。",
    "企业被认定为高新技术企业、省级企业技术中心、河南省工程技术研究中心，县域经济龙头。",
    "引入区块链技术实现质量数据可信存证，采用华为云、阿里云、用友、金蝶、SAP等平台。",
    "以鲁班精神和雷锋精神为引领，弘扬劳模精神和工匠精神，培养高级技师32名。",
    "成立以董事长为组长的智能制造领导小组，总经理任副组长，各部门负责人为成员。",
    "项目总投资3.2亿元，其中软件投资6,500万元，建设期自2024年3月至2026年12月。",
    "通过两化融合管理体系AA级评定，获得ISO 9001、ISO 14001和IATF 16949认证。",
    "与宇通、比亚迪、宁德时代、许继电气建立长期合作。",
    "公司党委书记、董事长带领团队攻克卡脖子技术，申请发明专利56项。",
)


def test_a_realistic_narrative_without_identifiers_is_left_alone():
    for sentence in NARRATIVE:
        assert redact_text(sentence, NOBODY).replacements == [], sentence
