"""雷同检测 over the database: the kinds of pair, earlier years, the re-check of a changed
section, the coordinator's verdict and where it shows (and where it does not)."""

import random
from datetime import date

import pytest
from sqlalchemy import func, select

from review_app.applications.catalogue import required_sections
from review_app.applications.service import submit_application
from review_app.audit.models import AuditEvent
from review_app.enterprises.uscc import make_uscc
from review_app.errors import InvalidInput, PermissionDenied
from review_app.extensions import db
from review_app.intake.service import run_format_check
from review_app.programs.models import Program, Track
from review_app.programs.service import current_program
from review_app.similarity import service
from review_app.similarity.models import SimilarityFinding
from review_app.similarity.textgen import plant, section_text

from .. import factories as f

KEY = "link.production"


def _sections(rng: random.Random, track: str = "excellent") -> dict[str, str]:
    return {s.key: section_text(rng, 500) for s in required_sections(track)}


def _copy_into(target: dict, source: dict, rng, edits=("reorder",)) -> dict:
    out = dict(target)
    out[KEY] = plant(source[KEY], target[KEY], rng, share=0.5, edits=edits)
    return out


@pytest.fixture()
def rng():
    return random.Random(7)


@pytest.fixture()
def coord(app):
    user = f.user("coordinator", "simcoord")
    db.session.commit()
    return user


def _earlier_program(year: int = 2025) -> Program:
    program = Program(code=f"test-{year}", name=f"{year}年培育", year=year,
                      deadline=date(year, 3, 27), settings={})  # fmt: skip
    program.tracks.append(Track(code="excellent", name="卓越级", capacity=100))
    db.session.add(program)
    db.session.flush()
    return program


def _findings() -> list[SimilarityFinding]:
    return list(db.session.execute(select(SimilarityFinding).order_by(SimilarityFinding.id))
                .scalars())  # fmt: skip


def test_pairs_within_and_across_prefectures_are_found_and_told_apart(app, coord, rng):
    base = [_sections(rng) for _ in range(4)]
    a = f.application(pref="郑州市", sections=base[0])
    b = f.application(pref="郑州市", sections=_copy_into(base[1], base[0], rng))
    c = f.application(pref="洛阳市", sections=_copy_into(base[2], base[0], rng, ("traditional",)))
    f.application(pref="洛阳市", sections=base[3])
    result = service.detect(current_program(), coord)
    db.session.commit()
    pairs = {(x.application_a_id, x.application_b_id): x for x in _findings()}
    assert result.found == len(pairs) == 3  # a-b, a-c, and b-c (both copied from a)
    assert pairs[(a.id, b.id)].kind == "same_prefecture"
    assert pairs[(a.id, c.id)].kind == "cross_prefecture"
    finding = pairs[(a.id, b.id)]
    assert finding.section_a.key == finding.section_b.key == KEY
    assert finding.status == "pending" and finding.score >= 0.2 and finding.shared_chars >= 60
    for start_a, start_b, len_a, len_b in finding.passages:
        assert (
            finding.text_a[start_a : start_a + len_a] == finding.text_b[start_b : start_b + len_b]
        )
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "similarity.detect")
    ).scalar_one()  # fmt: skip
    assert event.after["found"] == 3 and event.actor == coord.username


def test_earlier_years_another_enterprise_and_the_own_text(app, coord, rng):
    old_program = _earlier_program()
    shared = _sections(rng)
    pref = f.prefecture("郑州市")
    uscc = make_uscc(pref.division_code, "00000777")
    own_old = submit_application(old_program, "excellent", pref,
                                 {"name": "往年自身企业有限公司", "uscc": uscc},
                                 sections=shared, actor_label="test")  # fmt: skip
    other_old = submit_application(old_program, "excellent", pref,
                                   {"name": "往年其他企业有限公司",
                                    "uscc": make_uscc(pref.division_code, "00000778")},
                                   sections=_sections(rng), actor_label="test")  # fmt: skip
    now = current_program()
    assert now.year > old_program.year
    mine = submit_application(now, "excellent", pref, {"name": "往年自身企业有限公司", "uscc": uscc},
                              sections=_copy_into(_sections(rng), shared, rng),
                              actor_label="test")  # fmt: skip
    old_text = {s.key: s.text for s in other_old.sections}
    copier = f.application(sections=_copy_into(_sections(rng), old_text, rng, ("numbers",)))
    service.detect(now, coord)
    kinds = {(x.application_a_id, x.application_b_id): x.kind for x in _findings()}
    assert kinds[(mine.id, own_old.id)] == "own_earlier"
    assert kinds[(copier.id, other_old.id)] == "earlier_other"
    assert all(x.program_id == now.id for x in _findings())
    # earlier applications are not compared with each other, nor checked for their own program
    assert (own_old.id, other_old.id) not in kinds and (other_old.id, own_old.id) not in kinds


def test_a_changed_section_is_rechecked_pending_findings_replaced_marked_ones_kept(app, coord, rng):
    base = [_sections(rng) for _ in range(4)]
    a = f.application(sections=base[0])
    b = f.application(sections=_copy_into(base[1], base[0], rng))
    c = f.application(sections=base[2])
    d = f.application(sections=_copy_into(base[3], base[2], rng))
    service.detect(current_program(), coord)
    ab, cd = sorted(_findings(), key=lambda x: x.application_a_id)
    assert (ab.application_a_id, cd.application_a_id) == (a.id, c.id)
    service.mark(cd, "similar", "两份文本大段相同", coord)
    db.session.commit()
    marked_text = cd.text_b
    # both copiers rewrite the copied section in their own words
    b.section(KEY).text = base[1][KEY]
    d.section(KEY).text = base[3][KEY]
    db.session.flush()
    result = service.detect(current_program(), coord)
    db.session.commit()
    assert result.removed == 1 and result.kept_marked == 1
    (left,) = _findings()
    assert left.id == cd.id and left.status == "similar" and left.text_b == marked_text
    assert left.changed_since  # the page says the section changed since it was compared
    assert b.id not in {x.application_b_id for x in _findings()}
    # copied again: found again as a new pending finding
    b.section(KEY).text = _copy_into(base[1], base[0], rng)[KEY]
    db.session.flush()
    assert service.detect(current_program(), coord).created == 1


def test_a_rerun_without_changes_changes_nothing(app, coord, rng):
    base = [_sections(rng) for _ in range(2)]
    f.application(sections=base[0])
    f.application(sections=_copy_into(base[1], base[0], rng))
    first = service.detect(current_program(), coord)
    again = service.detect(current_program(), coord)
    assert (first.created, again.created, again.updated, again.removed) == (1, 0, 0, 0)


def test_marking_similar_warns_in_both_format_reports_and_survives_a_recheck(app, coord, rng):
    base = [_sections(rng) for _ in range(2)]
    a = f.application(sections=base[0])
    b = f.application(pref="洛阳市", sections=_copy_into(base[1], base[0], rng))
    service.detect(current_program(), coord)
    (finding,) = _findings()
    service.mark(finding, "similar", "生产作业章节大段照搬", coord)
    db.session.commit()
    for application in (a, b):
        warnings = [p for p in application.format_report if p["code"] == "similar_text"]
        assert len(warnings) == 1 and warnings[0]["severity"] == "warning"
        assert warnings[0]["field"] == KEY
        other = b if application is a else a
        assert other.enterprise.name not in warnings[0]["message"]  # the other is not named
        run_format_check(application, coord)
        assert any(p["code"] == "similar_text" for p in application.format_report)
    service.mark(finding, "normal", "同一集团两家子公司共用的系统描述", coord)
    db.session.commit()
    assert not any(p["code"] == "similar_text" for p in a.format_report + b.format_report)
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "similarity.mark").order_by(AuditEvent.id)
    ).scalars().all()  # fmt: skip
    assert [e.after["status"] for e in events] == ["similar", "normal"]
    assert events[1].before["status"] == "similar" and events[1].reason == ""
    assert finding.marked_by_id == coord.id and finding.marked_at is not None


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [("similar", "  ", "请填写判断理由。"), ("pending", "理由", "请选择“正常”或“雷同”。"),
     ("similar", "长" * 501, "判断理由不能超过500字。")],
)  # fmt: skip
def test_a_verdict_needs_a_status_and_a_reason(app, coord, rng, status, reason, message):
    base = [_sections(rng) for _ in range(2)]
    f.application(sections=base[0])
    f.application(sections=_copy_into(base[1], base[0], rng))
    service.detect(current_program(), coord)
    (finding,) = _findings()
    with pytest.raises(InvalidInput, match=message):
        service.mark(finding, status, reason, coord)


@pytest.mark.parametrize("role", ["prefecture", "expert", "inspector", "admin", "applicant"])
def test_only_the_coordinator_marks(app, coord, rng, role):
    base = [_sections(rng) for _ in range(2)]
    f.application(sections=base[0])
    f.application(sections=_copy_into(base[1], base[0], rng))
    service.detect(current_program(), coord)
    db.session.commit()
    (finding,) = _findings()
    extra = {"enterprise_id": finding.application_a.enterprise_id} if role == "applicant" else {}
    other = f.user(role, **extra)
    db.session.commit()
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(PermissionDenied):
        service.mark(finding, "similar", "理由", other)
    db.session.rollback()
    assert db.session.get(SimilarityFinding, finding.id).status == "pending"
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events


def test_withdrawn_applications_and_blank_sections_make_no_finding(app, coord, rng):
    blank = {s.key: "" for s in required_sections("excellent")}
    f.application(sections=blank)
    f.application(sections=blank)
    tiny = {s.key: "无。" for s in required_sections("excellent")}
    f.application(sections=tiny)
    f.application(sections=tiny)
    assert service.detect(current_program(), coord).found == 0
