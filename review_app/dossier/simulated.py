"""The prefecture's part for generated data (``review-app simulate`` and the demo): a 审核意见
written through the verb before each endorsement, and one generated 推荐函 PDF per prefecture."""

from io import BytesIO

from pypdf import PdfWriter

from ..applications.models import Application
from . import service

OPINION = "经审核，{name}申报材料真实完整，符合入库条件，同意推荐。"


def letter_pdf(prefecture_name: str, year: int) -> bytes:
    """A one-page PDF standing in for a scanned, stamped 推荐函 (no text layer, as a scan)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"{prefecture_name}{year}年智能工厂培育企业推荐函"})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def prepare_endorsement(application: Application, officer) -> None:
    """Write the officer's 审核意见 on ``application`` and, once per prefecture, its 推荐函."""
    service.write_opinion(application, OPINION.format(name=application.enterprise.name), officer)
    program, prefecture = application.program, application.prefecture
    if service.letter_of(program, prefecture) is None:
        data = letter_pdf(prefecture.name, program.year)
        service.upload_letter(
            program, prefecture, service.Upload(f"{prefecture.name}推荐函.pdf", data), officer
        )
