"""Who may see the dashboards' analysis; the views, the navigation and templates ask here."""

from ..auth.permissions import has_role, is_coordinator


def can_view_analysis(user, obj=None) -> bool:
    """评分分析 charts (and 评分进度): the coordinator only."""
    return is_coordinator(user)


def can_view_quotas(user, obj=None) -> bool:
    """推荐名额 and their use: the coordinator (all prefectures) and prefectures (their own)."""
    return has_role(user, "coordinator", "prefecture")
