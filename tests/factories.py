"""Test data built through the same verbs the app uses."""

from itertools import count

from sqlalchemy import select

from review_app.applications.catalogue import required_sections, scored_sections
from review_app.applications.service import submit_application
from review_app.assignment.models import Assignment
from review_app.auth.service import create_user
from review_app.clock import utcnow
from review_app.dossier.kinds import APPLICANT_KINDS, PDF
from review_app.dossier.models import Attachment, DossierCheck, PrefectureOpinion
from review_app.enterprises.uscc import make_uscc
from review_app.experts.models import Expert
from review_app.extensions import db
from review_app.inspection.models import Inspection, InspectionInspector
from review_app.programs.models import Prefecture
from review_app.programs.service import current_program
from review_app.scoring.models import Review
from review_app.workflow.service import fire

from .conftest import AFTER_DEADLINE, BEFORE_DEADLINE

PASSWORD = "Passw0rd!"
# 地市审核意见, required to endorse (dossier/guards.py): written by default so tests can endorse.
OPINION = "经审核，企业申报材料真实完整，符合入库条件，同意推荐。"
# The dossier, required to pass the format check (dossier_complete): supplied by default.
DOSSIER_PDF = b"%PDF-1.4\n% test attachment\n%%EOF\n"
_seq = count(1)


def prefecture(name: str = "郑州市") -> Prefecture:
    return db.session.execute(select(Prefecture).where(Prefecture.name == name)).scalar_one()


def user(role: str, username: str | None = None, **kwargs):
    username = username or f"{role}{next(_seq)}"
    if role == "prefecture":
        kwargs.setdefault("prefecture", "郑州市")
    kwargs.setdefault("must_change_password", False)
    return create_user(username, PASSWORD, role, actor_label="test", **kwargs)


def org_body(n: int) -> str:
    return f"{n:08d}"


def application(
    *,
    track: str = "excellent",
    pref: str = "郑州市",
    name: str | None = None,
    sections: dict | None = None,
    anonymised: bool = True,
    opinion: str | None = OPINION,
    dossier: bool = True,
    **fields,
):
    n = next(_seq)
    p = prefecture(pref)
    if sections is None:
        sections = {s.key: f"{s.title}的建设情况说明。" for s in required_sections(track)}
    fields.setdefault("national_excellent", track == "leading")
    application = submit_application(
        current_program(),
        track,
        p,
        {"name": name or f"测试企业{n}有限公司", "uscc": make_uscc(p.division_code, org_body(n))},
        sections=sections,
        actor_label="test",
        **fields,
    )
    if opinion is not None:
        write_opinion(application, opinion)
    if dossier:
        supply_dossier(application)
    if anonymised:
        confirm_sections(application)
    return application


def write_opinion(application, text: str = OPINION) -> PrefectureOpinion:
    """The prefecture's 审核意见, written straight into the table (the verb needs an officer)."""
    row = PrefectureOpinion(application_id=application.id, text=text, written_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def supply_dossier(application) -> None:
    """One file of every kind the prefecture uploads (so the attachments are complete whatever
    the declared fields) and 盖章版已核对 (通过), written straight into the tables."""
    now = utcnow()
    for kind in APPLICANT_KINDS:
        db.session.add(
            Attachment(
                application_id=application.id, kind=kind, filename=f"{kind}.pdf",
                content_type=PDF, size=len(DOSSIER_PDF), sha256="0" * 64, data=DOSSIER_PDF,
                pages=1, differences=[], uploaded_at=now,
            )
        )  # fmt: skip
    db.session.add(
        DossierCheck(
            application_id=application.id, kind="stamped_copy", result="pass",
            checked_by="测试核对人", checked_on=now.date(), source="", note="盖章版与Word版一致",
            recorded_at=now,
        )
    )  # fmt: skip
    db.session.flush()


def confirm_sections(application):
    """Mark the sections as anonymised and confirmed (their test texts name nobody)."""
    for section in application.sections:
        section.anonymised_text = section.text
        section.leak_status = "confirmed"
    db.session.flush()


def staff(app, experts: list[Expert] | None = None, per_section: int = 3):
    """Assign ``per_section`` distinct experts to each scored section."""
    specs = scored_sections(app.track_code)
    if experts is None:
        experts = [expert() for _ in range(len(specs) * per_section)]
    pool = list(experts)
    for spec in specs:
        for _ in range(per_section):
            db.session.add(
                Assignment(
                    application=app, section=app.section(spec.key), expert=pool.pop(),
                    status="assigned",
                )
            )  # fmt: skip
    db.session.flush()
    return experts


def expert(pledge: bool = True, **kwargs) -> Expert:
    """An expert with a login; ``pledge``: has signed the current program's pledge (without
    it no page shows the expert any text)."""
    n = next(_seq)
    account = user("expert", f"expert{n}")
    e = Expert(user=account, name=f"专家{n}", employer=f"单位{n}", **kwargs)
    db.session.add(e)
    db.session.flush()
    if pledge:
        sign_pledge(e)
    return e


def sign_pledge(e: Expert) -> None:
    from review_app.clock import utcnow
    from review_app.draws.models import Pledge
    from review_app.programs.service import current_program

    db.session.add(
        Pledge(expert_id=e.id, program_id=current_program().id, signed_at=utcnow(),
               signed_name=e.name, text_sha256="0" * 64)
    )  # fmt: skip
    db.session.flush()


def submit_reviews(app):
    for a in db.session.execute(
        select(Assignment).where(Assignment.application_id == app.id)
    ).scalars():
        a.status = "submitted"
        db.session.add(Review(assignment=a, status="submitted", total=80))
    db.session.flush()


def sample_for_inspection(app, inspector_user=None, verdict: str | None = None):
    inspection = Inspection(application=app, sample_rule="random", verdict=verdict)
    if inspector_user is not None:
        inspection.inspectors.append(InspectionInspector(user=inspector_user))
    db.session.add(inspection)
    db.session.flush()
    return inspection


class Actors:
    """One user per role, created lazily."""

    def __init__(self):
        self._cache = {}

    def officer(self, prefecture_name: str):
        """The prefecture officer of ``prefecture_name`` (郑州市's is ``self.prefecture``)."""
        if prefecture_name == "郑州市":
            return self.prefecture
        key = f"prefecture:{prefecture_name}"
        if key not in self._cache:
            self._cache[key] = user("prefecture", prefecture=prefecture_name)
        return self._cache[key]

    def __getattr__(self, role):
        if role.startswith("_"):
            raise AttributeError(role)
        if role not in self._cache:
            self._cache[role] = user(role)
        return self._cache[role]


def advance(app, target: str, actors: Actors):
    """Walk ``app`` to ``target`` through real transitions."""
    steps = {
        "prefecture_endorsed": [("endorse", actors.prefecture, BEFORE_DEADLINE)],
        "format_checked": [("pass_format_check", actors.coordinator, BEFORE_DEADLINE)],
        "expert_assigned": [("assign", actors.coordinator, AFTER_DEADLINE)],
        "scored": [("complete_scoring", actors.coordinator, AFTER_DEADLINE)],
    }
    order = ["prefecture_endorsed", "format_checked", "expert_assigned", "scored"]
    for state in order[: order.index(target) + 1]:
        if state == "expert_assigned":
            staff(app)
        if state == "scored":
            submit_reviews(app)
        for trigger, actor, now in steps[state]:
            fire(app, trigger, actor, now=now)
    return app


def scored(app, actors: Actors, fraction: float, experts: list[Expert] | None = None):
    """Walk ``app`` to ``scored`` with every review at ``fraction`` of its section's maximum
    (so the weighted application score is ``100 × fraction``)."""
    from review_app.scoring.service import rubric_for

    officer = actors.officer(app.prefecture.name)
    fire(app, "endorse", officer, now=BEFORE_DEADLINE)
    fire(app, "pass_format_check", actors.coordinator, now=BEFORE_DEADLINE)
    experts = staff(app, experts)
    fire(app, "assign", actors.coordinator, now=AFTER_DEADLINE)
    rubric = rubric_for(app.track_code)
    for a in db.session.execute(
        select(Assignment).where(Assignment.application_id == app.id)
    ).scalars():
        a.status = "submitted"
        total = round(fraction * rubric.section(a.section.key).max, 2)
        db.session.add(Review(assignment=a, status="submitted", total=total))
    db.session.flush()
    fire(app, "complete_scoring", actors.coordinator, now=AFTER_DEADLINE)
    return experts
