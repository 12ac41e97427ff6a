"""A small world holding one object of every kind a route takes by id, built through the
factories and the app's own verbs: for each kind, one the signed-in role may reach ("mine")
and one that belongs to someone else ("other")."""

from dataclasses import dataclass, field, replace

from review_app.applications.catalogue import scored_sections
from review_app.assignment.models import Assignment
from review_app.clock import utcnow
from review_app.decision import service as decision
from review_app.decision.models import ResultNotice
from review_app.dossier import service as dossier
from review_app.dossier.models import Attachment
from review_app.extensions import db
from review_app.inspection import service as inspection
from review_app.jobs.models import Job, UploadedBlob
from review_app.programs.service import current_program
from review_app.scoring.models import DispersionFlag
from review_app.similarity.models import SimilarityFinding
from review_app.webhooks import service as webhooks

from .. import factories as f
from ..dossier.pdfs import blank_pdf
from . import meeting_world, publicity_world

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LETTER_PDF = blank_pdf()
ROLES = ("coordinator", "prefecture", "expert", "inspector", "applicant", "admin")


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> username
    mine: dict = field(default_factory=dict)  # url argument -> id the role's own object
    other: dict = field(default_factory=dict)  # url argument -> id of someone else's object
    own_app: object = None
    other_app: object = None
    my_expert: object = None
    meeting_targets: dict = field(default_factory=dict)


def build() -> World:
    w = World()
    actors = f.Actors()
    my_expert = f.expert()
    needed = 3 * len(scored_sections("excellent"))
    others = [f.expert() for _ in range(needed)]
    own = f.application(pref="郑州市", name="本市测试智能装备有限公司")
    other = f.application(pref="洛阳市", name="外市测试精工轴承有限公司")
    # The expert of the world reviews a section of the own application only.
    f.scored(own, actors, 0.9, others[: needed - 1] + [my_expert])  # pop() takes the last
    f.scored(other, actors, 0.8, others)
    applicant = f.user("applicant", enterprise_id=own.enterprise_id)
    coordinator = actors.coordinator
    inspector = actors.inspector
    other_inspector = f.user("inspector", prefecture="开封市")

    mine_insp = inspection.add_manual(own, "抽查", coordinator)
    inspection.set_inspectors(mine_insp, [inspector.id], coordinator)
    other_insp = inspection.add_manual(other, "抽查", coordinator)
    inspection.set_inspectors(other_insp, [other_inspector.id], coordinator)
    code = mine_insp.items[0].code if getattr(mine_insp, "items", None) else "equipment"
    mine_ev = inspection.add_evidence(
        mine_insp, code, inspection.Upload("现场.png", PNG), inspector
    )
    other_ev = inspection.add_evidence(
        other_insp, code, inspection.Upload("现场.png", PNG), other_inspector
    )

    program = current_program()
    run = decision.stage(
        program, "excellent",
        replace(decision.default_params(program, "excellent"), capacity=1), coordinator,
    )  # fmt: skip
    made = {p.name: _letter(program, p) for p in (own.prefecture, other.prefecture)}

    officer = actors.prefecture
    job = Job(kind="import_docx", owner_id=officer.id, state="done", done=1, total=1,
              params={"prefecture_id": officer.prefecture_id}, details=[])  # fmt: skip
    db.session.add(job)
    db.session.flush()
    db.session.add(UploadedBlob(job_id=job.id, position=0, filename="a.docx", data=b"PK\x03\x04"))

    mine_assignment = db.session.query(Assignment).filter_by(expert_id=my_expert.id).first()
    other_assignment = (
        db.session.query(Assignment)
        .filter(Assignment.application_id == other.id)
        .filter(Assignment.expert_id != my_expert.id)
        .first()
    )
    admin = actors.admin
    expert_user = my_expert.user
    draw_run, mine_inv, other_inv, message = _draw(
        program, coordinator, my_expert, other_assignment
    )
    # A public address (loopback is refused); nothing is ever delivered in these tests.
    hook = webhooks.register("http://93.184.215.14:9/hook", "", "测试接收方", coordinator)
    finding = _finding(own, other)
    letters = [_endorsement_letter(a, actors.officer(a.prefecture.name)) for a in (own, other)]
    files = [_dossier_file(a) for a in (own, other)]
    mine_flag, other_flag = _flag(mine_assignment), _flag(other_assignment)
    after_mine, after_other = publicity_world.add(program, own, inspector)
    meeting_ids, w.meeting_targets = meeting_world.add(program, coordinator, officer, my_expert)
    db.session.commit()

    w.users = {
        "coordinator": coordinator.username, "prefecture": officer.username,
        "expert": expert_user.username, "inspector": inspector.username,
        "applicant": applicant.username, "admin": admin.username,
    }  # fmt: skip
    w.mine = {
        "application_id": own.id, "assignment_id": mine_assignment.id,
        "inspection_id": mine_insp.id, "evidence_id": mine_ev.id, "job_id": job.id,
        "notice_id": made["郑州市"].id, "prefecture_id": own.prefecture_id,
        "expert_id": my_expert.id, "run_id": run.id, "track": "excellent",
        "kind": "admission.xlsx", "code": code, "trigger": "endorse", "term_id": 1,
        "review_id": 1, "panel_id": draw_run.panel_id, "draw_id": draw_run.id,
        "invitation_id": mine_inv.id, "message_id": message.id, "webhook_id": hook.id,
        "user_id": other_inspector.id, "finding_id": finding.id, "flag_id": mine_flag.id,
        "letter_id": letters[0], "file_id": files[0], **after_mine, **meeting_ids,
    }  # fmt: skip
    w.other = {
        **w.mine, "application_id": other.id, "assignment_id": other_assignment.id,
        "inspection_id": other_insp.id, "evidence_id": other_ev.id,
        "notice_id": made["洛阳市"].id, "invitation_id": other_inv.id, "flag_id": other_flag.id,
        "letter_id": letters[1], "file_id": files[1],
        **after_other,
    }  # fmt: skip
    w.own_app, w.other_app, w.my_expert = own, other, my_expert
    return w


def _endorsement_letter(app, officer) -> int:
    """The 推荐函 of ``app``'s prefecture (a one-page PDF)."""
    letter = dossier.upload_letter(
        app.program, app.prefecture, dossier.Upload("推荐函.pdf", LETTER_PDF), officer
    )
    return letter.id


def _dossier_file(app) -> int:
    """A 荣誉称号 certificate of ``app`` (written directly: the application is past the stage
    where its prefecture uploads)."""
    row = Attachment(application_id=app.id, kind="honour", filename="荣誉证书.png",
                     content_type="image/png", size=len(PNG), sha256="0" * 64, data=PNG,
                     differences=[], uploaded_at=utcnow())  # fmt: skip
    db.session.add(row)
    db.session.flush()
    return row.id


def _finding(own, other) -> SimilarityFinding:
    """A 雷同检测 finding between the two applications' 工厂建设 sections."""
    a, b = own.section("link.factory"), other.section("link.factory")
    finding = SimilarityFinding(
        program_id=own.program_id, application_a_id=own.id, application_b_id=other.id,
        section_a_id=a.id, section_b_id=b.id, kind="cross_prefecture", score=0.5,
        shared_chars=len(a.text) // 2, passages=[[0, 0, len(a.text) // 2, len(a.text) // 2]],
        text_a=a.text, text_b=b.text, status="pending", reason="",
    )  # fmt: skip
    db.session.add(finding)
    db.session.flush()
    return finding


def _flag(assignment) -> DispersionFlag:
    """A resolved 复议 flag on the assignment's section (its discussion page, read-only)."""
    flag = DispersionFlag(application_id=assignment.application_id,
                          section_id=assignment.section_id, spread=30, threshold=20,
                          status="consensus", resolution="经合议维持")  # fmt: skip
    db.session.add(flag)
    db.session.flush()
    return flag


def _draw(program, coordinator, my_expert, other_assignment):
    """A recorded draw (rows written directly) with one invitation to the world's expert and
    one to another expert, and the invitation message in the outbox."""
    from review_app.assignment.service import ensure_panels
    from review_app.clock import utcnow
    from review_app.draws.models import DrawRun, Invitation
    from review_app.outbox import service as outbox

    panel = ensure_panels(program, coordinator)[0]
    other_expert_id = other_assignment.expert_id
    run = DrawRun(
        program_id=program.id, panel_id=panel.id, seed="1", limits={"count": 2}, snapshot=[],
        snapshot_hash="0" * 64, drawn=[my_expert.id, other_expert_id], backups=[], eligible=2,
        excluded={}, answer_by=utcnow(),
    )  # fmt: skip
    db.session.add(run)
    db.session.flush()
    invitations = [
        Invitation(draw_run_id=run.id, panel_id=panel.id, expert_id=e, position=i, role="drawn",
                   status="pending", invited_at=utcnow(), deadline=utcnow())
        for i, e in enumerate((my_expert.id, other_expert_id), start=1)
    ]  # fmt: skip
    db.session.add_all(invitations)
    db.session.flush()
    message = outbox.compose(
        "invitation", key="invitation:world", template="invitation", to_name=my_expert.name,
        to_address="expert@example.invalid", program=program,
        context={"expert_name": my_expert.name, "program_name": program.name,
                 "panel_name": panel.name, "role": "drawn", "deadline": "2026-04-01 12:00",
                 "invitation_id": invitations[0].id},
    )  # fmt: skip
    return run, invitations[0], invitations[1], message


def _letter(program, prefecture):
    """A released result letter (written directly: the decision is only staged, since the
    world's applications wait on their inspections)."""
    notice = ResultNotice(
        program_id=program.id, prefecture_id=prefecture.id, status="released",
        filename=f"结果通知-{prefecture.name}.docx", data=b"PK\x03\x04", sha256="0" * 64,
    )  # fmt: skip
    db.session.add(notice)
    db.session.flush()
    return notice


def client_as(app, username: str | None):
    """A new test client signed in as ``username`` (anonymous for None), with its CSRF token
    kept as ``client.csrf``. The tests share one app context, so Flask-WTF's token cache in
    ``g`` is dropped first."""
    from flask import g

    from ..conftest import csrf_from

    g.pop("csrf_token", None)
    client = app.test_client()
    client.csrf = csrf_from(client.get("/login").get_data(as_text=True))
    if username is not None:
        response = client.post(
            "/login", data={"username": username, "password": f.PASSWORD, "csrf_token": client.csrf}
        )
        assert response.status_code == 302, f"{username} could not sign in"
    return client
