"""Open work on a simulated province, for the journeys of issue 22 points 2, 3, 4 and 6.

``review-app simulate`` runs the province to the end: every review submitted, every inspection
concluded, the decision published. ``reopen`` puts some of it back, once, before the province
is served (tests/browser/test_province_pages.py):

- two of one expert's submitted reviews back to 草稿 with their assignments 重新开放 (as the
  coordinator's 重新开放评分 leaves them; done in the tables, since the service refuses once the
  application is decided);
- one concluded inspection of one inspector back to 待核查, its items and verdict empty;
- a new application of one prefecture, through the real intake (``import_docx``) on the day of
  the simulation's intake, its 审核意见 written and its 统一社会信用代码's check digit wrong (a
  blocking problem of the format report), in a prefecture with a place left in its quota;
- a second new application of that prefecture, without its 成熟度评估分数 (a 提醒 of the format
  report), endorsed on that day with its dossier and the coordinator's checks: it waits for
  形式审查通过 (the coordinator's actions of point 3). It takes the prefecture's last place but one.

Deadlines: the app's clock reads ``FROZEN_NOW``; the journeys set it to the simulation's day of
the stage they act in (``INTAKE_DAY`` for the prefecture's endorsement, before the deadline;
``REVIEW_DAY`` for the coordinator's format check, after it).
"""

from dataclasses import dataclass

from sqlalchemy import delete, func, select

from review_app.applications.models import Application
from review_app.assignment.models import Assignment
from review_app.auth.models import User
from review_app.enterprises.uscc import make_uscc
from review_app.experts.models import Expert, Panel
from review_app.extensions import db
from review_app.inspection.models import (
    ChecklistSave,
    EvidenceFile,
    Inspection,
    InspectionInspector,
)
from review_app.programs.models import Prefecture, ProgramQuota
from review_app.programs.service import current_program
from review_app.scoring.models import Review
from review_app.simulate import INTAKE_DAY
from review_app.workflow.states import ENDORSED_STATES

from ..intake.conftest import valid_sample
from .test_actions_journey import blocked_application, endorsed_application, unscored

NEW_APPLICATION = "郑州省级浏览器测试智能装备有限公司"
SERIAL = "MA009901"  # the new application's USCC serial (its check digit then made wrong)
ENDORSED_APPLICATION = "郑州省级浏览器测试待形式审查有限公司"


@dataclass(frozen=True)
class Work:
    expert: str  # username
    tasks: tuple[int, int]  # the reopened assignments, in the expert's order
    places: tuple[str, str]  # their 第 N/M 份: N in the expert's tasks, M how many it has
    inspector: str
    inspection: int
    inspected: str  # the inspected enterprise's name
    prefecture: str
    division: str  # the prefecture's division code, for the corrected USCC
    application: int
    endorsed: int  # the application waiting for 形式审查通过
    coordinator: str
    panel: int  # the 卓越级 重点环节 panel of 工厂建设


def reopen(app, users: dict[str, str]) -> Work:
    """Open the work above on the province in ``app``'s database (one transaction); the
    accounts are ``users`` (one per role, tests/browser/crawl.py's ``accounts``)."""
    with app.app_context():
        expert, tasks, places = _reopen_reviews(users["expert"])
        inspection, inspected = _reopen_inspection(users["inspector"])
        prefecture = _user(users["prefecture"]).prefecture
        app.config["FROZEN_NOW"] = INTAKE_DAY
        try:
            application, endorsed = _new_applications(
                users["prefecture"], users["coordinator"], prefecture
            )
        finally:
            app.config["FROZEN_NOW"] = None
        panel = db.session.scalar(
            select(Panel.id).where(Panel.track_code == "excellent",
                                   Panel.section_group == "link.factory")
        )  # fmt: skip
        db.session.commit()
        return Work(expert, tasks, places, users["inspector"], inspection, inspected,
                    users["prefecture"], prefecture.division_code, application, endorsed,
                    users["coordinator"], panel)  # fmt: skip


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _reopen_reviews(username: str):
    """The expert's first two submitted reviews of 卓越级 (scored on the form, not in a 会议评审)
    back to drafts; their ids and 第 N/M 份."""
    expert = db.session.execute(
        select(Expert).where(Expert.user_id == _user(username).id)
    ).scalar_one()
    order = db.session.execute(
        select(Assignment).where(Assignment.expert_id == expert.id,
                                 Assignment.status != "declined_conflict")
        .order_by(Assignment.due_date, Assignment.id)
    ).scalars().all()  # fmt: skip
    picked = [
        (n, a) for n, a in enumerate(order, start=1)
        if a.application.track_code == "excellent" and a.status == "submitted"
    ][:2]  # fmt: skip
    for _, assignment in picked:
        review = db.session.execute(
            select(Review).where(Review.assignment_id == assignment.id)
        ).scalar_one()
        review.status, review.submitted_at = "draft", None
        assignment.status = "reopened"
    places = tuple(f"第 {n}/{len(order)} 份" for n, _ in picked)
    return username, tuple(a.id for _, a in picked), places


def _reopen_inspection(username: str) -> tuple[int, str]:
    """The inspector's first concluded inspection back to 待核查: no verdict, empty items."""
    inspection = db.session.execute(
        select(Inspection).join(InspectionInspector)
        .where(InspectionInspector.user_id == _user(username).id)
        .order_by(Inspection.id).limit(1)
    ).scalar_one()  # fmt: skip
    item_ids = [i.id for i in inspection.items]
    db.session.execute(delete(EvidenceFile).where(EvidenceFile.item_id.in_(item_ids)))
    db.session.execute(delete(ChecklistSave).where(ChecklistSave.inspection_id == inspection.id))
    for item in inspection.items:
        item.finding, item.note = None, ""
    inspection.verdict, inspection.deduction, inspection.note = None, 0, ""
    inspection.completed_at = inspection.completed_by_id = None
    return inspection.id, inspection.application.enterprise.name


def _new_applications(username: str, coordinator: str, prefecture: Prefecture) -> tuple[int, int]:
    """Two 卓越级 applications of the officer's prefecture, through the intake: one with its
    审核意见 and a wrong check digit in its USCC (the format report's blocking problem), one
    endorsed without its 成熟度评估分数 (a 提醒), waiting for the format check."""
    program = current_program()
    quota = db.session.scalar(
        select(ProgramQuota.quota).where(ProgramQuota.program_id == program.id,
                                         ProgramQuota.prefecture_id == prefecture.id,
                                         ProgramQuota.track_code == "excellent")
    )  # fmt: skip
    used = db.session.scalar(
        select(func.count(Application.id)).where(
            Application.program_id == program.id, Application.prefecture_id == prefecture.id,
            Application.track_code == "excellent", Application.state.in_(ENDORSED_STATES),
        )
    )  # fmt: skip
    assert used + 2 <= quota, f"{prefecture.name} has no two places left ({used}/{quota})"
    officer = _user(username)
    waiting = unscored(valid_sample(n=9902, name=ENDORSED_APPLICATION, pref=prefecture.name))
    endorsed = endorsed_application(officer, _user(coordinator), waiting)
    parsed = valid_sample(n=9901, name=NEW_APPLICATION, pref=prefecture.name)
    assert parsed.enterprise.uscc == make_uscc(prefecture.division_code, SERIAL)
    return blocked_application(officer, parsed).id, endorsed.id
