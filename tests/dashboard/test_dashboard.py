"""Role dashboards and the coordinator's 评分分析 charts."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from review_app.assignment.models import Assignment
from review_app.auth.models import User
from review_app.dashboard import service
from review_app.extensions import db
from review_app.programs.service import current_program
from review_app.scoring.models import Review

from .. import factories as f
from ..conftest import login


@pytest.fixture()
def world(app):
    actors = f.Actors()
    experts = None
    scored = []
    for i, fraction in enumerate((0.9, 0.8, 0.7)):
        a = f.application(pref=("郑州市", "洛阳市", "郑州市")[i], name=f"看板企业{i}有限公司")
        experts = f.scored(a, actors, fraction, experts)
        scored.append(a)
    waiting = f.application(pref="郑州市", name="看板待推荐有限公司")
    endorsed = f.application(pref="郑州市", name="看板已推荐有限公司")
    f.advance(endorsed, "prefecture_endorsed", actors)
    db.session.commit()
    return actors, scored, waiting, endorsed, experts


def test_root_sends_each_role_to_its_dashboard(world, client):
    f.user("coordinator", "dash-c")
    db.session.commit()
    login(client, "dash-c")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard/")


def test_coordinator_sees_counts_quotas_and_progress(world, client):
    f.user("coordinator", "dash-c")
    db.session.commit()
    login(client, "dash-c")
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "工作台" in html and "<svg" in html
    # three scored, one endorsed waiting for the format check
    assert '<span class="tile-n">3</span><span>已评分待决定' in html
    assert '<span class="tile-n">1</span><span>待形式审查' in html
    assert "各评审组评分进度" in html and "各地市已推荐数与名额" in html


def test_quota_rows_count_endorsed_against_the_quota(world):
    program = current_program()
    rows = {(r.prefecture.name, r.track): r for r in service.quota_rows(program)}
    zz = rows[("郑州市", "excellent")]
    assert (zz.endorsed, zz.waiting, zz.quota) == (3, 1, 27)
    assert rows[("洛阳市", "excellent")].endorsed == 1


def test_prefecture_sees_its_own_quota_only(world, client):
    actors = world[0]
    officer = actors.officer("洛阳市")
    db.session.commit()
    login(client, officer.username)
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "洛阳市" in html and "已推荐 1 家" in html
    assert "看板企业0有限公司" not in html
    assert client.get("/dashboard/analysis").status_code == 403


def test_expert_sees_what_is_due_and_what_is_late(world, client, app):
    *_, experts = world
    expert = experts[0]
    a = f.application(name="看板评审有限公司")
    f.advance(a, "format_checked", f.Actors())
    db.session.add(Assignment(application=a, section=a.sections[1], expert=expert,
                              status="assigned", due_date=date(2026, 3, 1)))  # fmt: skip
    db.session.commit()
    login(client, expert.user.username)
    html = client.get("/dashboard/").get_data(as_text=True)
    assert a.anon_code in html and "已逾期" in html and "看板评审有限公司" not in html
    work = service.expert_work(expert.user_id, date(2026, 3, 20))
    assert (len(work.open), work.overdue, work.next_due) == (1, 1, date(2026, 3, 1))


def test_inspector_sees_pending_inspections(world, client):
    from review_app.inspection import service as inspection

    actors, scored, *_ = world
    ins = inspection.add_manual(scored[0], "抽查", actors.coordinator)
    inspector = f.user("inspector", "dash-i", prefecture="开封市")
    inspection.set_inspectors(ins, [inspector.id], actors.coordinator)
    db.session.commit()
    login(client, "dash-i")
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "看板企业0有限公司" in html and "待核查 <strong>1</strong>" in html


def test_leniency_puts_the_lenient_reviewer_first_with_a_positive_bias(world):
    *_, experts = world
    # one 综合组 reviewer scores 20 points (of 100) above everyone else on every section
    lenient = None
    for review, assignment in db.session.execute(
        select(Review, Assignment).join(Assignment).order_by(Assignment.id)
    ).all():
        if assignment.section.key.startswith(("overview", "plan")):
            lenient = lenient or assignment.expert_id
            if assignment.expert_id == lenient:
                review.total = float(review.total) + 2  # +2 of 10 = +20 on the 100 scale
    db.session.flush()
    rows = service.reviewer_leniency(current_program(), "excellent", "general")
    name, scores, bias = rows[0]
    assert bias > 10 and all(b < bias for _, _, b in rows[1:])
    assert len(scores) == 3  # the lenient reviewer reviewed one section of each application


def test_analysis_page_draws_every_chart(world, client):
    f.user("coordinator", "dash-c")
    db.session.commit()
    login(client, "dash-c")
    html = client.get("/dashboard/analysis?track=excellent&group=general").get_data(as_text=True)
    assert html.count("<svg") == 4
    assert "排名" in html and "入库线" in html
    assert client.get("/dashboard/analysis?group=nonsense").status_code == 404


def test_applicant_dashboard_lists_only_its_own_applications(world, client):
    _, scored, waiting, _, _ = world
    f.user("applicant", "dash-ap", enterprise_id=waiting.enterprise_id)
    db.session.commit()
    login(client, "dash-ap")
    response = client.get("/dashboard/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "我的申报" in body
    assert waiting.enterprise.name in body and "已提交" in body
    assert not [a.enterprise.name for a in scored if a.enterprise.name in body]


def test_admin_dashboard_counts_accounts_and_shows_account_events(world, client):
    from datetime import timedelta

    from review_app.audit import service as audit
    from review_app.clock import utcnow

    locked = f.user("expert", "dash-locked")
    locked.locked_until = utcnow() + timedelta(minutes=10)
    audit.record("user.locked", "user", locked.id, actor_label="system")
    f.user("inspector", "dash-off").is_active_account = False
    f.user("admin", "dash-admin")
    db.session.commit()
    login(client, "dash-admin")
    response = client.get("/dashboard/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "系统管理工作台" in body
    rows = dict(re.findall(r"<tr><th>([^<]+)</th>(.*?)</tr>", body, re.S))
    cells = {name: re.findall(r"<td>(.*?)</td>", row) for name, row in rows.items()}
    n_experts = db.session.scalar(select(func.count(User.id)).where(User.role == "expert"))
    assert cells["评审专家"] == [str(n_experts), "", "1"]
    assert cells["实地抽查人员"][1] == "1"
    assert "账号锁定" in body and "dash-admin" in body  # the lock event; the admin's own sign-in
    # no scores, no application
    assert not [a.enterprise.name for a in world[1] if a.enterprise.name in body]
    assert "评分" not in body and "得分" not in body
