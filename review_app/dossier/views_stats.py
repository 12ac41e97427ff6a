"""统计 page: charts and tables by prefecture, 产业链, 行业大类, size, maturity and track for
endorsed, scored and admitted applications, the .xlsx and the report paragraph."""

from flask import render_template

from .. import charts
from ..auth.permissions import permission_required
from ..files import send_bytes
from ..programs.selection import selected_program
from ..web import reads_only
from . import statistics
from .blueprint import bp
from .permissions import can_view_statistics


@bp.route("/statistics")
@reads_only
@permission_required(can_view_statistics)
def stats():
    program = selected_program()
    rows = statistics.facts(program)
    tables = statistics.tabulate(rows)
    figures = {
        dim: charts.bar_chart(
            [(r.label, float(r.endorsed)) for r in tables[dim]],
            title=f"按{name}：推荐企业数（灰色刻度为入库数）",
            marks={r.label: float(r.admitted) for r in tables[dim] if r.admitted},
        )
        for dim, name in statistics.DIMENSIONS.items()
    }
    return render_template(
        "dossier/statistics.html", program=program, tables=tables, figures=figures,
        dimensions=statistics.DIMENSIONS, stages=statistics.STAGES, total=len(rows),
        text=statistics.paragraph(rows, tables),
    )  # fmt: skip


@bp.route("/statistics.xlsx")
@permission_required(can_view_statistics)
def stats_export():
    program = selected_program()
    return send_bytes(statistics.workbook(program), f"{program.year}年培育企业统计.xlsx")
