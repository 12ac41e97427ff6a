"""The dossier's items of the format check (形式审查) as the coordinator's queue shows them:
盖章版已核对 (recorded on 申报材料) and what the dossier still lacks. Passing the format check
requires both (the ``dossier_complete`` guard of ``pass_format_check``)."""

from dataclasses import dataclass

from ..applications.models import Application
from .checks import checks_of, dossier_gaps

STAMPED_LABELS = {None: "未核对", "pass": "已核对", "fail": "不一致"}


@dataclass(frozen=True)
class DossierItems:
    stamped: str | None  # the 盖章版已核对 result: None (not recorded), "pass" or "fail"
    gaps: tuple[str, ...]  # what is missing, one Chinese item each (empty: complete)

    @property
    def stamped_label(self) -> str:
        return STAMPED_LABELS[self.stamped]

    @property
    def complete(self) -> bool:
        return not self.gaps


def dossier_items(app: Application) -> DossierItems:
    stamped = checks_of(app).get("stamped_copy")
    return DossierItems(stamped.result if stamped else None, tuple(dossier_gaps(app)))
