"""The format check (形式审查) of a parsed 申报书 against the notice (二、企业入库条件, 附件1).

Pure: a ``ParsedApplication`` in, a list of ``Problem`` out. The parser's own problems
(``parsed.problems``) are not repeated here. ``CHECKS`` lists every code with its severity and
Chinese message.

Severity rule: BLOCKING where the notice states a condition the application plainly fails or
omits: a required field or section, an invalid or non-Henan USCC, a word count over the notice's
不超过 limit, maturity below the track's minimum, a declared accident or dishonesty, no national
卓越级 title on the leading track, revenue under 规模以上, not manufacturing, a chain off the list,
an enterprise already in the program, a prefecture or option outside the form's lists.
WARNING where the data is only suspicious and a person should look: a division code of another
prefecture (the code is the registering authority's, not the factory's), a score outside its
level's band, a size the head count and revenue do not support (entry_terms.py), 大类 43, an
unknown or misplaced 中类, figures out of range, missing earlier years, an organisation-code check
digit (older codes may predate it), an unanswered accident question or a missing score.
"""

import re
from collections.abc import Collection

from ..applications.catalogue import BY_KEY, required_sections
from ..applications.wordcount import word_count
from ..enterprises.uscc import ALPHABET, check_char, org_check_char
from . import entry_terms as terms
from . import reference as ref
from .parsed import (
    BLOCKING,
    NATURE_OPTIONS,
    SIZE_OPTIONS,
    WARNING,
    ParsedApplication,
    Problem,
)

B, W = BLOCKING, WARNING
CHECKS: dict[str, tuple[str, str]] = {
    "required_missing": (B, "未填写{label}。"),
    "track_invalid": (B, "申报类别“{value}”无法识别，应为卓越级或领航级智能工厂培育。"),
    "figure_missing": (W, "{year}年未填写：{labels}。"),
    "uscc_length": (B, "统一社会信用代码“{code}”应为18位，实际{n}位。"),
    "uscc_chars": (B, "统一社会信用代码“{code}”含有无效字符：{bad}（不得含I、O、Z、S、V）。"),
    "uscc_check_digit": (B, "统一社会信用代码“{code}”校验位不正确：第18位应为{want}，实为{got}。"),
    "uscc_org_check_digit": (
        W, "统一社会信用代码“{code}”中组织机构代码校验位（第17位）应为{want}，实为{got}，请核对。"
    ),
    "uscc_not_henan": (
        B, "统一社会信用代码“{code}”的登记管理机关行政区划码为{division}，不在河南省（41开头），"
        "不符合在河南省辖区内注册登记的条件。"
    ),
    "uscc_division_mismatch": (
        W, "统一社会信用代码“{code}”的行政区划码{division}{where}，与所在地市“{prefecture}”不一致，请核对。"
    ),
    "uscc_duplicate": (B, "统一社会信用代码“{code}”的企业已在本批次申报，不得重复申报。"),
    "prefecture_unknown": (B, "所在地市“{value}”不是附件3所列地市（{names}）。"),
    "option_invalid": (B, "{label}“{value}”不是表中选项（{options}）。"),
    "section_missing": (B, "缺少“{title}”部分内容（{track}必须填写）。"),
    "section_over_limit": (B, "“{title}”共{count}字，超过{limit}字的限制（多{over}字）。"),
    "maturity_level_invalid": (B, "成熟度等级“{value}”应为一级至五级。"),
    "maturity_below_minimum": (B, "智能制造能力成熟度为{level}，未达到{need}及以上的入库条件。"),
    "maturity_score_missing": (W, "未填写成熟度评估分数。"),
    "maturity_score_range": (W, "成熟度评估分数{score}超出0至5分的范围，请核对。"),
    "maturity_score_below_minimum": (
        B, "成熟度评估分数{score}对应{implied}，未达到{need}及以上的入库条件。"
    ),
    "maturity_score_band": (
        W, "成熟度评估分数{score}对应{implied}，与所填{level}不一致（{level}应为{band}）。"
    ),
    "accidents_declared": (
        B, "企业申报近三年发生较大及以上安全、环保事故或失信行为{detail}，不符合入库条件。"
    ),
    "accidents_unanswered": (W, "未勾选近三年是否发生较大及以上安全、环保事故或失信行为。"),
    "national_excellent_required": (
        B, "申报领航级智能工厂培育须已入选国家卓越级智能工厂，“是否已获得国家卓越级智能工厂称号”{said}。"
    ),
    "below_designated_size": (
        B, "{year}年主营业务收入{revenue}万元，低于规模以上工业企业的{floor}万元标准。"
    ),
    "industry_not_manufacturing": (
        B, "所属行业{what}“{value}”不是制造业（门类C，大类13-43），不符合入库条件。"
    ),
    "industry_division_unknown": (B, "所属行业大类“{value}”不是GB/T 4754-2017的大类代码。"),
    "industry_repair": (
        W, "所属行业大类43（{name}）在统计上归入服务业，请核对是否为制造业企业。"
    ),
    "industry_group_unknown": (W, "所属行业中类“{value}”不是GB/T 4754-2017的中类代码，请核对。"),
    "industry_group_mismatch": (
        W, "所属行业中类{group}（{group_name}）不属于大类{division}（{division_name}），请核对。"
    ),
    "figure_out_of_range": (W, "{year}年{label}为{value}，超出-100至100的合理范围，请核对。"),
    "figure_negative": (W, "{year}年{label}为负数（{value}），请核对。"),
}  # fmt: skip
CHECKS |= terms.CHECKS  # 划型, 产业链 names, the 成熟度 alternative (entry_terms.py)

TRACK_NAMES = {"excellent": "卓越级智能工厂培育", "leading": "领航级智能工厂培育"}
LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}
LEVEL_FLOORS = {5: 4.8, 4: 3.8, 3: 2.8, 2: 1.8, 1: 0.8}  # GB/T 39117 bands, 五级 up to 5
MAX_SCORE = 5.0
DESIGNATED_SIZE_REVENUE = 2000  # 规模以上工业企业: 主营业务收入 ≥ 2000 万元
PERCENT_RANGE = (-100.0, 100.0)
FIGURE_LABELS = {
    "total_assets": "资产总额（万元）",
    "debt_ratio": "资产负债率（%）",
    "revenue": "主营业务收入（万元）",
    "profit_margin": "利润率（%）",
}
REQUIRED_FIELDS = (
    ("enterprise.name", "企业名称"),
    ("enterprise.uscc", "统一社会信用代码"),
    ("enterprise.prefecture", "所在地市"),
    ("enterprise.nature", "企业性质"),
    ("enterprise.size", "企业类型"),
    ("enterprise.industry.division", "所属行业大类"),
    ("enterprise.chain", "所属产业链"),
    ("enterprise.legal_rep.name", "法人代表/负责人姓名"),
    ("enterprise.legal_rep.phone", "法人代表/负责人电话"),
    ("enterprise.contact.name", "联系人姓名"),
    ("enterprise.contact.phone", "联系人电话/手机"),
)


class _Findings(list):
    def add(self, code: str, field: str, /, **values) -> None:
        severity, template = CHECKS[code]
        self.append(Problem(code, severity, field, template.format(**values)))


def has_blocking(problems: Collection[Problem]) -> bool:
    """Whether any problem stops the application at the format check."""
    return any(p.severity == BLOCKING for p in problems)


def validate(
    parsed: ParsedApplication, *, min_maturity_level: int = 2, existing_usccs: Collection[str] = ()
) -> list[Problem]:
    """All problems of ``parsed``; ``min_maturity_level`` is the track's threshold (the notice
    says 二级), ``existing_usccs`` the USCCs already applying in the program."""
    out = _Findings()
    _required(parsed, out)
    _uscc(parsed, existing_usccs, out)
    _options(parsed, out)
    _sections(parsed, out)
    _maturity(parsed, min_maturity_level, out)
    _declarations(parsed, out)
    _revenue_and_size(parsed, out)
    _industry(parsed, out)
    terms.check_chain(parsed.enterprise.chain, out)
    _figures(parsed, out)
    return list(out)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _get(parsed: ParsedApplication, path: str):
    value = parsed
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _num(x: float) -> str:
    """A figure as people write it: 2000 rather than 2000.0, 3.42 rather than 3.4200."""
    return str(int(x)) if float(x).is_integer() else f"{x:.6f}".rstrip("0").rstrip(".")


def _squeeze(code: str) -> str:
    return re.sub(r"\s+", "", code).upper()


def _required(parsed: ParsedApplication, out: _Findings) -> None:
    if _blank(parsed.track):
        out.add("required_missing", "track", label="申报类别（卓越级或领航级）")
    elif parsed.track not in TRACK_NAMES:
        out.add("track_invalid", "track", value=parsed.track)
    for path, label in REQUIRED_FIELDS:
        if _blank(_get(parsed, path)):
            out.add("required_missing", path, label=label)
    for year in sorted(set(parsed.figures) | set(parsed.figure_years)):
        f = parsed.figures.get(year)
        missing = [(a, lbl) for a, lbl in FIGURE_LABELS.items() if getattr(f, a, None) is None]
        if year == parsed.last_figure_year:
            for attr, label in missing:
                out.add("required_missing", f"figures.{year}.{attr}", label=f"{year}年{label}")
        elif missing:
            labels = "、".join(lbl for _, lbl in missing)
            out.add("figure_missing", f"figures.{year}", year=year, labels=labels)


def _uscc(parsed: ParsedApplication, existing: Collection[str], out: _Findings) -> None:
    if _blank(parsed.enterprise.uscc):
        return
    code, path = _squeeze(parsed.enterprise.uscc), "enterprise.uscc"
    if len(code) != 18:
        return out.add("uscc_length", path, code=parsed.enterprise.uscc.strip(), n=len(code))
    bad = "".join(sorted({c for c in code if c not in ALPHABET}))
    if bad:
        return out.add("uscc_chars", path, code=code, bad=bad)
    if check_char(code[:17]) != code[17]:
        return out.add(
            "uscc_check_digit", path, code=code, want=check_char(code[:17]), got=code[17]
        )
    if org_check_char(code[8:16]) != code[16]:
        want = org_check_char(code[8:16])
        out.add("uscc_org_check_digit", path, code=code, want=want, got=code[16])
    division = code[2:8]
    pref = ref.resolve_prefecture(parsed.enterprise.prefecture)
    if not division.startswith(ref.HENAN_PREFIX):
        out.add("uscc_not_henan", path, code=code, division=division)
    elif pref is not None and not ref.division_fits_prefecture(division, pref):
        owner = ref.prefecture_of_division(division)
        where = f"属于{owner.name}" if owner else "不对应任何省辖市"
        out.add(
            "uscc_division_mismatch", path,
            code=code, division=division, where=where, prefecture=pref.name,
        )  # fmt: skip
    if code in {_squeeze(u) for u in existing}:
        out.add("uscc_duplicate", path, code=code)


def _option(value: str, options: tuple[str, ...]) -> str | None:
    """The option ``value`` names, also without its 企业 (民营 → 民营企业)."""
    v = value.strip()
    return next((o for o in options if v in (o, o.removesuffix("企业"))), None)


def _options(parsed: ParsedApplication, out: _Findings) -> None:
    e = parsed.enterprise
    if not _blank(e.prefecture) and ref.resolve_prefecture(e.prefecture) is None:
        names = "、".join(ref.prefectures())
        out.add("prefecture_unknown", "enterprise.prefecture", value=e.prefecture, names=names)
    for attr, options, label in (
        ("nature", NATURE_OPTIONS, "企业性质"),
        ("size", SIZE_OPTIONS, "企业类型"),
    ):
        value = getattr(e, attr)
        if not _blank(value) and not _option(value, options):
            out.add(
                "option_invalid", f"enterprise.{attr}",
                label=label, value=value, options="、".join(options),
            )  # fmt: skip


def _sections(parsed: ParsedApplication, out: _Findings) -> None:
    """Required sections per track (catalogue.py); the notice's 不超过 makes an overrun blocking."""
    if parsed.track in TRACK_NAMES:
        for spec in required_sections(parsed.track):
            if _blank(parsed.sections.get(spec.key)):
                out.add(
                    "section_missing", spec.key, title=spec.title, track=TRACK_NAMES[parsed.track]
                )
    for key, text in parsed.sections.items():
        spec = BY_KEY.get(key)
        if spec is None or spec.limit is None or not text:
            continue
        count = word_count(text)
        if count > spec.limit:
            out.add(
                "section_over_limit", key,
                title=spec.title, count=count, limit=spec.limit, over=count - spec.limit,
            )  # fmt: skip


def _band(level: int) -> str:
    floor, upper = LEVEL_FLOORS[level], LEVEL_FLOORS.get(level + 1)
    return f"{floor}至{MAX_SCORE:g}分" if upper is None else f"{floor}分及以上、{upper}分以下"


def _maturity(parsed: ParsedApplication, minimum: int, out: _Findings) -> None:
    level, score = parsed.maturity_level, parsed.maturity_score
    need = LEVEL_NAMES.get(minimum, f"{minimum}级")
    if level is None and terms.check_maturity_alternative(parsed, out):
        pass  # the form allows other proof in place of an assessed level
    elif level is None:
        out.add("required_missing", "maturity_level", label="智能制造能力成熟度评估结果")
    elif level not in LEVEL_NAMES:
        return out.add("maturity_level_invalid", "maturity_level", value=level)
    elif level < minimum:
        out.add("maturity_below_minimum", "maturity_level", level=LEVEL_NAMES[level], need=need)
    if score is None:
        if level is not None:
            out.add("maturity_score_missing", "maturity_score")
        return
    if not 0 <= score <= MAX_SCORE:
        return out.add("maturity_score_range", "maturity_score", score=_num(score))
    implied = next((lvl for lvl, floor in LEVEL_FLOORS.items() if score >= floor), 0)
    implied_name = LEVEL_NAMES.get(implied, "不足一级")
    if implied < minimum and (level is None or level >= minimum):
        out.add(
            "maturity_score_below_minimum", "maturity_score",
            score=_num(score), implied=implied_name, need=need,
        )  # fmt: skip
    elif level is not None and implied != level:
        out.add(
            "maturity_score_band", "maturity_score",
            score=_num(score), implied=implied_name, level=LEVEL_NAMES[level], band=_band(level),
        )  # fmt: skip


def _declarations(parsed: ParsedApplication, out: _Findings) -> None:
    if parsed.accidents:
        detail = f"（{parsed.accidents_detail}）" if parsed.accidents_detail else ""
        out.add("accidents_declared", "accidents", detail=detail)
    elif parsed.accidents is None:
        out.add("accidents_unanswered", "accidents")
    if parsed.track == "leading" and parsed.national_excellent is not True:
        said = "勾选“否”" if parsed.national_excellent is False else "未勾选"
        out.add("national_excellent_required", "national_excellent", said=said)


def _revenue_and_size(parsed: ParsedApplication, out: _Findings) -> None:
    last = parsed.last_figure_year
    revenue = getattr(parsed.figures.get(last), "revenue", None)
    if revenue is None:
        return
    if revenue < DESIGNATED_SIZE_REVENUE:
        out.add(
            "below_designated_size", f"figures.{last}.revenue",
            year=last, revenue=_num(revenue), floor=DESIGNATED_SIZE_REVENUE,
        )  # fmt: skip
    terms.check_size(parsed, out)


def _digits(value: str | None) -> str | None:
    m = re.search(r"\d+", value or "")
    return m.group(0) if m else None


def _industry(parsed: ParsedApplication, out: _Findings) -> None:
    ind = parsed.enterprise.industry
    section = (ind.section or "").strip().upper()
    if section and not (section.startswith(ref.MANUFACTURING_SECTION) or "制造业" in section):
        field = "enterprise.industry.section"
        return out.add("industry_not_manufacturing", field, what="门类", value=ind.section)
    division, field = _digits(ind.division), "enterprise.industry.division"
    if division is None:
        if not _blank(ind.division):
            out.add("industry_division_unknown", field, value=ind.division)
        return
    if len(division) > 2 and ref.industry_name(division):  # a 中类/小类 code given as 大类
        division = division[:2]
    if not ref.is_manufacturing_division(division):
        if len(division) == 2 and int(division) in ref.MANUFACTURING_DIVISIONS:
            return out.add("industry_division_unknown", field, value=ind.division)
        return out.add("industry_not_manufacturing", field, what="大类", value=ind.division)
    if division == ref.REPAIR_DIVISION:
        out.add("industry_repair", field, name=ref.industry_name(division))
    if _blank(ind.group):
        return
    group, field = _digits(ind.group), "enterprise.industry.group"
    if group is None or len(group) != 3 or ref.industry_name(group) is None:
        out.add("industry_group_unknown", field, value=ind.group)
    elif not group.startswith(division):
        out.add(
            "industry_group_mismatch", field,
            group=group, group_name=ref.industry_name(group),
            division=division, division_name=ref.industry_name(division),
        )  # fmt: skip


def _figures(parsed: ParsedApplication, out: _Findings) -> None:
    low, high = PERCENT_RANGE
    for year, f in sorted(parsed.figures.items()):
        for attr in FIGURE_LABELS:
            value = getattr(f, attr)
            if value is None:
                continue
            where = dict(year=year, label=FIGURE_LABELS[attr], value=_num(value))
            if attr in ("debt_ratio", "profit_margin") and not low <= value <= high:
                out.add("figure_out_of_range", f"figures.{year}.{attr}", **where)
            elif attr in ("total_assets", "revenue") and value < 0:
                out.add("figure_negative", f"figures.{year}.{attr}", **where)
