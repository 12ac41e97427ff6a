"""The signed 专家组意见 in the documents the 厅 issues: a section of the decision report, and,
where the coordinator chose it, the 主要问题与改进建议 of the result letter."""

from sqlalchemy import select

from ..applications.models import Application
from ..extensions import db
from . import record, roles

OPINION_COLUMNS = (("匿名编号", 3, "centre"), ("专家组", 3, "centre"), ("主要优点", 6, "text"),
                   ("主要问题", 6, "text"), ("改进建议", 6, "text"), ("组员异议", 4, "text"))  # fmt: skip


def _apps(anon_codes) -> dict[int, str]:
    codes = list(dict.fromkeys(anon_codes))
    if not codes:
        return {}
    return dict(
        db.session.execute(
            select(Application.id, Application.anon_code).where(Application.anon_code.in_(codes))
        ).all()
    )


def report_rows(anon_codes) -> list[tuple]:
    """One row per signed opinion of the listed applications, in the given order."""
    anon_codes = list(anon_codes)
    apps = _apps(anon_codes)
    signed = record.signed_opinions(apps)
    order = {code: n for n, code in enumerate(dict.fromkeys(anon_codes))}
    rows = []
    for app_id in sorted(signed, key=lambda i: order[apps[i]]):
        for o in signed[app_id]:
            codes = roles.codes(roles.member_ids(o.application, o.panel))
            objections = "；".join(f"{codes.get(v.expert_id, '专家')}：{v.reason}"
                                   for v in o.votes if v.stance == "object")  # fmt: skip
            rows.append((apps[app_id], o.panel.name.split(" · ")[-1], o.strengths, o.problems,
                         o.recommendation, objections or "无"))  # fmt: skip
    return rows


def letter_advice(anon_codes) -> dict[str, str]:
    """anon code -> 主要问题与改进建议 from the signed opinions the coordinator put in the letter."""
    apps = _apps(anon_codes)
    out: dict[str, str] = {}
    for app_id, opinions in record.signed_opinions(apps).items():
        parts = [f"{o.problems}\n{o.recommendation}".strip() for o in opinions if o.in_letter]
        if parts:
            out[apps[app_id]] = "\n".join(parts)
    return out


def signed_opinions(rows) -> tuple[tuple, list[tuple]]:
    """(columns, rows) of the 专家组意见 section of the decision report for ``rows``."""
    return OPINION_COLUMNS, report_rows(r.anon_code for r in rows)
