"""入库条件指标 of one application (figures, the 指引 tick list), the coordinator's industry
averages, and the ticked scenarios shown to the experts of the matching 重点环节."""

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from ..applications.models import Application
from ..auth.permissions import permission_required
from ..extensions import db
from ..web import act, posted
from . import entry, entry_service
from .blueprint import bp
from .forms import AverageForm, FiguresForm
from .permissions import can_check_dossiers, can_edit_entry_figures, can_view_attachments


@bp.app_context_processor
def scenario_helpers():
    """``ticked_scenarios(application, section_key)`` for the experts' section page: the 指引
    scenarios the enterprise ticked for that 重点环节 (nothing identifying)."""

    def ticked_scenarios(application, section_key: str) -> list[str]:
        row = entry_service.figures_of(application)
        return entry.for_section(row.scenarios, section_key) if row else []

    return {"ticked_scenarios": ticked_scenarios}


@bp.route("/applications/<int:application_id>/figures", methods=["GET", "POST"])
@permission_required(can_view_attachments)
def figures(application_id: int):
    app = db.session.get(Application, application_id) or abort(404)
    if not can_view_attachments(current_user, app):
        abort(403)
    form = FiguresForm()
    if form.is_submitted():
        if not can_edit_entry_figures(current_user, app):
            abort(403)

        def verb():
            f = posted(FiguresForm)
            entry_service.set_entry_figures(app, f.nc_rate.data, f.design_tool_rate.data,
                                            f.scenarios.data or [], f.ai_scenarios.data or [],
                                            current_user)  # fmt: skip

        if act(verb, "入库条件指标已保存。"):
            return redirect(url_for(".figures", application_id=app.id))
    row = entry_service.figures_of(app)
    if row is not None and not form.is_submitted():
        form.nc_rate.data = "" if row.nc_rate is None else f"{row.nc_rate:g}"
        form.design_tool_rate.data = (
            "" if row.design_tool_rate is None else f"{row.design_tool_rate:g}"
        )
        form.scenarios.data, form.ai_scenarios.data = row.scenarios, row.ai_scenarios
    status = 400 if form.is_submitted() else 200
    return render_template(
        "dossier/figures.html", application=app, form=form, row=row,
        findings=entry_service.assessment(app), scenarios=entry.scenarios(),
        ticked=set(form.scenarios.data or []), ai=set(form.ai_scenarios.data or []),
    ), status  # fmt: skip


@bp.route("/averages", methods=["GET", "POST"])
@permission_required(can_check_dossiers)
def averages():
    form = AverageForm()
    if form.is_submitted():

        def verb():
            f = posted(AverageForm)
            entry_service.set_average(f.division.data, f.nc_rate.data, f.design_tool_rate.data,
                                      current_user)  # fmt: skip

        if act(verb, "行业平均水平已保存。"):
            return redirect(url_for(".averages"))
    return render_template(
        "dossier/averages.html", form=form, rows=entry_service.averages(),
        defaults=entry.file_averages(),
    ), (400 if form.is_submitted() else 200)  # fmt: skip
