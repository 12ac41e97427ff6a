"""The list of every official export of a program's decision, for the 打包导出 job."""

from collections.abc import Callable

from ..applications.catalogue import scored_sections
from ..intake.summary import export_summary
from ..panel.report import signed_opinions
from ..programs.models import Program
from . import exports, notices, service


def bundle_files(program: Program) -> list[tuple[str, Callable[[], bytes]]]:
    """(file name, maker) for each track's run (confirmed, else staged; drafts say so in their
    name), the per-prefecture sheets, the result letters and the consolidated 附件2."""
    files: list[tuple[str, Callable[[], bytes]]] = []
    summaries, all_rows = [], []
    for track in program.tracks:
        run = service.latest_run(program, track.code)
        if run is None:
            continue
        summary = service.run_summary(program, run)
        rows = service.result_rows(run)
        sections = [(s.key, s.title) for s in scored_sections(track.code)]
        summaries.append(summary)
        all_rows += rows
        draft = "" if run.status == "confirmed" else "（草稿）"
        name = f"{summary.track_name}"
        files += [
            (f"{name}入库名单{draft}.xlsx",
             lambda s=summary, r=rows: exports.admission_list_xlsx(s, r)),
            (f"{name}入库名单{draft}.docx",
             lambda s=summary, r=rows: exports.admission_list_docx(s, r)),
            (f"{name}评审排名{draft}.xlsx",
             lambda s=summary, r=rows, x=sections: exports.ranking_xlsx(s, r, x)),
            (f"{name}评审决定报告{draft}.docx",
             lambda s=summary, r=rows, x=sections: exports.decision_report_docx(
                 s, r, x, signed_opinions(r))),
        ]  # fmt: skip
    if not summaries:
        return []
    for prefecture in sorted({r.prefecture for r in all_rows},
                             key=lambda p: next(r.prefecture_order for r in all_rows
                                                if r.prefecture == p)):  # fmt: skip
        own = [r for r in all_rows if r.prefecture == prefecture]
        files.append((f"各地市结果/评审结果-{prefecture}.xlsx",
                      lambda p=prefecture, o=own: exports.prefecture_results_xlsx(summaries, p, o)))  # fmt: skip
    for notice in notices.notices(program):
        state = "" if notice.status == "released" else "（草稿）"
        files.append((f"结果通知/{notice.filename.removesuffix('.docx')}{state}.docx",
                      lambda d=notice.data: d))  # fmt: skip
    files.append(("附件2-推荐汇总表-全省.xlsx",
                  lambda: export_summary(program, "河南省（汇总）", None)))  # fmt: skip
    return files
