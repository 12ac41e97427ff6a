"""Who may see and weigh 雷同检测 findings: the coordinator only (the findings name both
enterprises; experts never see identities, and see nothing of this)."""

from ..auth.permissions import is_coordinator, require

REFUSAL = "只有省厅协调员可以处理雷同检测结果。"


def can_review_similarity(user, obj=None) -> bool:
    """The findings list, the side-by-side page, marking and running the detection."""
    return is_coordinator(user)


def require_review_similarity(user) -> None:
    require(can_review_similarity(user), REFUSAL)
