"""Plain data exchanged by the intake cores (parser, validator, summary table).

No Flask, no database: dataclasses in, dataclasses out. ``ParsedApplication.to_json()`` is the
shape printed by ``review-app parse``.
"""

from dataclasses import asdict, dataclass, field

from ..programs.years import DEFAULT_FIGURE_YEARS

BLOCKING = "blocking"
WARNING = "warning"


@dataclass
class Problem:
    """One finding of the format check (形式审查)."""

    code: str  # machine code, e.g. "uscc_check_digit"
    severity: str  # BLOCKING or WARNING
    field: str  # dotted path of the field or section key, e.g. "enterprise.uscc"
    message: str  # Chinese, for people


@dataclass
class Person:
    name: str | None = None
    phone: str | None = None
    title: str | None = None
    email: str | None = None


@dataclass
class Industry:
    section: str | None = None  # 门类, e.g. "C"
    division: str | None = None  # 大类, two digits, e.g. "34"
    group: str | None = None  # 中类, three digits, e.g. "342"


@dataclass
class EnterpriseInfo:
    name: str | None = None
    uscc: str | None = None
    prefecture: str | None = None  # as in 附件3, e.g. "洛阳市", "济源示范区", "航空港区"
    county: str | None = None
    nature: str | None = None  # 中央企业 / 地方国企 / 民营企业 / 三资企业
    size: str | None = None  # 大型企业 / 中型企业 / 小型企业 / 微型企业
    employees: int | None = None  # 从业人员（人）: with revenue it decides 划型 (entry_terms.py)
    industry: Industry = field(default_factory=Industry)
    chain: str | None = None
    factory_address: str | None = None
    legal_rep: Person = field(default_factory=Person)
    contact: Person = field(default_factory=Person)


@dataclass
class YearFigures:
    total_assets: float | None = None  # 资产总额（万元）
    debt_ratio: float | None = None  # 资产负债率（%）
    revenue: float | None = None  # 主营业务收入（万元）
    profit_margin: float | None = None  # 利润率（%）


def year_keys(years) -> tuple[str, ...]:
    """The figure years as the parsed form's keys (strings), oldest first."""
    return tuple(str(y) for y in years)


# The default program's figure years: only for a file read without a program (``review-app
# parse``, tests); every filing passes its program's years (``figure_years(program.year)``).
DEFAULT_YEAR_KEYS = year_keys(DEFAULT_FIGURE_YEARS)


@dataclass
class ParsedApplication:
    track: str | None = None  # "excellent" | "leading"
    enterprise: EnterpriseInfo = field(default_factory=EnterpriseInfo)
    figures: dict[str, YearFigures] = field(default_factory=dict)
    infrastructure: list[str] = field(default_factory=list)
    infrastructure_other: str | None = None
    national_excellent: bool | None = None
    provincial_demo: bool | None = None
    provincial_demo_project: str | None = None
    honours: str | None = None  # the 名称 written beside a ticked 是; None when 否
    has_honours: bool | None = None
    maturity_level: int | None = None  # 1-5
    maturity_score: float | None = None
    other_evidence: str | None = None
    accidents: bool | None = None
    accidents_detail: str | None = None
    sections: dict[str, str] = field(default_factory=dict)  # canonical key -> text
    problems: list[Problem] = field(default_factory=list)
    # The years the form asks figures for (its program's), oldest first; by default the years
    # of ``figures`` given, else the default program's.
    figure_years: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.figure_years:
            self.figure_years = tuple(sorted(self.figures)) or DEFAULT_YEAR_KEYS
        self.figure_years = year_keys(self.figure_years)
        self.figures = {
            **{y: self.figures.get(y) or YearFigures() for y in self.figure_years},
            **self.figures,
        }

    @property
    def last_figure_year(self) -> str:
        """The latest figure year (its revenue decides 规模以上, and it is required)."""
        return self.figure_years[-1]

    def to_json(self) -> dict:
        """The JSON object of ``review-app parse`` (issue 3)."""
        e = self.enterprise
        return {
            "track": self.track,
            "enterprise": {
                "name": e.name,
                "uscc": e.uscc,
                "prefecture": e.prefecture,
                "county": e.county,
                "nature": e.nature,
                "size": e.size,
                "employees": e.employees,
                "industry": asdict(e.industry),
                "chain": e.chain,
                "factory_address": e.factory_address,
                "legal_rep": {"name": e.legal_rep.name, "phone": e.legal_rep.phone},
                "contact": {
                    "name": e.contact.name,
                    "phone": e.contact.phone,
                    "title": e.contact.title,
                    "email": e.contact.email,
                },
            },
            "figures": {year: asdict(f) for year, f in self.figures.items()},
            "infrastructure": list(self.infrastructure),
            "national_excellent": self.national_excellent,
            "provincial_demo": self.provincial_demo,
            "honours": self.honours,
            "maturity_level": self.maturity_level,
            "maturity_score": self.maturity_score,
            "accidents": self.accidents,
            "sections": dict(self.sections),
            "problems": [asdict(p) for p in self.problems],
        }


class UnreadableFile(Exception):
    """The file cannot be read as what it claims to be; ``message`` is Chinese."""

    def __init__(self, message: str, code: str = "unreadable"):
        super().__init__(message)
        self.message = message
        self.code = code


# The form's options, in its own words (附件1).
INFRASTRUCTURE_OPTIONS = (
    "工业机器人/自动化生产线",
    "工业互联网平台",
    "智能仓储/物流系统",
    "数字化设计工具（如CAD/CAE/CAM等）",
    "其他",
)
NATURE_OPTIONS = ("中央企业", "地方国企", "民营企业", "三资企业")
SIZE_OPTIONS = ("大型企业", "中型企业", "小型企业", "微型企业")
TRACK_OPTIONS = {"卓越级智能工厂培育": "excellent", "领航级智能工厂培育": "leading"}
MATURITY_OPTIONS = ("一级", "二级", "三级", "四级", "五级")
