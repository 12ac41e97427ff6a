"""Stored conflicts at scale: ``detect_conflicts`` writes its new findings in one statement, so
its statement count does not grow with the findings (同地市回避 alone is about 0.7 · m · n / 18
pairs: quadratic at national scale, where each was one ORM insert)."""

from sqlalchemy import delete, func, select

from review_app.assignment import conflict_service
from review_app.assignment.models import Conflict
from review_app.audit.models import AuditEvent
from review_app.extensions import db
from review_app.programs.service import current_program

from .. import factories as f
from ..conftest import statements as counted


def _world(expert_prefecture: str, n_experts: int = 6, n_apps: int = 3):
    apps = [f.application(pref="郑州市") for _ in range(n_apps)]
    place = f.prefecture(expert_prefecture)
    experts = [f.expert(prefecture=place) for _ in range(n_experts)]
    db.session.commit()
    return apps, experts


def _detect():
    coordinator = f.user("coordinator")
    db.session.commit()
    db.session.expire_all()  # both cases load the same objects from the database
    with counted() as statements:
        summary = conflict_service.detect_conflicts(current_program(), coordinator)
    return summary, len(statements)


def test_statements_do_not_grow_with_the_findings(app):
    apps, experts = _world("洛阳市")
    experts[0].prefecture = f.prefecture("郑州市")  # one expert shares the prefecture: 3 pairs
    few, first = _detect()
    assert few["added"] == 3
    db.session.execute(delete(Conflict))  # start again with five of six sharing it: 15 pairs
    for e in experts:
        e.prefecture = f.prefecture("郑州市" if e is not experts[0] else "洛阳市")
    many, second = _detect()
    assert many["added"] == 15
    assert second == first  # 3 or 15 new rows: the same statements (one insert)
    rows = db.session.execute(select(Conflict)).scalars().all()
    assert {(c.expert_id, c.rule, c.source, c.status) for c in rows} == {
        (e.id, "same_prefecture", "detected", "active") for e in experts[1:]
    }
    assert len(rows) == 15
    assert {c.enterprise_id for c in rows} == {a.enterprise_id for a in apps}
    assert all(c.evidence and c.created_at for c in rows)
    # a re-run adds nothing, keeps the rows and writes no insert
    again, rerun = _detect()
    assert again["added"] == 0 and again["removed"] == 0
    assert rerun == second - 1
    assert db.session.scalar(select(func.count(Conflict.id))) == 15


def test_findings_gone_are_removed_and_decisions_kept(app):
    apps, experts = _world("郑州市", n_experts=2, n_apps=2)
    coordinator = f.user("coordinator")
    conflict_service.detect_conflicts(current_program(), coordinator)
    waived = db.session.execute(
        select(Conflict).where(Conflict.expert_id == experts[0].id)
    ).scalars().first()  # fmt: skip
    conflict_service.waive(waived, "异地工作多年，经处务会同意", coordinator)
    for e in experts:
        e.prefecture = f.prefecture("洛阳市")
    summary = conflict_service.detect_conflicts(current_program(), coordinator)
    assert summary == {"experts": 2, "applications": 2, "added": 0, "removed": 3}
    remaining = db.session.execute(select(Conflict)).scalars().all()
    assert [(c.id, c.status) for c in remaining] == [(waived.id, "waived")]
    events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "conflict.detect")
    )
    assert events == 2
