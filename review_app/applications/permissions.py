"""Who may see the application list and pages; the views, the API, the navigation and templates
ask here (the object scope itself is ``auth.permissions.can_view_application``)."""

from ..auth.permissions import application_scope, can_view_application, has_role, is_coordinator

__all__ = [
    "application_scope",
    "can_view_application",
    "can_view_applications",
    "can_view_every_prefecture",
]


def can_view_applications(user, obj=None) -> bool:
    """申报列表 and the application pages: the roles that see identified applications."""
    return has_role(user, "coordinator", "prefecture", "applicant", "inspector")


def can_view_every_prefecture(user, obj=None) -> bool:
    """Choose any prefecture (filters, 附件2, quotas): the coordinator; the others see their own."""
    return is_coordinator(user)
