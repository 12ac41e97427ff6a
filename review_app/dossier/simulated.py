"""The dossier for generated data (``review-app simulate`` and the demo), through the verbs:
before each endorsement a 审核意见, the attachments the form calls for and the stamped 申报书
(a scan, so marked for manual comparison), and once per prefecture its 推荐函; at the format
check the coordinator's 盖章版已核对, 信用 and 事故 checks."""

from io import BytesIO

from pypdf import PdfWriter

from ..applications.models import Application
from ..clock import utcnow
from . import service
from .attachments import add_attachment, missing_attachments
from .checks import CheckInput, checks_of, record_check
from .kinds import BY_CODE

OPINION = "经审核，{name}申报材料真实完整，符合入库条件，同意推荐。"
CHECK_NOTES = {"stamped_copy": "盖章版与Word版一致", "credit": "未列入严重失信主体名单和经营异常名录",
               "accident": "近三年未发现较大及以上安全、环保事故"}  # fmt: skip


def pdf(title: str, pages: int = 1) -> bytes:
    """A PDF of blank pages standing in for a scan (no text layer)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _filename(kind: str) -> str:
    return BY_CODE[kind].name.replace("/", "").replace(" ", "") + ".pdf"


def letter_pdf(prefecture_name: str, year: int) -> bytes:
    return pdf(f"{prefecture_name}{year}年智能工厂培育企业推荐函")


def prepare_endorsement(application: Application, officer) -> None:
    """The officer's 审核意见 and missing attachments on ``application``; once per prefecture,
    its 推荐函."""
    name = application.enterprise.name
    service.write_opinion(application, OPINION.format(name=name), officer)
    for kind, _ in missing_attachments(application):
        pages = 12 if kind == "stamped_form" else 1
        add_attachment(application, kind, service.Upload(_filename(kind), pdf(f"{name} {kind}", pages)),
                       officer)  # fmt: skip
    program, prefecture = application.program, application.prefecture
    if service.letter_of(program, prefecture) is None:
        data = letter_pdf(prefecture.name, program.year)
        service.upload_letter(
            program, prefecture, service.Upload(f"{prefecture.name}推荐函.pdf", data), officer
        )


def record_checks(application: Application, coordinator, who: str = "省厅审核组") -> None:
    """The coordinator's checks at the format check, all 通过 (generated enterprises are clean)."""
    done = checks_of(application)
    for kind, note in CHECK_NOTES.items():
        if kind not in done:
            record_check(application, CheckInput(kind, "pass", who, utcnow().date(), "", note),
                         coordinator)  # fmt: skip
