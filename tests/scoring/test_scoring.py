"""Scoring through the service and the expert's form: drafts, submit and lock, idempotent
double submit, stale forms, NA rescaling, 复议 flags and their resolution, automatic completion,
reopening; and the expert's access limits."""

import pytest
from sqlalchemy import func, select

from review_app.assignment.models import Assignment
from review_app.errors import DomainError, InvalidInput
from review_app.extensions import db
from review_app.scoring import service
from review_app.scoring.models import DispersionFlag, Review
from review_app.scoring.rubric import rubric_for

from .. import factories as f
from ..assignment.test_service import _panels, _ready  # noqa: F401
from ..conftest import csrf_from, login


def _assigned():
    (application,) = _ready(1)
    program, coordinator, _ = _panels()
    from review_app.assignment import service as assignment_service

    assignment_service.commit(program, "excellent", 1, None, coordinator)
    return application, coordinator


def _values(section, fraction=0.8, na=()):
    criteria = rubric_for("excellent").section(section.key).criteria
    return {
        c.code: (None, True) if c.code in na else (round(c.max * fraction * 2) / 2, False)
        for c in criteria
    }


COMMENT = "总体情况良好，数据完整，建议进一步量化成效。"


def _mine(application):
    return db.session.execute(
        select(Assignment).where(Assignment.application_id == application.id).order_by(Assignment.id)
    ).scalars().all()  # fmt: skip


def test_submit_locks_and_a_double_submit_is_idempotent(app):
    application, _ = _assigned()
    a = _mine(application)[0]
    user = a.expert.user
    values = _values(a.section)
    review = service.save(a, values, COMMENT, version=None, actor=user, submit=True)
    assert review.status == "submitted" and a.status == "submitted"
    again = service.save(a, values, COMMENT, version=None, actor=user, submit=True)
    assert again.id == review.id and again.version == review.version
    with pytest.raises(DomainError, match="已提交并锁定"):
        service.save(a, _values(a.section, 0.5), COMMENT, version=None, actor=user, submit=True)


def test_a_submit_is_written_whole_at_commit_and_not_at_all_on_rollback(app):
    """The review, its scores (one statement), the assignment's status and the audit event
    (written by the transaction's next flush) are all there after the commit; a rollback
    leaves none of them."""
    from review_app.audit import service as audit
    from review_app.scoring.models import ReviewScore

    application, _ = _assigned()
    first, second = _mine(application)[:2]
    values = _values(first.section)
    review = service.save(first, values, COMMENT, version=None, actor=first.expert.user,
                          submit=True)  # fmt: skip
    db.session.commit()
    stored = {s.criterion_code: (float(s.points), s.not_applicable) for s in review.scores}
    assert stored == {code: (float(p), na) for code, (p, na) in values.items()}
    assert db.session.get(Assignment, first.id).status == "submitted"
    events = audit.events_for("review", review.id)
    assert [e.action for e in events] == ["review.submit"]
    assert events[0].after["assignment"] == first.id and events[0].after["status"] == "submitted"
    assert audit.verify().ok

    reviews_before = db.session.scalar(select(func.count(Review.id)))
    scores_before = db.session.scalar(select(func.count(ReviewScore.id)))
    other = service.save(second, _values(second.section), COMMENT, version=None,
                         actor=second.expert.user, submit=True)  # fmt: skip
    other_id = other.id
    db.session.rollback()
    assert db.session.scalar(select(func.count(Review.id))) == reviews_before
    assert db.session.scalar(select(func.count(ReviewScore.id))) == scores_before
    assert db.session.get(Assignment, second.id).status == "assigned"
    assert audit.events_for("review", other_id) == [] and audit.verify().ok


def test_scoring_tasks_reads_what_scoring_task_reads(app):
    application, _ = _assigned()
    a, b = _mine(application)[:2]
    service.save(a, _values(a.section), "", version=None, actor=a.expert.user, submit=False)
    db.session.commit()
    many = service.scoring_tasks([a.id, b.id, 10**9])
    assert set(many) == {a.id, b.id}
    for assignment_id, (assignment, review) in many.items():
        one = service.scoring_task(assignment_id)
        assert one == (assignment, review)
    assert many[a.id][1] is not None and many[b.id][1] is None
    assert service.scoring_tasks([]) == {}


def test_not_applicable_is_rescaled_not_zero(app):
    application, _ = _assigned()
    a = _mine(application)[0]
    section_rubric = rubric_for("excellent").section(a.section.key)
    skip = section_rubric.criteria[0]
    values = {c.code: (c.max, False) for c in section_rubric.criteria}
    values[skip.code] = (None, True)
    review = service.save(a, values, COMMENT, version=None, actor=a.expert.user, submit=True)
    assert float(review.total) == pytest.approx(section_rubric.max)  # full marks on the rest


def test_submit_requires_every_criterion_and_a_comment(app):
    application, _ = _assigned()
    a = _mine(application)[0]
    values = _values(a.section)
    first = next(iter(values))
    values[first] = (None, False)
    with pytest.raises(InvalidInput, match="未打分"):
        service.save(a, values, COMMENT, version=None, actor=a.expert.user, submit=True)
    with pytest.raises(InvalidInput, match="评审意见"):
        service.save(a, _values(a.section), "好", version=None, actor=a.expert.user, submit=True)
    out_of_range = _values(a.section)
    out_of_range[first] = (99.0, False)
    with pytest.raises(InvalidInput, match="之间"):
        service.save(a, out_of_range, COMMENT, version=None, actor=a.expert.user, submit=False)


def test_a_stale_form_is_refused_and_nothing_written(app):
    application, _ = _assigned()
    a = _mine(application)[0]
    user = a.expert.user
    draft = service.save(a, _values(a.section, 0.5), "", version=None, actor=user, submit=False)
    loaded_version = draft.version
    service.save(a, _values(a.section, 0.6), "", version=loaded_version, actor=user, submit=False)
    db.session.commit()
    with pytest.raises(service.StaleReview):
        service.save(a, _values(a.section, 0.9), COMMENT, version=loaded_version, actor=user,
                     submit=True)  # fmt: skip
    db.session.rollback()
    assert db.session.get(Review, draft.id).status == "draft"


def test_another_expert_cannot_save(app):
    application, _ = _assigned()
    a, b = _mine(application)[:2]
    from review_app.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        service.save(a, _values(a.section), COMMENT, version=None, actor=b.expert.user, submit=True)


def _score_all(application, low_on=None):
    for a in _mine(application):
        fraction = 0.3 if a.id == low_on else 0.8
        service.save(a, _values(a.section, fraction), COMMENT, version=None,
                     actor=a.expert.user, submit=True)  # fmt: skip


def test_last_review_completes_the_application_by_itself(app):
    application, _ = _assigned()
    _score_all(application)
    assert application.state == "scored"
    result = service.application_breakdown(application)
    assert result["score"].score == pytest.approx(80.0, abs=1.0)


def test_disagreement_raises_a_flag_and_consensus_resolves_it(app):
    application, coordinator = _assigned()
    low = _mine(application)[0]
    _score_all(application, low_on=low.id)
    assert application.state == "expert_assigned"
    flag = db.session.execute(select(DispersionFlag)).scalar_one()
    assert flag.section_id == low.section_id and flag.status == "open"
    with pytest.raises(InvalidInput, match="说明"):
        service.resolve_flag(flag, "consensus", "", [], coordinator)
    service.resolve_flag(flag, "consensus", "经合议维持原评分", [], coordinator)
    assert application.state == "scored"


def test_rescore_reopens_the_chosen_reviewer(app):
    application, coordinator = _assigned()
    low = _mine(application)[0]
    _score_all(application, low_on=low.id)
    flag = db.session.execute(select(DispersionFlag)).scalar_one()
    service.resolve_flag(flag, "rescore", "请重新核对", [low.expert_id], coordinator)
    assert low.status == "reopened" and application.state == "expert_assigned"
    service.save(low, _values(low.section, 0.8), COMMENT, version=None, actor=low.expert.user,
                 submit=True)  # fmt: skip
    assert application.state == "scored"


def test_reopen_needs_coordinator_and_reason_and_moves_back(app):
    application, coordinator = _assigned()
    _score_all(application)
    review = service.review_of(_mine(application)[0])
    with pytest.raises(InvalidInput, match="理由"):
        service.reopen(review, "", coordinator)
    service.reopen(review, "评分依据有误", coordinator)
    assert application.state == "expert_assigned" and review.status == "draft"


def test_expert_scores_in_the_browser_form(app, client):
    application, _ = _assigned()
    a = _mine(application)[0]
    db.session.commit()
    login(client, a.expert.user.username)
    url = f"/expert/assignments/{a.id}/score"
    page = client.get(url).get_data(as_text=True)
    assert a.section.anonymised_text in page and "满分标准" in page and "score.js" in page
    data = {"csrf_token": csrf_from(page), "comment": COMMENT, "action": "submit"}
    for code, (points, _) in _values(a.section).items():
        data[f"c_{code}"] = str(points)
    bad = dict(data, comment="")
    response = client.post(url, data=bad)
    assert response.status_code == 400
    kept = response.get_data(as_text=True)
    assert (
        "评审意见" in kept
        and f'value="{data[next(k for k in data if k.startswith("c_"))]}"' in kept
    )
    response = client.post(url, data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert a.status == "submitted"


def test_expert_cannot_open_another_experts_form(app, client):
    application, _ = _assigned()
    a, b = _mine(application)[:2]
    db.session.commit()
    login(client, a.expert.user.username)
    assert client.get(f"/expert/assignments/{b.id}/score").status_code == 403
    assert db.session.scalar(select(func.count(Review.id))) == 0


def test_expert_cannot_open_a_form_over_unconfirmed_text(app, client):
    application, _ = _assigned()
    b = _mine(application)[1]
    b.section.leak_status = "clean"
    db.session.commit()
    login(client, b.expert.user.username)
    response = client.get(f"/expert/assignments/{b.id}/score")
    assert response.status_code == 409 and "正在复核" in response.get_data(as_text=True)


def test_coordinator_pages_flags_and_breakdown(app, client):
    application, _ = _assigned()
    low = _mine(application)[0]
    _score_all(application, low_on=low.id)
    f.user("coordinator", "coord")
    db.session.commit()
    login(client, "coord")
    html = client.get("/scoring/flags").get_data(as_text=True)
    assert "待复议" in html and low.section.title in html
    html = client.get(f"/scoring/applications/{application.id}").get_data(as_text=True)
    assert "需复议" in html and "加权总分" in html


def test_concurrent_saves_of_one_review_from_two_sessions(app):
    from sqlalchemy.orm import Session

    application, _ = _assigned()
    a = _mine(application)[0]
    user = a.expert.user
    review = service.save(a, _values(a.section, 0.5), "", version=None, actor=user, submit=False)
    db.session.commit()
    # A second browser session saves the same review first (its own transaction).
    with Session(db.engine) as other:
        theirs = other.get(Review, review.id)
        theirs.comment = "另一个窗口保存的内容"
        other.commit()
    with pytest.raises(service.StaleReview):
        service.save(a, _values(a.section), COMMENT, version=None, actor=user, submit=True)
    db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(Review, review.id)
    assert stored.status == "draft" and stored.comment == "另一个窗口保存的内容"


def test_progress_page_counts_submitted_and_overdue(app, client):
    from datetime import date

    application, _ = _assigned()
    assignments = _mine(application)
    for a in assignments:
        a.due_date = date(2026, 3, 1)  # before the frozen "today" of the tests (2026-03-20)
    first = assignments[0]
    service.save(first, _values(first.section), COMMENT, version=None, actor=first.expert.user,
                 submit=True)  # fmt: skip
    f.user("coordinator", "coord")
    db.session.commit()
    login(client, "coord")
    import re

    html = client.get("/scoring/progress").get_data(as_text=True)
    by_panel = html.split("按评审组")[1].split("按专家")[0]
    rows = re.findall(
        r"<tr><td>[^<]+</td><td>(\d+)</td><td>(\d+)</td>.*?<td>(?:<span[^>]*>)?(\d+)",
        by_panel,
        re.S,
    )
    totals = [sum(int(r[i]) for r in rows) for i in range(3)]
    assert totals == [len(assignments), 1, len(assignments) - 1]


def test_calibration_shows_a_lenient_reviewer_and_keeps_raw_beside(app, monkeypatch):
    import dataclasses

    from review_app.assignment import service as assignment_service

    apps = _ready(3)
    program, coordinator, experts = _panels(general=20)
    assignment_service.commit(program, "excellent", 9, None, coordinator)
    lenient = experts["general"][0]
    for application in apps:
        for a in _mine(application):
            fraction = 0.95 if a.expert_id == lenient.id else 0.7
            service.save(a, _values(a.section, fraction), COMMENT, version=None,
                         actor=a.expert.user, submit=True)  # fmt: skip
    rubric = service.rubric_for("excellent")
    calibrating = dataclasses.replace(
        rubric, aggregation=dataclasses.replace(rubric.aggregation, calibration=True)
    )
    monkeypatch.setattr(service, "rubric_for", lambda track, program=None: calibrating)
    scored = next(a for a in apps if any(x.expert_id == lenient.id for x in _mine(a)))
    result = service.application_breakdown(scored)
    assert result["biases"]["general"][lenient.id] > 10  # ~ +25 points on the 100 scale, centred
    assert result["calibrated"].score is not None
    section_id = next(x.section_id for x in _mine(scored) if x.expert_id == lenient.id)
    row = next(r for r in result["sections"] if r["section"].id == section_id)
    aggregate = row["aggregate"]
    # On the lenient reviewer's section the calibrated mean takes the leniency off; raw is kept.
    assert aggregate.calibrated_mean < aggregate.raw_mean


@pytest.mark.parametrize("raw", ["sNaN", "NaN", "Infinity", "1e309", "1e-400", "9" * 40])
def test_a_hostile_number_in_a_criterion_is_a_field_error_and_stores_nothing(app, client, raw):
    """``sNaN`` raised decimal.InvalidOperation inside NumberRange: a 500."""
    from review_app.audit.models import AuditEvent
    from review_app.scoring.models import ReviewScore

    application, _ = _assigned()
    a = _mine(application)[0]
    db.session.commit()
    login(client, a.expert.user.username)
    url = f"/expert/assignments/{a.id}/score"
    page = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "comment": COMMENT, "action": "submit"}
    for code, (points, _) in _values(a.section).items():
        data[f"c_{code}"] = str(points)
    first = next(k for k in data if k.startswith("c_"))
    data[first] = raw
    counts = [db.session.scalar(select(func.count(m.id))) for m in (Review, ReviewScore,
                                                                     AuditEvent)]  # fmt: skip
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "请输入数字" in response.get_data(as_text=True) or "超出允许范围" in response.get_data(
        as_text=True
    )
    db.session.rollback()
    assert counts == [db.session.scalar(select(func.count(m.id))) for m in (Review, ReviewScore,
                                                                            AuditEvent)]  # fmt: skip
    assert a.status == "assigned"


def test_full_width_digits_in_a_criterion_are_read(app, client):
    application, _ = _assigned()
    a = _mine(application)[0]
    db.session.commit()
    login(client, a.expert.user.username)
    url = f"/expert/assignments/{a.id}/score"
    data = {"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), "comment": COMMENT}
    values = _values(a.section)
    for code, (points, _) in values.items():
        data[f"c_{code}"] = str(points).translate(
            str.maketrans("0123456789.", "０１２３４５６７８９．")
        )
    assert client.post(url, data=data).status_code == 302
    db.session.rollback()
    review = db.session.execute(select(Review).where(Review.assignment_id == a.id)).scalar_one()
    assert {s.criterion_code: s.points for s in review.scores} == {
        code: pytest.approx(points) for code, (points, _) in values.items()
    }
