"""The files of the dossier and what each may be: the attachments the form calls for (附后),
the stamped 申报书 and the outside checks' screenshots. Pure data; one table, read top to bottom."""

from dataclasses import dataclass

PDF, JPG, PNG = "application/pdf", "image/jpeg", "image/png"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_STAMPED_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS_PER_APPLICATION = 40


@dataclass(frozen=True)
class Kind:
    code: str
    name: str  # Chinese, as the form and the notice say it
    types: tuple[str, ...]
    limit: int  # files of this kind per application
    max_bytes: int = MAX_ATTACHMENT_BYTES


KINDS: tuple[Kind, ...] = (
    Kind("maturity_certificate", "智能制造能力成熟度评估证书（GB/T 39116）", (PDF, JPG, PNG), 3),
    Kind("other_capability", "其他能力证明材料", (PDF, JPG, PNG), 5),
    Kind("honour", "荣誉称号证书", (PDF, JPG, PNG), 10),
    Kind("national_excellent_title", "国家卓越级智能工厂称号证明", (PDF, JPG, PNG), 3),
    Kind("financial_statement", "最近一年经审计的财务报表", (PDF,), 3),
    Kind("stamped_form", "盖章版申报书（PDF）", (PDF,), 1, MAX_STAMPED_BYTES),
    Kind("credit_evidence", "信用核查截图或导出文件", (PDF, JPG, PNG), 3),
    Kind("accident_evidence", "安全环保事故核查截图或导出文件", (PDF, JPG, PNG), 3),
)
BY_CODE = {k.code: k for k in KINDS}
# Uploaded by the prefecture with the application (the others are the coordinator's checks).
APPLICANT_KINDS = ("maturity_certificate", "other_capability", "honour",
                   "national_excellent_title", "financial_statement", "stamped_form")  # fmt: skip
CHECK_KINDS = ("credit_evidence", "accident_evidence")


@dataclass(frozen=True)
class Facts:
    """What decides the attachments an application needs (from its declared fields)."""

    track: str
    maturity_level: int | None
    other_evidence: str
    has_honours: bool
    national_excellent: bool


def required(facts: Facts) -> list[tuple[str, str]]:
    """(kind, why) the application must carry, in the form's order."""
    out = []
    if facts.maturity_level is not None:
        out.append(("maturity_certificate", "申报书勾选了成熟度等级（评估证明材料附后）"))
    elif facts.other_evidence.strip():
        out.append(("other_capability", "申报书以其他能力证明材料代替成熟度评估结果"))
    if facts.has_honours:
        out.append(("honour", "申报书填写了所获荣誉称号"))
    if facts.track == "leading" or facts.national_excellent:
        out.append(("national_excellent_title", "申报领航级须已入选国家卓越级智能工厂"))
    out.append(("financial_statement", "入库条件（二）：近三年经营和财务状况良好"))
    out.append(("stamped_form", "通知要求报送盖章版申报书（含电子Word版）"))
    return out


def missing(facts: Facts, present: set[str]) -> list[tuple[str, str]]:
    """The required kinds with no file yet: (kind, message in Chinese)."""
    return [
        (kind, f"缺少{BY_CODE[kind].name}（{why}）。")
        for kind, why in required(facts)
        if kind not in present
    ]
