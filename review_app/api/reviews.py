"""/api/v1/applications/<id>/reviews: every review's scores and comment beside each other, for
those who decide (the coordinator, as on 评分明细): the reviewer by code (专家A, 专家B … per
section, as the pages show it to the panel), never by name; and the 专家组意见 of each panel.
An expert is refused (an expert sees only its own reviews, at /api/v1/reviews)."""

from sqlalchemy import select

from ..applications.models import Application
from ..experts.permissions import can_review
from ..extensions import db
from ..panel.comments import SectionComment, section_comments
from ..panel.models import PanelOpinion
from ..panel.permissions import can_read_comments
from . import schemas
from .errors import ApiError
from .views import blp, permit, problems, user


def _review(row: SectionComment) -> dict:
    review = row.review
    return {
        "reviewer": row.code, "status": review.status if review else None,
        "total": None if review is None or review.total is None else float(review.total),
        "comment": row.comment, "submitted_at": review.submitted_at if review else None,
        "scores": {s.criterion_code: (None if s.points is None else float(s.points))
                   for s in review.scores} if review else {},
    }  # fmt: skip


def _opinion(o: PanelOpinion) -> dict:
    return {"panel": o.panel.name, "status": o.status, "status_name": o.status_name,
            "strengths": o.strengths, "problems": o.problems,
            "recommendation": o.recommendation, "signed_at": o.signed_at,
            "in_letter": o.in_letter}  # fmt: skip


@blp.route("/applications/<int:application_id>/reviews")
@blp.response(200, schemas.ApplicationReviewsSchema)
@problems(403, 404)
def application_reviews(application_id: int):
    """一个申报的评分与评审意见（评审专家以代码表示）及专家组意见，供省厅协调员决策"""
    if can_review(user()):
        raise ApiError(403, "forbidden", "评审专家只能查看本人的评分：见 /api/v1/reviews。")
    permit(can_read_comments(user()))
    application = db.session.get(Application, application_id)
    if application is None or not can_read_comments(user(), application):
        raise ApiError(404, "not_found", "没有这个申报的评分记录，或您无权查看。")
    sections = sorted(application.sections, key=lambda s: s.id)
    by_section = section_comments([s.id for s in sections])
    opinions = db.session.execute(
        select(PanelOpinion).where(PanelOpinion.application_id == application.id)
        .order_by(PanelOpinion.panel_id)
    ).scalars()  # fmt: skip
    return {
        "application_id": application.id, "anon_code": application.anon_code,
        "track": application.track_code,
        "sections": [{"key": s.key, "title": s.title,
                      "reviews": [_review(r) for r in by_section[s.id]]}
                     for s in sections if s.id in by_section],
        "opinions": [_opinion(o) for o in opinions],
    }  # fmt: skip
