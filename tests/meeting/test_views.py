"""The 会议评审 pages (each client posts the CSRF token of its own session: ``client_as``): the coordinator schedules and opens the scoring, the expert signs in and
scores the whole identified application on one page; refusals answer in Chinese and write
nothing."""

from sqlalchemy import func, select

from review_app.applications.catalogue import scored_sections
from review_app.assignment.models import Assignment
from review_app.extensions import db
from review_app.meeting.forms import field_key
from review_app.meeting.models import Attendance, Meeting
from review_app.scoring.models import Review
from review_app.scoring.service import rubric_for

from ..security.world import client_as
from .world import build


def _schedule(client, **changes):
    data = {"held_on": "2026-04-02", "start": "09:00", "minutes": "30", "place": "第一会议室",
            "video_link": "", "seed": "4711", **changes}  # fmt: skip
    data["csrf_token"] = client.csrf
    return client.post("/meeting/leading/schedule", data=data)


def _sheet_form(application, fraction: float, action: str) -> dict:
    rubric = rubric_for("leading")
    data = {"action": action, "comment": "答辩清楚，数据翔实，建议进一步量化成效。"}
    for spec in scored_sections("leading"):
        for c in rubric.section(spec.key).criteria:
            data[f"c_{field_key(spec.key)}_{c.code}"] = f"{fraction * c.max:.1f}"
    return data


def test_the_meeting_through_its_pages(app):
    w = build(app)
    coordinator = client_as(app, w.actors.coordinator.username)
    page = coordinator.get("/meeting/leading").get_data(as_text=True)
    assert "待安排答辩的申报（形式审查通过）：3家" in page
    response = _schedule(coordinator)
    assert response.status_code == 302
    meeting = db.session.execute(select(Meeting)).scalar_one()
    shown = coordinator.get(f"/meeting/meetings/{meeting.id}").get_data(as_text=True)
    assert "按种子复核一致" in shown and w.apps[0].enterprise.name in shown

    # Three experts sign in themselves; the scoring opens.
    experts = []
    for expert in w.experts[:3]:
        client = client_as(app, expert.user.username)
        mine = client.get("/expert/meetings").get_data(as_text=True)
        assert f"sign-in-{meeting.id}" in mine
        response = client.post(f"/expert/meetings/{meeting.id}/sign-in",
                               data={"csrf_token": client.csrf})  # fmt: skip
        assert response.status_code == 302
        experts.append(client)
    assert db.session.scalar(select(func.count(Attendance.id))) == 3
    response = coordinator.post(
        f"/meeting/meetings/{meeting.id}/open",
        data={"csrf_token": coordinator.csrf},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert {a.state for a in w.apps} == {"expert_assigned"}

    # The whole-application page shows the identified application.
    slot = meeting.slots[0]
    client = experts[0]
    page = client.get(f"/expert/meetings/slots/{slot.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert slot.application.enterprise.name in html
    assert all(s.text in html for s in slot.application.sections)  # unredacted, the 简介 too
    # A bad sheet (a score above its maximum) is refused; nothing is saved.
    bad = _sheet_form(slot.application, 0.8, "submit")
    first = next(k for k in bad if k.startswith("c_"))
    bad[first] = "999"
    bad["csrf_token"] = client.csrf
    assert client.post(f"/expert/meetings/slots/{slot.id}", data=bad).status_code == 400
    assert db.session.scalar(select(func.count(Review.id))) == 0
    # The full sheet submits every section at once.
    good = {**_sheet_form(slot.application, 0.8, "submit"), "csrf_token": client.csrf}
    response = client.post(f"/expert/meetings/slots/{slot.id}", data=good)
    assert response.status_code == 302
    db.session.expire_all()
    reviews = (
        db.session.execute(
            select(Review).join(Assignment).where(Assignment.application_id == slot.application_id)
        )
        .scalars()
        .all()
    )
    assert len(reviews) == len(scored_sections("leading"))
    assert {r.status for r in reviews} == {"submitted"}


def test_an_expert_not_signed_in_gets_no_identified_page(app):
    w = build(app)
    coordinator = client_as(app, w.actors.coordinator.username)
    _schedule(coordinator)
    meeting = db.session.execute(select(Meeting)).scalar_one()
    client = client_as(app, w.experts[0].user.username)
    response = client.get(f"/expert/meetings/slots/{meeting.slots[0].id}")
    assert response.status_code == 403
    assert w.apps[0].enterprise.name not in response.get_data(as_text=True)
    mine = client.get("/expert/meetings").get_data(as_text=True)
    # Before signing in the list names the applications by code only.
    assert all(a.enterprise.name not in mine for a in w.apps)


def test_a_bad_schedule_is_refused_in_chinese_and_writes_nothing(app):
    w = build(app)
    coordinator = client_as(app, w.actors.coordinator.username)
    response = _schedule(coordinator, place="", video_link="")
    assert response.status_code == 302
    page = coordinator.get("/meeting/leading").get_data(as_text=True)
    assert "请填写答辩地点或视频会议链接" in page
    assert db.session.scalar(select(func.count(Meeting.id))) == 0
    excellent = coordinator.get("/meeting/excellent").get_data(as_text=True)
    assert "不安排会议评审" in excellent


def test_the_coordinator_records_attendance_and_marks_a_defense_held(app):
    w = build(app)
    coordinator = client_as(app, w.actors.coordinator.username)
    _schedule(coordinator)
    meeting = db.session.execute(select(Meeting)).scalar_one()
    url = f"/meeting/meetings/{meeting.id}/attendance"
    response = coordinator.post(
        url, data={"expert_id": w.experts[3].id, "csrf_token": coordinator.csrf}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Attendance.id))) == 1
    # Twice: refused in Chinese, nothing more written.
    coordinator.post(url, data={"expert_id": w.experts[3].id, "csrf_token": coordinator.csrf})
    page = coordinator.get(f"/meeting/meetings/{meeting.id}").get_data(as_text=True)
    assert "已签到" in page and db.session.scalar(select(func.count(Attendance.id))) == 1
    slot = meeting.slots[0]
    held = coordinator.post(f"/meeting/slots/{slot.id}/held", data={"csrf_token": coordinator.csrf})
    assert held.status_code == 302
    db.session.expire_all()
    assert slot.status == "held"
    assert f"/meeting/slots/{slot.id}/held" not in coordinator.get(
        f"/meeting/meetings/{meeting.id}"
    ).get_data(as_text=True)
