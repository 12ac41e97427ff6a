"""Recording 入库条件（三） figures and scenarios, and the coordinator's industry averages.
Verbs check permission and input, flush and audit; the caller commits."""

import math

from sqlalchemy import select

from ..applications.models import Application
from ..audit import service as audit
from ..clock import utcnow
from ..errors import InvalidInput, PermissionDenied
from ..extensions import db
from .entry import Average, assess, file_averages, scenario_names
from .models import EntryFigures, IndustryAverage
from .permissions import can_check_dossiers, can_edit_entry_figures


def _rate(value, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name}应为0到100之间的百分数。", code="rate_invalid") from None
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise InvalidInput(f"{name}应为0到100之间的百分数（填写的是{value}）。", code="rate_range")
    return round(number, 2)


def figures_of(app: Application) -> EntryFigures | None:
    return db.session.execute(
        select(EntryFigures).where(EntryFigures.application_id == app.id)
    ).scalar_one_or_none()


def set_entry_figures(app: Application, nc_rate, design_tool_rate, ticked: list[str],
                      ai: list[str], actor) -> EntryFigures:  # fmt: skip
    """Record the figures and the tick list of ``app`` (replacing earlier ones)."""
    if not can_edit_entry_figures(actor, app):
        raise PermissionDenied("您不能修改该申报的入库条件指标。")
    nc = _rate(nc_rate, "关键工序数控化率")
    design = _rate(design_tool_rate, "数字化研发设计工具普及率")
    if nc is None and design is None and not ticked:
        raise InvalidInput("请填写指标或勾选典型场景。", code="figures_empty")
    known = set(scenario_names())
    unknown = [s for s in [*ticked, *ai] if s not in known]
    if unknown:
        raise InvalidInput(f"“{unknown[0]}”不是指引中的典型场景。", code="scenario_unknown")
    stray = [s for s in ai if s not in ticked]
    if stray:
        raise InvalidInput(f"“{stray[0]}”标为应用人工智能，但未勾选为本企业的场景。",
                           code="scenario_ai_unticked")  # fmt: skip
    order = scenario_names()
    ticked = [s for s in order if s in set(ticked)]
    ai = [s for s in order if s in set(ai)]
    row = figures_of(app)
    before = None
    if row is None:
        row = EntryFigures(application_id=app.id)
        db.session.add(row)
    else:
        before = {"nc_rate": row.nc_rate, "design_tool_rate": row.design_tool_rate,
                  "scenarios": row.scenarios, "ai_scenarios": row.ai_scenarios}  # fmt: skip
    row.nc_rate, row.design_tool_rate, row.scenarios, row.ai_scenarios = nc, design, ticked, ai
    row.updated_by_id, row.updated_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record(
        "dossier.entry_figures", "application", app.id, actor=actor, before=before,
        after={"nc_rate": nc, "design_tool_rate": design, "scenarios": ticked, "ai_scenarios": ai},
    )  # fmt: skip
    return row


def averages() -> dict[str, Average]:
    """大类 → average: the data file's values, overridden by the coordinator's."""
    out = dict(file_averages())
    for row in db.session.execute(select(IndustryAverage)).scalars():
        name = out[row.division].name if row.division in out else row.division
        out[row.division] = Average(row.division, name, row.nc_rate, row.design_tool_rate)
    return out


def set_average(division: str, nc_rate, design_tool_rate, actor) -> IndustryAverage:
    """The coordinator's average for one 大类."""
    if not can_check_dossiers(actor):
        raise PermissionDenied("只有省厅协调员可以修改行业平均水平。")
    if division not in file_averages():
        raise InvalidInput(f"“{division}”不是制造业行业大类代码。", code="division_unknown")
    nc = _rate(nc_rate, "关键工序数控化率")
    design = _rate(design_tool_rate, "数字化研发设计工具普及率")
    if nc is None or design is None:
        raise InvalidInput("请填写两项行业平均值。", code="rate_missing")
    row = db.session.execute(
        select(IndustryAverage).where(IndustryAverage.division == division)
    ).scalar_one_or_none()
    before = {"nc_rate": row.nc_rate, "design_tool_rate": row.design_tool_rate} if row else None
    if row is None:
        row = IndustryAverage(division=division)
        db.session.add(row)
    row.nc_rate, row.design_tool_rate = nc, design
    row.updated_by_id, row.updated_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record("dossier.industry_average", "industry", division, actor=actor, before=before,
                 after={"nc_rate": nc, "design_tool_rate": design})  # fmt: skip
    return row


def assessment(app: Application):
    """The findings of ``app``'s figures against its 大类's average and its track's AI share."""
    row = figures_of(app)
    division = (app.enterprise.industry_division or "")[:2] or None
    return assess(
        app.track_code, division, row.nc_rate if row else None,
        row.design_tool_rate if row else None, row.scenarios if row else [],
        row.ai_scenarios if row else [], averages().get(division) if division else None,
    )  # fmt: skip
