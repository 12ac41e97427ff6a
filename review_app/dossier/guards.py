"""Guards the workflow table consults (named functions returning a Chinese reason or None)."""

from sqlalchemy import select

from ..extensions import db
from .models import PrefectureOpinion

OPINION_FIELD = "地市审核意见"


def opinion_of(application) -> PrefectureOpinion | None:
    if application.id is None:
        return None
    return db.session.execute(
        select(PrefectureOpinion).where(PrefectureOpinion.application_id == application.id)
    ).scalar_one_or_none()


def opinion_written(ctx) -> str | None:
    """推荐 needs the prefecture's 审核意见 (the notice: 严格审核, 形成正式推荐文件)."""
    opinion = opinion_of(ctx.application)
    if opinion is None or not opinion.text.strip():
        return f"未填写“{OPINION_FIELD}”，不能推荐。请先在“推荐材料”页填写对该申报的审核意见。"
    return None
