"""Checking an uploaded PDF before anything is stored: bounded, really a PDF, readable and not
encrypted. Pure (bytes in, ``PdfInfo`` out or ``InvalidInput`` with the reason in Chinese).

pypdf reads the file: it is the only way here to tell an encrypted or broken PDF from a good one
and to get the text layer the stamped-copy comparison needs.
"""

import logging
from dataclasses import dataclass
from io import BytesIO

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ..errors import InvalidInput

MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_PDF_PAGES = 500
PDF_MAGIC = b"%PDF-"

# pypdf logs every repaired cross-reference table as a warning; a damaged upload is refused anyway.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    text: str  # the text layer, pages joined by newlines ("" for a scan)


def check_pdf(data: bytes, filename: str, max_bytes: int = MAX_PDF_BYTES) -> PdfInfo:
    """``data`` as a readable, unencrypted PDF of at most ``max_bytes``, or InvalidInput."""
    if not data:
        raise InvalidInput(f"文件“{filename}”是空的。", code="pdf_empty")
    if len(data) > max_bytes:
        raise InvalidInput(
            f"文件“{filename}”超过{max_bytes // (1024 * 1024)}MB，请压缩后再上传。",
            code="pdf_too_large",
        )
    if PDF_MAGIC not in data[:1024]:
        raise InvalidInput(
            f"文件“{filename}”不是PDF文件，请上传盖章后扫描或导出的PDF。", code="not_pdf"
        )
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise InvalidInput(
                f"文件“{filename}”已加密或设置了打开密码，请上传未加密的PDF。", code="pdf_encrypted"
            )
        pages = len(reader.pages)
        if pages == 0:
            raise InvalidInput(f"文件“{filename}”没有页面。", code="pdf_no_pages")
        if pages > MAX_PDF_PAGES:
            raise InvalidInput(
                f"文件“{filename}”有{pages}页，超过{MAX_PDF_PAGES}页的限制。",
                code="pdf_too_many_pages",
            )
        text = "\n".join((page.extract_text() or "") for page in reader.pages)
    except InvalidInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError) as err:  # fmt: skip
        raise InvalidInput(f"文件“{filename}”已损坏，无法读取（{type(err).__name__}）。",
                           code="pdf_unreadable") from err  # fmt: skip
    return PdfInfo(pages, text.strip())
