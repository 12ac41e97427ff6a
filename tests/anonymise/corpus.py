"""A seeded corpus of applications with identifiers woven into the narrative, for the redaction
and leak-scan tests.

Each application has an ``Identity`` (as the 申报书 parser and the coordinator would give it) and
section texts built from technical sentences (no identifier in them) and identifier fragments
planted in many ways: headings, tab-separated tables, brackets, after 由/联系人/电话/负责人,
declared and derived short forms, a name broken by a line break, full-width digits, traditional
characters, spaced-out characters, phone and e-mail variants, other Henan places, persons the form
does not list (found by named-entity detection), group companies and coordinator terms. Every
planted occurrence is recorded with its kind, so tests know exactly which characters are
identifiers and which token should replace them.
"""

import random
from dataclasses import dataclass, field

from opencc import OpenCC

from review_app.anonymise.places import place_table
from review_app.anonymise.redaction_types import Identity
from review_app.intake.reference import prefectures

from . import corpus_words as w
from .corpus_words import UNIVERSITY

SEED = 2026
SIZE = 36
TECH_SENTENCES_PER_BLOCK = 3  # sections of 600-1,000 characters, as in real 申报书
SECTION_KEYS = (
    "profile",
    "overview.background",
    "overview.integration",
    "link.factory",
    "link.rnd",
    "link.production",
    "link.prod_mgmt",
    "link.operations",
    "plan.goals",
    "plan.content",
)


@dataclass
class Planted:
    """One identifier occurrence in a section: offsets in the section text."""

    section: str
    start: int
    end: int
    kind: str  # a key of TOKENS
    how: str  # how it was written (plain, spaced, traditional, …)


@dataclass
class CorpusApplication:
    index: int
    identity: Identity
    sections: dict[str, str]
    planted: list[Planted] = field(default_factory=list)
    website: str = ""


class _Section:
    """A section text under construction that remembers where identifiers were planted."""

    def __init__(self, key: str):
        self.key = key
        self.parts: list[str] = []
        self.length = 0
        self.planted: list[Planted] = []

    def text(self, value: str) -> None:
        self.parts.append(value)
        self.length += len(value)

    def ident(self, value: str, kind: str, how: str = "plain") -> None:
        self.planted.append(Planted(self.key, self.length, self.length + len(value), kind, how))
        self.text(value)

    def value(self) -> str:
        return "".join(self.parts)


_S2T = OpenCC("s2t")


def traditional(text: str) -> str:
    return _S2T.convert(text)


def spaced(text: str) -> str:
    return " ".join(text)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def uscc_for(division: str, rng: random.Random) -> str:
    """A USCC with a valid check character (GB 32100-2015)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    body = "91" + division + "".join(rng.choice(alphabet[:10] + "ABCDEFGH") for _ in range(9))
    total = sum(alphabet.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + alphabet[(31 - total % 31) % 31]


def _fill(template: str, rng: random.Random) -> str:
    values = {f"p{i}": rng.randint(5, 60) for i in range(1, 15)}
    values |= {f"n{i}": rng.randint(2, 40) for i in range(1, 8)}
    values |= {"m1": f"{rng.randint(2, 90)},{rng.randint(100, 999)}", "m2": rng.randint(300, 9000)}
    return template.format(**values)


def _tech(section: _Section, rng: random.Random, count: int) -> None:
    """``count`` blocks of technical sentences (about 250 characters each)."""
    for template in rng.sample(w.TECH, count * TECH_SENTENCES_PER_BLOCK):
        section.text(_fill(template, rng))


def _person(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = rng.choice(w.SURNAMES) + rng.choice(w.GIVEN)
        if name not in taken:
            taken.add(name)
            return name


def make_application(index: int, seed: int = SEED) -> CorpusApplication:
    rng = random.Random(seed * 1000 + index)
    table = place_table()
    units = list(prefectures().values())
    pref = units[index % len(units)]
    counties = [c for c, p in table.county_of.items() if p == pref.name]
    county = rng.choice(counties) if counties else None
    pref_short = w.SHORT_UNITS.get(pref.name, pref.name.removesuffix("市"))
    second = (index * 7 + index // len(w.CORE_FIRST) + 3) % len(w.CORE_SECOND)
    core = w.CORE_FIRST[index % len(w.CORE_FIRST)] + w.CORE_SECOND[second]
    trade = rng.choice(w.TRADES)
    region = rng.choice(("河南", "河南省", pref_short, pref_short, ""))
    if pref.name in ("航空港区", "济源示范区"):
        region = rng.choice(("河南", "河南省", ""))
    name = region + core + trade + rng.choice(w.LEGAL)
    taken: set[str] = set()
    legal_rep, contact = _person(rng, taken), _person(rng, taken)
    others = [_person(rng, taken) for _ in range(3)]
    area = w.AREA_CODES[pref.name]
    landline = f"{area}-6{rng.randint(1000000, 9999999)}"
    mobile = f"1{rng.choice('35789')}{rng.randint(100000000, 999999999)}"
    initials = "".join(rng.choice("bcdfghjklmnpqrstwxyz") for _ in range(4))
    domain = f"{initials}.com.cn"
    email = (
        f"{rng.choice(w.MAIL_USERS)}@{domain}"
        if index % 3
        else f"{initials}{rng.randint(10, 99)}@{rng.choice(w.PUBLIC_MAIL)}"
    )
    road = rng.choice(w.ROADS)
    address = f"河南省{pref.name}{county or ''}{road}{rng.randint(1, 300)}号"
    model_code = f"{initials[:2].upper()}-{rng.randint(100, 9999)}"
    brand = (
        w.CORE_SECOND[index % len(w.CORE_SECOND)]
        + w.CORE_FIRST[(index + 5) % len(w.CORE_FIRST)]
        + "云"
    )
    identity = Identity(
        enterprise_name=name,
        uscc=uscc_for(pref.division_code, rng),
        people=[legal_rep, contact],
        phones=[mobile, landline],
        emails=[email],
        addresses=[address],
        prefecture=pref.name,
        county=county,
        extra_terms=[brand, model_code],
        allowed_terms=[UNIVERSITY] if index % 2 == 0 else [],
    )
    app = CorpusApplication(index, identity, {}, website=f"www.{domain}")
    declared = core + rng.choice(("公司", "股份", "集团")) if index % 2 else core + trade[:2]
    derived = core + trade[:2]
    other_units = [u for u in units if u.name != pref.name]
    other_pref = rng.choice(other_units).name
    other_county = rng.choice([c for c, p in table.county_of.items() if p != pref.name])
    ctx = _Context(app, rng, core, declared, derived, others, road, pref_short, model_code, brand)
    ctx.other_pref, ctx.other_county = other_pref, other_county
    for key in SECTION_KEYS:
        section = _Section(key)
        _WRITERS[SECTION_KEYS.index(key) % len(_WRITERS)](section, ctx)
        app.sections[key] = section.value()
        app.planted += section.planted
    return app


@dataclass
class _Context:
    """What the section writers weave in besides the identity's values."""

    app: CorpusApplication
    rng: random.Random
    core: str
    declared: str
    derived: str
    others: list[str]  # people the form does not list
    road: str
    pref_short: str
    model_code: str
    brand: str
    other_pref: str = ""
    other_county: str = ""

    @property
    def name(self) -> str:
        return self.app.identity.enterprise_name

    @property
    def legal_rep(self) -> str:
        return self.app.identity.people[0]

    @property
    def contact(self) -> str:
        return self.app.identity.people[1]

    @property
    def mobile(self) -> str:
        return self.app.identity.phones[0]

    @property
    def landline(self) -> str:
        return self.app.identity.phones[1]

    @property
    def email(self) -> str:
        return self.app.identity.emails[0]

    @property
    def address(self) -> str:
        return self.app.identity.addresses[0]

    @property
    def county(self) -> str | None:
        return self.app.identity.county


def _profile(s: _Section, c: _Context) -> None:
    s.text("一、")
    s.ident(c.name, "enterprise", "heading")
    s.text("基本情况\n")
    s.ident(c.name, "enterprise")
    s.text("（以下简称“")
    s.ident(c.declared, "enterprise", "declared")
    s.text("”）成立于2006年，是国家级专精特新“小巨人”企业。")
    _tech(s, c.rng, 2)
    s.text("\n企业名称\t")
    s.ident(c.name, "enterprise", "table")
    s.text("\t统一社会信用代码\t")
    s.ident(c.app.identity.uscc, "code", "table")
    s.text("\n法定代表人\t")
    s.ident(c.legal_rep, "person", "table")
    s.text("\t联系电话\t")
    s.ident(c.mobile, "phone", "table")
    s.text("\n生产地址\t")
    s.ident(c.address, "address", "table")
    s.text("\n")
    s.ident(c.declared, "enterprise", "declared")
    s.text("主营产品广泛应用于工程机械、轨道交通等领域。")
    _tech(s, c.rng, 1)


def _background(s: _Section, c: _Context) -> None:
    s.ident(c.derived, "enterprise", "derived")
    s.text("始终坚持创新驱动，")
    s.text(w.KEY_FACTS)
    _tech(s, c.rng, 2)
    s.text("项目由")
    s.ident(c.legal_rep, "person", "after-you")
    s.text("总体负责，技术总监")
    s.ident(c.others[0], "person", "ner")
    s.text("牵头实施。公司与")
    s.text(UNIVERSITY if c.app.identity.allowed_terms else "高校")
    s.text("共建联合实验室。")
    _tech(s, c.rng, 1)


def _integration(s: _Section, c: _Context) -> None:
    _tech(s, c.rng, 2)
    s.text("公司位于")
    s.ident(c.address, "address", "plain")
    s.text("，厂区占地面积约260亩。产品销往")
    s.ident(c.other_pref, "place", "other-prefecture")
    s.text("、")
    s.ident(c.other_county, "place", "other-county")
    s.text("等地。")
    split = c.rng.randint(2, len(c.name) - 2)
    s.ident(c.name[:split] + "\n" + c.name[split:], "enterprise", "line-break")
    s.text("的数字化车间已投入运行。")
    _tech(s, c.rng, 1)


def _factory(s: _Section, c: _Context) -> None:
    s.text("（联系人：")
    s.ident(c.contact, "person", "after-contact")
    s.text("，电话：")
    s.ident(fullwidth(c.landline), "phone", "fullwidth")
    s.text("）")
    _tech(s, c.rng, 2)
    s.ident(traditional(c.name), "enterprise", "traditional")
    s.text("在")
    if c.county:
        s.ident(c.county + "产业集聚区", "address", "zone")
    else:
        s.ident(c.pref_short + "高新技术产业开发区", "address", "zone")
    s.text("建设智能工厂。")
    _tech(s, c.rng, 1)


def _rnd(s: _Section, c: _Context) -> None:
    _tech(s, c.rng, 2)
    s.ident(spaced(c.derived), "enterprise", "spaced")
    s.text("自主研发的")
    s.ident(c.brand, "enterprise", "term")
    s.text("平台和")
    s.ident(c.model_code, "enterprise", "term")
    s.text("型智能检测装置已批量应用。负责人：")
    s.ident(c.others[1], "person", "after-head")
    s.text("。")
    _tech(s, c.rng, 1)


def _production(s: _Section, c: _Context) -> None:
    _tech(s, c.rng, 2)
    s.text("生产基地设在")
    s.ident(c.pref_short, "place", "prefecture-short")
    s.text("，由首席专家")
    s.ident(c.others[2], "person", "ner")
    s.text("带领团队完成工艺攻关。")
    s.ident(c.core + "公司", "enterprise", "derived")
    s.text("是")
    parent = c.pref_short + c.core + "控股集团有限公司"
    s.ident(parent, "enterprise", "group")
    s.text("的全资子公司。")
    _tech(s, c.rng, 1)


def _prod_mgmt(s: _Section, c: _Context) -> None:
    _tech(s, c.rng, 2)
    s.text("咨询电话：")
    area, number = c.landline.split("-")
    variant = c.rng.choice((f"({area}){number[:4]}-{number[4:]}", f"+86 {area[1:]} {number}"))
    s.ident(variant, "phone", "landline-variant")
    s.text("，手机：")
    s.ident(f"{c.mobile[:3]} {c.mobile[3:7]} {c.mobile[7:]}", "phone", "mobile-spaced")
    s.text("，邮箱：")
    user, _, domain = c.email.partition("@")
    s.ident(f"{user}（at）{domain}", "email", "at")
    s.text("，网址：")
    s.ident(c.app.website, "url", "www")
    s.text("。")
    _tech(s, c.rng, 1)


def _operations(s: _Section, c: _Context) -> None:
    _tech(s, c.rng, 2)
    s.text("联系人")
    s.ident(traditional(c.contact), "person", "traditional")
    s.text("，电子邮箱")
    s.ident(c.email, "email", "plain")
    s.text("，官网")
    s.ident("https://" + c.app.website.removeprefix("www.") + "/about", "url", "https")
    s.text("（备用域名")
    s.ident(c.app.website.removeprefix("www.").replace(".com.cn", ".cn"), "url", "bare")
    s.text("）")
    s.text("。统一社会信用代码：")
    code = c.app.identity.uscc
    s.ident(" ".join(code[i : i + 6] for i in range(0, 18, 6)), "code", "spaced")
    s.text("。")
    _tech(s, c.rng, 1)


def _goals(s: _Section, c: _Context) -> None:
    s.text("（一）")
    s.ident(c.derived, "enterprise", "heading-derived")
    s.text("预期目标\n")
    _tech(s, c.rng, 3)
    s.text("届时")
    s.ident(spaced(c.name), "enterprise", "spaced")
    s.text("将建成领航级智能工厂。")


def _content(s: _Section, c: _Context) -> None:
    _tech(s, c.rng, 2)
    s.text("在")
    s.ident(c.road, "address", "road")
    s.text("厂区新建立体仓库，")
    s.ident(c.app.identity.prefecture, "place", "prefecture")
    s.text("范围内推广应用。")
    s.ident(c.declared, "enterprise", "declared")
    s.text("将持续投入。")
    _tech(s, c.rng, 1)


_WRITERS = (
    _profile,
    _background,
    _integration,
    _factory,
    _rnd,
    _production,
    _prod_mgmt,
    _operations,
    _goals,
    _content,
)


def build_corpus(size: int = SIZE, seed: int = SEED) -> list[CorpusApplication]:
    """``size`` applications, the same for the same seed."""
    return [make_application(i, seed) for i in range(size)]


def technical_text() -> str:
    """All technical sentences, with no identifier in them."""
    rng = random.Random(SEED)
    return "".join(_fill(t, rng) for t in w.TECH)
