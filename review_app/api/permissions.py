"""Who uses the token API; the 我的 menu's API令牌 link and the token page ask here."""

from ..auth.permissions import has_role

# Every role has resources in /api/v1/ (README "API"; tests/api/test_matrix.py): the coordinator
# and the prefecture their applications and quotas, the expert its assignments and reviews, the
# inspector and the applicant their applications, the administrator the audit verification.
API_ROLES = ("coordinator", "prefecture", "expert", "inspector", "applicant", "admin")


def can_use_api(user, obj=None) -> bool:
    """API令牌 (personal tokens for /api/v1/): the roles the API serves."""
    return has_role(user, *API_ROLES)
