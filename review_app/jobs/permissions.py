"""Who may follow a long job and download its result; the views and templates ask here."""


def can_view_job(user, job) -> bool:
    """A job is seen by the user who started it only."""
    return getattr(user, "is_authenticated", False) and job.owner_id == user.id


def can_download_job_result(user, job) -> bool:
    """下载结果: the owner, once the job is done and left a result."""
    return can_view_job(user, job) and job.state == "done" and bool(job.result_url)
