"""The draw from the expert pool as the coordinator runs it: recorded and verifiable, limits
kept on the real pool, invitations with backups, availability, and the pledge gate."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from review_app.applications.catalogue import scored_sections
from review_app.assignment.models import Assignment, Conflict
from review_app.assignment.service import ensure_panels
from review_app.audit.models import AuditEvent
from review_app.clock import utcnow
from review_app.draws import service
from review_app.draws.models import DrawRun, Invitation, Pledge
from review_app.errors import InvalidInput, PermissionDenied
from review_app.experts.models import Expert, PanelMember
from review_app.extensions import db
from review_app.outbox.models import OutboxMessage
from review_app.programs.service import current_program
from tests import factories as f
from tests.conftest import login, post_form
from tests.security.world import client_as

CITIES = ["郑州市", "洛阳市", "开封市", "新乡市", "南阳市", "许昌市"]
LINKS = ["link.factory", "link.rnd", "link.production", "link.prod_mgmt", "link.operations"]


def pool(n: int = 200, accounts: int = 0) -> list[Expert]:
    """``n`` experts, three per unit, over six cities, each with one 重点环节; the first
    ``accounts`` have logins (and e-mail addresses)."""
    prefectures = {name: f.prefecture(name) for name in CITIES}
    experts = []
    for i in range(n):
        account = f.user("expert", f"pool{i}") if i < accounts else None
        e = Expert(
            user=account, name=f"池专家{i}", employer=f"单位{i // 3}",
            prefecture=prefectures[CITIES[i % len(CITIES)]], specialties=[LINKS[i % len(LINKS)]],
            industries=["C34"], email=f"pool{i}@example.com" if account else "",
        )  # fmt: skip
        db.session.add(e)
        experts.append(e)
    db.session.commit()
    return experts


def panel(group: str = "link.factory"):
    program = current_program()
    ensure_panels(program, f.user("coordinator"))
    db.session.commit()
    return next(
        p for p in ensure_panels(program, f.user("coordinator"))
        if p.section_group == group and p.track_code == "excellent"
    )  # fmt: skip


VALUES = {"count": 7, "backups": 3, "specialties": ["link.factory"], "max_per_unit": 1,
          "max_per_prefecture": 2}  # fmt: skip


def test_same_seed_same_draw_different_seed_different_draw(app):
    pool()
    the_panel = panel()
    coordinator = f.user("coordinator")
    first = service.run_draw(current_program(), the_panel, VALUES, "583920", coordinator)
    drawn = (list(first.drawn), list(first.backups), first.snapshot_hash)
    db.session.rollback()
    again = service.run_draw(current_program(), panel(), VALUES, " 583920 ", f.user("coordinator"))
    assert (again.drawn, again.backups, again.snapshot_hash) == (*drawn[:2], drawn[2])
    db.session.rollback()
    other = service.run_draw(current_program(), panel(), VALUES, "583921", f.user("coordinator"))
    assert other.snapshot_hash == drawn[2] and other.drawn != drawn[0]


def test_the_draw_keeps_every_limit_on_the_real_pool(app):
    experts = {e.id: e for e in pool()}
    unavailable = [e for e in experts.values() if e.specialties == ["link.factory"]][:5]
    program, coordinator = current_program(), f.user("coordinator")
    for e in unavailable:
        service.set_availability(program, e, False, "出国", coordinator)
    values = {**VALUES, "excluded_prefectures": ["郑州市"], "count": 6, "backups": 3}
    run = service.run_draw(program, panel(), values, "7", coordinator)
    chosen = [experts[i] for i in run.drawn + run.backups]
    assert len(run.drawn) == 6 and len(run.backups) == 3
    assert all(e.specialties == ["link.factory"] for e in chosen)
    assert all(e.prefecture.name != "郑州市" for e in chosen)
    assert not {e.id for e in unavailable} & set(run.drawn + run.backups)
    assert len({e.employer for e in chosen}) == len(chosen)  # at most one per unit
    per_city = {}
    for e in chosen:
        per_city[e.prefecture.name] = per_city.get(e.prefecture.name, 0) + 1
    assert max(per_city.values()) <= 2
    assert run.excluded["unavailable"] == 5
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "draw.run")).one()
    assert event.after["seed"] == "7" and event.after["snapshot_hash"] == run.snapshot_hash
    assert event.after["drawn"] == run.drawn


def test_a_pool_that_cannot_meet_the_limits_says_which_and_writes_nothing(app):
    pool(60)
    program, coordinator, the_panel = current_program(), f.user("coordinator"), panel()
    expert_user = f.user("expert")
    db.session.commit()
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    # 12 link.factory experts, two in each of 6 cities: one per city allows 6, 7 are asked
    with pytest.raises(InvalidInput, match="地市") as err:
        service.run_draw(program, the_panel, {**VALUES, "count": 5, "backups": 2,
                                            "max_per_prefecture": 1}, "1", coordinator)  # fmt: skip
    assert "还差1名" in err.value.message
    with pytest.raises(InvalidInput, match="只有12名"):
        service.run_draw(program, the_panel, {**VALUES, "count": 20, "max_per_unit": None,
                                            "max_per_prefecture": None}, "1", coordinator)  # fmt: skip
    with pytest.raises(InvalidInput, match="种子"):
        service.run_draw(program, the_panel, VALUES, "  ", coordinator)
    with pytest.raises(PermissionDenied):
        service.run_draw(program, the_panel, VALUES, "1", expert_user)
    db.session.rollback()
    assert db.session.scalar(select(func.count(DrawRun.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before


def _drawn_with_accounts():
    experts = pool(60, accounts=60)
    run = service.run_draw(current_program(), panel(), {**VALUES, "count": 3, "backups": 2},
                           "42", f.user("coordinator"))  # fmt: skip
    by_id = {e.id: e for e in experts}
    return run, by_id


def test_drawn_experts_are_invited_and_backups_wait(app):
    run, by_id = _drawn_with_accounts()
    statuses = [(i.role, i.status) for i in run.invitations]
    assert statuses == [("drawn", "pending")] * 3 + [("backup", "standby")] * 2
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.to_address for m in messages] == [by_id[e].email for e in run.drawn]
    assert all(m.kind == "invitation" and m.status == "draft" for m in messages)
    assert all(i.deadline == run.answer_by for i in run.invitations[:3])


def test_a_decline_brings_in_the_next_backup_and_an_accept_seats_the_expert(app):
    run, by_id = _drawn_with_accounts()
    first, second = run.invitations[0], run.invitations[1]
    with pytest.raises(InvalidInput, match="原因"):
        service.answer(first, False, " ", by_id[first.expert_id].user)
    service.answer(first, False, "已安排出差", by_id[first.expert_id].user)
    backup = run.invitations[3]
    assert first.status == "declined" and backup.status == "pending"
    assert backup.replaces_id == first.id
    assert (
        db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == f"invitation:{backup.id}")
        ).to_address
        == by_id[backup.expert_id].email
    )
    service.answer(second, True, "", by_id[second.expert_id].user)
    assert second.status == "accepted"
    seated = db.session.scalars(select(PanelMember.expert_id).where(
        PanelMember.panel_id == run.panel_id)).all()  # fmt: skip
    assert second.expert_id in seated and first.expert_id not in seated
    with pytest.raises(InvalidInput, match="已接受"):
        service.answer(second, False, "改主意", by_id[second.expert_id].user)
    with pytest.raises(Exception, match="没有这份邀请"):  # someone else's invitation
        service.answer(second, True, "", by_id[first.expert_id].user)


def test_missed_deadlines_expire_and_backups_run_out_visibly(app):
    run, _ = _drawn_with_accounts()
    later = utcnow() + timedelta(hours=49)
    assert service.expire_overdue(later) == 3
    statuses = [i.status for i in run.invitations]
    assert statuses == ["expired"] * 3 + ["pending"] * 2
    status = service.panel_status(run.panel)
    assert status["short"] == 1 and status["standby"] == 0
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "draw.backups_exhausted")
        )
        == 1
    )
    with pytest.raises(InvalidInput, match="期限"):
        inv = run.invitations[3]
        service.answer(inv, True, "", inv.expert.user, now=later + timedelta(days=3))


def test_a_supplementary_draw_never_draws_the_same_expert_twice(app):
    run, _ = _drawn_with_accounts()
    again = service.run_draw(current_program(), run.panel, {**VALUES, "count": 2, "backups": 0},
                             "43", f.user("coordinator"))  # fmt: skip
    assert not set(again.drawn) & set(run.drawn + run.backups)


def test_draw_verify_reproduces_and_detects_tampering(app, runner):
    pool()
    run = service.run_draw(current_program(), panel(), VALUES, "2026", f.user("coordinator"))
    db.session.commit()
    result = runner.invoke(args=["draw", "verify", str(run.id)])
    assert result.exit_code == 0, result.output
    assert "复核一致" in result.output and run.snapshot_hash in result.output
    snapshot = [dict(row) for row in run.snapshot]
    snapshot[0]["unit"] = "别的单位"
    run.snapshot = snapshot
    db.session.commit()
    result = runner.invoke(args=["draw", "verify", str(run.id)])
    assert result.exit_code == 1 and "快照哈希不一致" in result.output


def test_draw_verify_detects_a_changed_result(app, runner):
    pool()
    run = service.run_draw(current_program(), panel(), VALUES, "2026", f.user("coordinator"))
    run.drawn = [run.backups[0]] + list(run.drawn[1:])
    db.session.commit()
    result = runner.invoke(args=["draw", "verify", str(run.id)])
    assert result.exit_code == 1
    assert "抽取结果不一致" in result.output and "审计链" in result.output
    assert runner.invoke(args=["draw", "verify", "999"]).exit_code == 2


def _assigned_expert():
    """An expert without a pledge, assigned one section of an application."""
    expert = f.expert(pledge=False)
    application = f.application()
    others = [f.expert() for _ in range(len(scored_sections(application.track_code)) - 1)]
    f.staff(application, others + [expert], per_section=1)  # staff() pops from the end
    return expert, application


def test_the_pledge_comes_before_any_text(app, client):
    expert, application = _assigned_expert()
    assignment = db.session.scalars(
        select(Assignment).where(Assignment.expert_id == expert.id)
    ).first()
    db.session.commit()
    login(client, expert.user.username)
    for url in (f"/expert/assignments/{assignment.id}/score", f"/expert/assignments/{assignment.id}",
                "/scoring/sheet.xlsx"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and "/pledge" in response.headers["Location"], url
    response = post_form(client, "/pledge", {"agreed": "1", "signed_name": "别人"}, "/pledge")
    assert (
        db.session.scalar(select(func.count(Pledge.id)).where(Pledge.expert_id == expert.id)) == 0
    )
    page = client.get("/pledge").get_data(as_text=True)
    assert "签名应为您在专家库中登记的姓名" in page
    response = post_form(client, "/pledge", {"agreed": "1", "signed_name": expert.name,
                                             "next": f"/expert/assignments/{assignment.id}/score"},
                         "/pledge")  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"].endswith("/score")
    assert client.get(f"/expert/assignments/{assignment.id}/score").status_code == 200
    pledge = db.session.scalars(select(Pledge).where(Pledge.expert_id == expert.id)).one()
    assert pledge.signed_name == expert.name and len(pledge.text_sha256) == 64


def test_a_relation_declared_in_the_pledge_is_a_declared_conflict(app):
    expert, application = _assigned_expert()
    enterprise = application.enterprise
    service.sign_pledge(
        expert, current_program(), signed_name=expert.name, agreed=True, actor=expert.user,
        declared=[{"enterprise": enterprise.uscc, "kind": "consultancy", "note": "2025年咨询"},
                  {"enterprise": "", "kind": "other"}],
    )  # fmt: skip
    conflict = db.session.scalars(select(Conflict).where(Conflict.expert_id == expert.id)).one()
    assert conflict.enterprise_id == enterprise.id and conflict.rule == "declared_relation"
    assert conflict.blocks
    statuses = set(db.session.scalars(
        select(Assignment.status).where(Assignment.expert_id == expert.id)))  # fmt: skip
    assert statuses == {"declined_conflict"}
    with pytest.raises(InvalidInput, match="已签署"):
        service.sign_pledge(expert, current_program(), signed_name=expert.name, agreed=True,
                            actor=expert.user, declared=[])  # fmt: skip


def test_the_coordinator_draws_and_the_expert_answers_through_the_pages(app, client):
    experts = pool(60, accounts=60)
    f.user("coordinator", "coord1")
    the_panel = panel()
    db.session.commit()
    login(client, "coord1")
    page = client.get(f"/draws/panels/{the_panel.id}").get_data(as_text=True)
    assert "抽取种子" in page
    response = post_form(client, f"/draws/panels/{the_panel.id}", {
        "action": "draw", "count": "3", "backups": "1", "specialties": "link.factory",
        "max_per_unit": "1", "max_per_prefecture": "2", "answer_hours": "48", "seed": "990",
    }, f"/draws/panels/{the_panel.id}")  # fmt: skip
    assert response.status_code == 302
    run = db.session.scalars(select(DrawRun)).one()
    page = client.get(f"/draws/panels/{the_panel.id}").get_data(as_text=True)
    assert "990" in page and "已邀请，待答复" in page
    response = post_form(
        client, f"/draws/runs/{run.id}/verify", {}, f"/draws/panels/{the_panel.id}"
    )
    assert "复核一致" in client.get(f"/draws/panels/{the_panel.id}").get_data(as_text=True)
    invited = next(e for e in experts if e.id == run.drawn[0])
    other = client_as(app, invited.user.username)
    inv = db.session.scalars(select(Invitation).where(Invitation.expert_id == invited.id)).one()
    assert "答复" in other.get("/invitations/").get_data(as_text=True)
    response = post_form(
        other, f"/invitations/{inv.id}", {"action": "accept"}, f"/invitations/{inv.id}"
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/pledge")
    db.session.expire_all()
    assert db.session.get(Invitation, inv.id).status == "accepted"


def test_the_expert_dashboard_asks_for_answers_and_the_pledge(app, client):
    run, by_id = _drawn_with_accounts()
    invited = by_id[run.drawn[0]]
    db.session.commit()
    login(client, invited.user.username)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "您有 1 份评审邀请待答复" in page and "阅读并签署" in page
    service.answer(run.invitations[0], True, "", invited.user)
    service.sign_pledge(invited, current_program(), signed_name=invited.name, agreed=True,
                        declared=[], actor=invited.user)  # fmt: skip
    db.session.commit()
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "评审邀请待答复" not in page and "阅读并签署" not in page
    assert "我的评审工作台" in page
