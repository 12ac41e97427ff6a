"""The 申报书 of 附件1 as data: its parts, the numbered headings of each track's sections and the
form's own instruction lines. The template writes this layout; the parser reads it back.

The documents the instruction lines cite (《智能工厂梯度培育要素条件（<year>年版）》…) change with
the year's notice: they are the ``[form]`` table of the program data file
(``review_app/data/program-<year>.toml``); the form is written with the newest program's, and
the parser recognises the lines of every shipped program."""

from ..applications.catalogue import BY_KEY
from ..programs.years import program_files, read_program

# 一 … 五: the parts of the form.
PARTS = {
    1: ("一、", "申报主体基本信息"),
    2: ("二、", "智能工厂建设总体情况"),
    3: ("三、", "重点环节智能化建设情况"),
    4: ("四、", "卓越级智能工厂培育企业后续实施计划"),
    5: ("五、", "领航级智能工厂培育企业实施方案"),
}
# The two sub-parts of part 三, one per track.
SUBPARTS = {
    "excellent": ("（一）", "卓越级智能工厂培育企业"),
    "leading": ("（二）", "领航级智能工厂培育企业"),
}
# The cited documents: {"standard": "《…要素条件（…年版）》", "scenario_guide": "《…》"}.
FORM = read_program()["form"]


def _subpart_intros(standard: str) -> dict[str, str]:
    return {
        "excellent": f"应根据{standard}要求，围绕工厂建设、研发设计、生产作业、生产管理、运营管理等方面"
        "阐述智能化建设匹配情况，原则上须覆盖上述五个方面，鼓励申报主体强化人工智能等数智技术应用。"
        "典型场景确保全面覆盖核心建设内容，完整呈现智能工厂建设全貌。",
        "leading": f"应根据{standard}要求，围绕工厂建设、研发设计、生产作业、生产管理、运营管理等方面，"
        "重点阐述应用人工智能等数智技术带来的业务模式等创新变革情况。",
    }


SUBPART_INTROS = _subpart_intros(FORM["standard"])
OVERVIEW_NOTE = (
    "注：申报卓越级智能工厂培育企业需提供（一）（二）部分内容，申报领航级智能工厂培育企业需提供"
    "（一）（二）（三）（四）部分内容。"
)
PROFILE_INSTRUCTION = "（发展历程、主营业务、市场份额等方面基本情况，不超过1000字。）"
PROMISE = "本企业承诺所填内容真实、准确，并积极配合省工业和信息化厅的培育工作，按计划推进智能化升级，按要求报送进展情况。"

_STANDARD = "按照{standard}中{level}智能工厂的要素条件要求，"
_LINK_EXCELLENT = {
    "link.factory": "详细阐述工厂建设环节情况，不超过1500字。",
    "link.rnd": "详细阐述研发设计环节的情况，不超过1500字。",
    "link.production": "详细阐述生产作业环节的情况，不超过1500字。",
    "link.prod_mgmt": "详细阐述生产管理环节的情况，不超过1500字。",
    "link.operations": "详细阐述运营管理环节的情况，不超过1500字。",
}
_LINK_LEADING = {
    "link.factory": "围绕技术创新、模式变革等方面，阐述工厂建设方面智能化情况，不超过1500字。",
    "link.rnd": "围绕技术创新、模式变革等方面，阐述研发设计方面智能化建设情况，不超过1500字。",
    "link.production": "围绕技术突破、工艺创新、模式变革等方面，阐述生产作业方面智能化建设情况，"
    "不超过1500字。",
    "link.prod_mgmt": "围绕技术突破、模式变革、组织方式变革等方面，阐述生产管理方面智能化建设情况，"
    "不超过1500字。",
    "link.operations": "围绕技术突破、模式变革、组织方式变革等方面，阐述运营管理方面智能化建设情况，"
    "不超过1500字。",
}
_FIXED_INSTRUCTIONS = {
    "overview.background": "围绕智能工厂建设实施背景、基础条件、建设历程、核心产品等方面进行描述，"
    "不超过1000字。",
    "overview.integration": "围绕智能工厂建设总体架构、业务协同、系统集成、数据贯通等方面进行描述，"
    "不超过1500字。",
    "overview.tech_change": "围绕智能工厂应用人工智能、数字孪生等数智技术带来的技术体系变革方面进行"
    "描述，不超过1500字。",
    "overview.org_change": "围绕智能工厂应用人工智能、数字孪生等数智技术带来的工厂运营管理、组织方式"
    "等架构变革方面进行描述，不超过1500字。",
    "scheme.goals": "培育目标应为两年内工厂建设预期达到的目标，可围绕智能化水平、模式创新、经济性、"
    "复制推广、标准研制、人才培养等方面展开，不超过2000字。",
    "scheme.measures": "结合企业具体业务，围绕模式探索、技术突破、工艺创新、装备升级、组织变革等方面，"
    "阐述实现目标的方法与路径，不超过5000字。",
    "scheme.safeguards": "围绕组织机制、资金、人才等方面阐述如何推进领航级智能工厂培育工作，"
    "不超过3000字。",
}
_CN = "一二三四五六"


def _scenarios(guide: str) -> str:
    return (
        f"在卓越级智能工厂申报书的基础上，参考{guide}，补充新建的成效突出典型场景，并对卓越级智能工厂"
        "申报场景中有改造升级的进行更新。"
    )


def instruction(key: str, track: str, form: dict | None = None) -> str | None:
    """The form's instruction line under section ``key`` on ``track`` (None where it has none),
    citing ``form``'s documents (default: the newest program's)."""
    form = FORM if form is None else form
    if key in _LINK_EXCELLENT:
        level, tail = (
            ("卓越级", _LINK_EXCELLENT[key])
            if track == "excellent"
            else ("领航级", _LINK_LEADING[key])
        )
        return _STANDARD.format(standard=form["standard"], level=level) + tail
    if key == "link.scenarios":
        return _scenarios(form["scenario_guide"])
    return _FIXED_INSTRUCTIONS.get(key)


def all_instructions() -> list[str]:
    """Every instruction text of the form, as every shipped program words it, for the parser to
    recognise if left in."""
    lines = [PROFILE_INSTRUCTION, OVERVIEW_NOTE, *_FIXED_INSTRUCTIONS.values()]
    for name in program_files().values():
        form = read_program(name)["form"]
        lines += [*_subpart_intros(form["standard"]).values(), _scenarios(form["scenario_guide"])]
        for key in _LINK_EXCELLENT:
            lines += [instruction(key, "excellent", form), instruction(key, "leading", form)]
    return list(dict.fromkeys(lines))


def _keys(prefix: str, track: str) -> list[str]:
    return [k for k, s in BY_KEY.items() if k.startswith(prefix) and track in s.tracks]


def layout(track: str) -> list[tuple[str, str, str | None]]:
    """The headings and lines of ``track``'s form after the basic-information table, in order:
    ("part", "二、智能工厂建设总体情况", None), ("subpart", "（一）卓越级…", intro),
    ("section", key, heading text) and ("note", text, None)."""
    out: list[tuple[str, str, str | None]] = [("part", "".join(PARTS[2]), None)]
    for i, key in enumerate(_keys("overview.", track)):
        out.append(("section", key, f"（{_CN[i]}）{BY_KEY[key].title}"))
    out.append(("note", OVERVIEW_NOTE, None))
    out.append(("part", "".join(PARTS[3]), None))
    out.append(("subpart", "".join(SUBPARTS[track]), SUBPART_INTROS[track]))
    for i, key in enumerate(_keys("link.", track)):
        out.append(("section", key, f"{i + 1}. {BY_KEY[key].title}"))
    last = 4 if track == "excellent" else 5
    out.append(("part", "".join(PARTS[last]), None))
    for i, key in enumerate(_keys("plan." if track == "excellent" else "scheme.", track)):
        out.append(("section", key, f"（{_CN[i]}）{BY_KEY[key].title}"))
    return out
