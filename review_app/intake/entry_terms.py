"""Format-check rules on the terms of the notice's footnotes: 企业类型 (划型), 所属产业链 and the
成熟度 alternative the form allows ("评估结果或其他能力证明材料").

Pure. ``validate`` merges ``CHECKS`` into its own table and calls the functions below with its
findings list.

- 划型 (footnote 1, 《统计上大中小微型企业划分办法（2017）》 for 工业): 大型 needs 从业人员 ≥ 1000
  AND 营业收入 ≥ 40000 万元, 中型 ≥ 300 AND ≥ 2000, 小型 ≥ 20 AND ≥ 300; an enterprise meeting
  one bound but not the other falls to the lower class; 微型 needs only one. Without a head
  count (the notice's form has none; our template asks for it) revenue alone is compared.
- 产业链 (footnote 3): a listed chain; Henan's own name of a listed chain (生物医药 for the
  notice's 生物医疗) is accepted with a note; a cluster name the chains are grouped under (新材料,
  先进装备, 重点产业链 …) is a warning naming the chains to choose from, not a refusal.
"""

import re

from . import reference as ref
from .parsed import BLOCKING, SIZE_OPTIONS, WARNING, ParsedApplication

B, W = BLOCKING, WARNING
CHECKS: dict[str, tuple[str, str]] = {
    "size_revenue_mismatch": (
        W, "企业类型填“{size}”，但{year}年营业收入{revenue}万元按划型标准对应{implied}"
        "（未填写从业人员数，仅按营业收入核对），请核对。"
    ),
    "size_mismatch": (
        W, "企业类型填“{size}”，但从业人员{employees}人、{year}年营业收入{revenue}万元按划型标准"
        "（从业人员和营业收入须同时达到）对应{implied}，请核对。"
    ),
    "employees_invalid": (W, "从业人员数“{value}”不是合理的人数，请核对。"),
    "chain_not_listed": (
        B, "所属产业链“{value}”不在通知所列重点产业链或第一批专精特新细分领域产业链中。"
    ),
    "chain_alias": (
        W, "所属产业链“{value}”按通知所列名称记为“{listed}”（{note}）。"
    ),
    "chain_cluster": (
        W, "所属产业链填写的“{value}”是产业集群或类别名称，不是具体产业链；请从其下的产业链中"
        "选择：{chains}。"
    ),
    "maturity_other_evidence": (
        W, "未勾选成熟度等级，以其他能力证明材料代替（{excerpt}），须核对证明材料是否达到二级及以上水平。"
    ),
}  # fmt: skip

# (class, minimum head count, minimum revenue in 万元), largest first; 微型 is the rest.
SIZE_BOUNDS = (("大型企业", 1000, 40000), ("中型企业", 300, 2000), ("小型企业", 20, 300))
MICRO = "微型企业"
MAX_EMPLOYEES = 2_000_000
_SEPARATORS = re.compile(r"[、，,；;/／]+")


def size_class(employees: int | None, revenue: float) -> str:
    """The 划型 of an industrial enterprise; revenue alone when ``employees`` is None."""
    for name, head, money in SIZE_BOUNDS:
        if revenue >= money and (employees is None or employees >= head):
            return name
    return MICRO


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.6f}".rstrip("0").rstrip(".")


def check_size(parsed: ParsedApplication, out) -> None:
    """Declared 企业类型 against the class the head count and the latest revenue give."""
    employees = parsed.enterprise.employees
    if employees is not None and not 0 <= employees <= MAX_EMPLOYEES:
        out.add("employees_invalid", "enterprise.employees", value=employees)
        employees = None
    last = parsed.last_figure_year
    revenue = getattr(parsed.figures.get(last), "revenue", None)
    size = (parsed.enterprise.size or "").strip()
    declared = next((o for o in SIZE_OPTIONS if size in (o, o.removesuffix("企业"))), None)
    if revenue is None or not declared:
        return
    implied = size_class(employees, revenue)
    if declared == implied:
        return
    values = dict(size=declared, year=last, revenue=_num(revenue), implied=implied)
    if employees is None:
        out.add("size_revenue_mismatch", "enterprise.size", **values)
    else:
        out.add("size_mismatch", "enterprise.size", employees=employees, **values)


def check_chain(chain: str | None, out) -> None:
    """Each part of ``chain`` (several may be given, separated by 、) is a listed chain, a known
    other name of one (a note) or a cluster name (a warning); anything else is blocking."""
    if chain is None or not chain.strip():
        return
    unlisted = []
    for part in (p.strip() for p in _SEPARATORS.split(chain) if p.strip()):
        if ref.match_chain(part):
            continue
        if alias := ref.match_chain_alias(part):
            listed, note = alias
            out.add("chain_alias", "enterprise.chain", value=part, listed=listed, note=note)
        elif (members := ref.match_chain_cluster(part)) is not None:
            out.add("chain_cluster", "enterprise.chain", value=part, chains="、".join(members))
        else:
            unlisted.append(part)
    if unlisted:
        out.add("chain_not_listed", "enterprise.chain", value="、".join(unlisted))


def check_maturity_alternative(parsed: ParsedApplication, out) -> bool:
    """When no level is ticked but other proof is described, a warning (the form allows it);
    True when it applied, so the caller does not also report the level as missing."""
    if parsed.maturity_level is not None:
        return False
    text = (parsed.other_evidence or "").strip()
    if not text:
        return False
    excerpt = text if len(text) <= 40 else text[:40] + "…"
    out.add("maturity_other_evidence", "maturity_level", excerpt=excerpt)
    return True
