"""Who may choose the program (year) they work on; the view, the top bar and the API ask here."""

from ..auth.permissions import has_role

# Roles that run programs and so choose one; every other role works on its own objects (their
# program) or on the program in force.
SWITCHING_ROLES = ("coordinator", "admin")


def can_switch_program(user, obj=None) -> bool:
    """Whether ``user`` chooses which program the pages show (省厅协调员, 系统管理员)."""
    return has_role(user, *SWITCHING_ROLES)
