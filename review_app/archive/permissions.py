"""Who may write the archive: the coordinator (the command line is the operator's)."""

from ..auth.permissions import is_coordinator


def can_archive(user, obj=None) -> bool:
    """归档 of the selected program, as a job: the coordinator."""
    return is_coordinator(user)
