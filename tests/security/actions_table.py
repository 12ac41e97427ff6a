"""The action table: every action button whose showing depends on the object asks the object's predicate, and the
action refuses exactly what the button hides (DESIGN.md section 12).

For each action × each role × each state of the target object: the page shows the button (found
by a marker only its form carries) exactly when ``predicate(user, target)`` allows it; when it
does not, a request for the action is refused (403, a 4xx page or a flashed Chinese error) and
nothing is written: the audit chain, the row counts of every table an action touches and the
target row stay as they were. Pages a role may not open at all answer 403 and so does the action.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import url_for
from sqlalchemy import func, inspect, select

from review_app.admin.permissions import (
    can_change_role,
    can_disable_account,
    can_enable_account,
    can_manage_account,
    can_unlock_account,
)
from review_app.applications.models import Application
from review_app.assignment.models import Assignment, Conflict
from review_app.assignment.permissions import (
    can_adjust_experts,
    can_declare_conflict,
    can_pin_conflict,
    can_remove_assignment,
    can_settle_conflict,
    can_waive_conflict,
)
from review_app.audit.models import AuditEvent
from review_app.auth.models import User
from review_app.clock import utcnow
from review_app.decision.models import ResultNotice
from review_app.decision.permissions import can_release_notice
from review_app.dossier.models import (
    Attachment,
    DossierCheck,
    EndorsementLetter,
    EntryFigures,
    IndustryAverage,
    PrefectureOpinion,
)
from review_app.dossier.permissions import (
    can_add_check_file,
    can_edit_entry_figures,
    can_upload_attachment,
    can_upload_letter,
    can_write_opinion,
)
from review_app.draws.models import Invitation
from review_app.draws.permissions import can_answer_invitation
from review_app.experts.models import Panel, PanelMember
from review_app.extensions import db
from review_app.inspection.models import EvidenceFile, Inspection, InspectionInspector
from review_app.inspection.permissions import (
    can_assign_inspectors,
    can_record_inspection,
    can_remove_inspection,
)
from review_app.jobs.models import Job
from review_app.jobs.permissions import can_download_job_result
from review_app.meeting.models import Attendance, Meeting, MeetingSlot
from review_app.meeting.permissions import (
    can_mark_held,
    can_open_scoring,
    can_score_in_meeting,
    can_sign_in,
)
from review_app.outbox.models import OutboxMessage
from review_app.outbox.permissions import (
    can_cancel_message,
    can_release_message,
    can_resend_message,
)
from review_app.panel.models import FlagPost, OpinionVote, PanelOpinion
from review_app.panel.permissions import (
    can_choose_letter,
    can_edit_opinion,
    can_post_in_thread,
    can_sign_opinion,
    can_vote_opinion,
)
from review_app.programs.models import Prefecture
from review_app.publicity.models import Objection, ObjectionFile, Reconsideration
from review_app.publicity.permissions import (
    can_accept_objection,
    can_assign_checker,
    can_conclude_objection,
    can_reconsider,
    can_record_findings,
)
from review_app.scoring.models import DispersionFlag, Review
from review_app.scoring.permissions import can_reopen_review, can_resolve_flag

from ..conftest import csrf_from
from ..dossier.pdfs import blank_pdf
from .world import PNG, ROLES, client_as

# Tables an action writes to: their row counts must not move when an action is refused.
TABLES = (AuditEvent, Assignment, Review, Conflict, DispersionFlag, Inspection,
          InspectionInspector, EvidenceFile, ResultNotice, OutboxMessage, Invitation, User,
          Job, PrefectureOpinion, EndorsementLetter, Attachment, DossierCheck, EntryFigures,
          IndustryAverage, FlagPost, PanelOpinion, OpinionVote, Objection, ObjectionFile,
          Reconsideration, Meeting, MeetingSlot, Attendance, PanelMember)  # fmt: skip
REFUSED = (400, 403, 404, 409)


@dataclass(frozen=True)
class Action:
    name: str
    model: type
    target: Callable  # world -> id of the object the button acts on
    page: tuple  # (endpoint, world, obj -> url arguments) of the page showing the button
    marker: Callable  # (world, obj) -> text that only the button's form carries
    predicate: Callable
    request: Callable  # (world, obj) -> (method, endpoint, url arguments, form data)
    states: tuple = ({},)  # attribute values of the target to try, one dict per state
    setup: dict = field(default_factory=dict)

    def __str__(self):
        return self.name


def _status(*values, attr="status"):
    return tuple({attr: v} for v in values)


def _t(key):
    return lambda w: w.targets[key]


def _m(key):
    return lambda w: w.mine[key]


CONFLICT_PAGE = ("assignment.conflicts", lambda w, o: {})
CONFLICT_STATES = _status("pending", "active", "waived", "dismissed", "pinned")


def _conflict(action):
    return lambda w, o: ("POST", *CONFLICT_PAGE[:1], {},
                         {"action": action, "conflict_id": o.id, "reason": "测试理由"})  # fmt: skip


PANELS_PAGE = ("assignment.panels", lambda w, o: {"track": o.track_code, "panel": o.id})
INSPECTION_STATES = ({"verdict": None}, {"verdict": "true"})
OUTBOX_PAGE = ("outbox.show", lambda w, o: {"message_id": o.id})
OUTBOX_STATES = _status("draft", "released", "sent", "failed", "uncertain", "cancelled")


def _outbox(action):
    return lambda w, o: ("POST", *OUTBOX_PAGE[:1], {"message_id": o.id},
                         {"action": action, "reason": "已核实未送达"})  # fmt: skip


OPINION_PAGE = ("panel.opinion", lambda w, o: {"application_id": o.application_id,
                                                "panel_id": o.panel_id})  # fmt: skip
OPINION_STATES = _status("draft", "circulated", "signed")


def _opinion(action):
    return lambda w, o: ("POST", *OPINION_PAGE[:1],
                         {"application_id": o.application_id, "panel_id": o.panel_id},
                         {"action": action, "reason": "推荐意见过高", "version": o.version,
                          "strengths": "改", "problems": "改", "recommendation": "改"})  # fmt: skip


ACCOUNT_PAGE = ("admin.user", lambda w, o: {"user_id": o.id})
ACCOUNT_STATES = (
    {"locked_until": None, "is_active_account": True},
    {"locked_until": "soon", "is_active_account": True},
    {"locked_until": "past", "is_active_account": True},  # a lock whose time has passed
    {"locked_until": None, "is_active_account": False},
)


def _account(action):
    return lambda w, o: ("POST", *ACCOUNT_PAGE[:1], {"user_id": o.id}, {"acct-action": action})


OBJECTION_PAGE = ("publicity.objection", lambda w, o: {"objection_id": o.id})
OBJECTION_STATES = (
    {"status": "received", "findings": ""}, {"status": "accepted", "findings": ""},
    {"status": "checking", "findings": ""}, {"status": "checking", "findings": "已核查"},
    {"status": "upheld", "findings": "已核查"}, {"status": "not_accepted", "findings": ""},
)  # fmt: skip


def _objection(action, **data):
    return lambda w, o: ("POST", OBJECTION_PAGE[0], {"objection_id": o.id},
                         {"action": action, "reason": "理由", **data})  # fmt: skip


def _role_change(w, o):
    return ("POST", "admin.user", {"user_id": o.id}, {"role-role": "expert", "role-prefecture": ""})


ACTIONS = (
    Action("conflict.confirm", Conflict, _t("conflict"), CONFLICT_PAGE, lambda w, o: 'value="confirm"',
           can_settle_conflict, _conflict("confirm"), CONFLICT_STATES),
    Action("conflict.dismiss", Conflict, _t("conflict"), CONFLICT_PAGE, lambda w, o: 'value="dismiss"',
           can_settle_conflict, _conflict("dismiss"), CONFLICT_STATES),
    Action("conflict.waive", Conflict, _t("conflict"), CONFLICT_PAGE, lambda w, o: 'value="waive"',
           can_waive_conflict, _conflict("waive"), CONFLICT_STATES),
    Action("conflict.pin", Conflict, _t("conflict"), CONFLICT_PAGE, lambda w, o: 'value="pin"',
           can_pin_conflict, _conflict("pin"), CONFLICT_STATES),
    Action("assignment.remove", Assignment, _t("removable"),
           ("assignment.manual", lambda w, o: {"application_id": o.application_id}),
           lambda w, o: f'name="assignment_id" value="{o.id}"', can_remove_assignment,
           lambda w, o: ("POST", "assignment.manual", {"application_id": o.application_id},
                         {"action": "remove", "assignment_id": o.id}),
           _status("assigned", "reopened", "submitted", "declined_conflict")),
    Action("assignment.add", Assignment, _t("removable"),
           ("assignment.manual", lambda w, o: {"application_id": o.application_id}),
           lambda w, o: 'value="add"', lambda u, o: can_adjust_experts(u, o.application),
           lambda w, o: ("POST", "assignment.manual", {"application_id": o.application_id},
                         {"action": "add", "section_id": o.section_id,
                          "expert_id": w.my_expert.id}),
           ({"application.state": "expert_assigned"}, {"application.state": "scored"})),
    Action("assignment.declare", Assignment, _t("own_task"),
           ("expert.assignment", lambda w, o: {"assignment_id": o.id}),
           lambda w, o: f"/mine/{o.id}/declare", can_declare_conflict,
           lambda w, o: ("POST", "assignment.declare", {"assignment_id": o.id},
                         {"reason": "曾在该企业任职"}),
           _status("assigned", "reopened", "submitted", "declined_conflict")),
    Action("scoring.reopen", Review, _t("review"),
           ("scoring.breakdown", lambda w, o: {"application_id": o.assignment.application_id}),
           lambda w, o: f"/scoring/reviews/{o.id}/reopen", can_reopen_review,
           lambda w, o: ("POST", "scoring.reopen", {"review_id": o.id}, {"reason": "评分依据有误"}),
           _status("submitted", "draft")),
    Action("scoring.flag", DispersionFlag, _t("flag"), ("scoring.flags", lambda w, o: {}),
           lambda w, o: f'name="flag_id" value="{o.id}"', can_resolve_flag,
           lambda w, o: ("POST", "scoring.flags", {},
                         {"flag_id": o.id, "mode": "consensus", "reason": "经合议维持"}),
           _status("open", "rescored", "consensus")),
    Action("inspection.remove", Inspection, _m("inspection_id"),
           ("inspection.index", lambda w, o: {"track": "excellent"}),
           lambda w, o: f"/inspections/{o.id}/remove", can_remove_inspection,
           lambda w, o: ("POST", "inspection.remove", {"inspection_id": o.id}, {"reason": "移出"}),
           INSPECTION_STATES),
    Action("inspection.inspectors", Inspection, _m("inspection_id"),
           ("inspection.index", lambda w, o: {"track": "excellent"}),
           lambda w, o: f"/inspections/{o.id}/inspectors", can_assign_inspectors,
           lambda w, o: ("POST", "inspection.inspectors", {"inspection_id": o.id},
                         {"inspectors": w.mine["user_id"]}),
           INSPECTION_STATES),
    Action("inspection.verdict", Inspection, _m("inspection_id"),
           ("inspection.show", lambda w, o: {"inspection_id": o.id}),
           lambda w, o: f"/inspections/{o.id}/verdict", can_record_inspection,
           lambda w, o: ("POST", "inspection.verdict", {"inspection_id": o.id},
                         {"verdict": "untrue", "note": "与申报不符"}),
           INSPECTION_STATES),
    Action("inspection.item", Inspection, _m("inspection_id"),
           ("inspection.show", lambda w, o: {"inspection_id": o.id}),
           lambda w, o: f"/inspections/{o.id}/checklist", can_record_inspection,
           lambda w, o: ("POST", "inspection.save_checklist", {"inspection_id": o.id},
                         {f"finding_{w.mine['code']}": "true", "at": w.mine["code"]}),
           INSPECTION_STATES),
    Action("inspection.evidence", Inspection, _m("inspection_id"),
           ("inspection.show", lambda w, o: {"inspection_id": o.id}),
           lambda w, o: f"/evidence/{w.mine['evidence_id']}/remove", can_record_inspection,
           lambda w, o: ("POST", "inspection.remove_evidence",
                         {"evidence_id": w.mine["evidence_id"]}, {}),
           INSPECTION_STATES),
    Action("invitation.answer", Invitation, _m("invitation_id"),
           ("draws.invitation", lambda w, o: {"invitation_id": o.id}),
           lambda w, o: 'value="decline"', can_answer_invitation,
           lambda w, o: ("POST", "draws.invitation", {"invitation_id": o.id},
                         {"action": "decline", "reason": "时间冲突"}),
           _status("pending", "accepted", "declined", "expired")),
    Action("notice.release", ResultNotice, _m("notice_id"), ("decision.notice_list", lambda w, o: {}),
           lambda w, o: f'name="notice_id" value="{o.id}"', can_release_notice,
           lambda w, o: ("POST", "decision.notice_list", {},
                         {"action": "release", "notice_id": o.id}),
           _status("draft", "released")),
    Action("outbox.release", OutboxMessage, _m("message_id"), OUTBOX_PAGE,
           lambda w, o: 'value="release"', can_release_message, _outbox("release"), OUTBOX_STATES),
    Action("outbox.resend", OutboxMessage, _m("message_id"), OUTBOX_PAGE,
           lambda w, o: 'value="resend"', can_resend_message, _outbox("resend"), OUTBOX_STATES),
    Action("outbox.cancel", OutboxMessage, _m("message_id"), OUTBOX_PAGE,
           lambda w, o: 'value="cancel"', can_cancel_message, _outbox("cancel"), OUTBOX_STATES),
    Action("job.download", Job, _m("job_id"), ("jobs.show", lambda w, o: {"job_id": o.id}),
           lambda w, o: f'href="{o.result_url}"', can_download_job_result,
           lambda w, o: ("GET", "jobs.file", {"job_id": o.id}, {}),
           _status("done", "running", "failed", attr="state")),
    Action("account.unlock", User, _m("user_id"), ACCOUNT_PAGE, lambda w, o: 'value="unlock"',
           can_unlock_account, _account("unlock"), ACCOUNT_STATES),
    Action("account.disable", User, _m("user_id"), ACCOUNT_PAGE, lambda w, o: 'value="disable"',
           can_disable_account, _account("disable"), ACCOUNT_STATES),
    Action("account.enable", User, _m("user_id"), ACCOUNT_PAGE, lambda w, o: 'value="enable"',
           can_enable_account, _account("enable"), ACCOUNT_STATES),
    Action("account.reset", User, _m("user_id"), ACCOUNT_PAGE, lambda w, o: 'value="reset"',
           can_manage_account, _account("reset"), ACCOUNT_STATES),
    Action("account.role", User, _m("user_id"), ACCOUNT_PAGE, lambda w, o: 'name="role-role"',
           can_change_role, _role_change),
    Action("dossier.opinion", Application, _m("application_id"),
           ("dossier.opinion", lambda w, o: {"application_id": o.id}),
           lambda w, o: "data-opinion-form", can_write_opinion,
           lambda w, o: ("POST", "dossier.opinion", {"application_id": o.id},
                         {"text": "经审核同意推荐。"}),
           _status("submitted", "prefecture_endorsed", "format_checked", attr="state")),
    Action("dossier.letter", Prefecture, _m("prefecture_id"), ("dossier.index", lambda w, o: {}),
           lambda w, o: "data-letter-form", can_upload_letter,
           lambda w, o: ("POST", "dossier.upload_letter", {},
                         {"letter": (io.BytesIO(blank_pdf()), "推荐函.pdf")})),
    Action("dossier.attachment", Application, _m("application_id"),
           ("dossier.files", lambda w, o: {"application_id": o.id}),
           lambda w, o: "data-file-form", can_upload_attachment,
           lambda w, o: ("POST", "dossier.add_file", {"application_id": o.id},
                         {"kind": "honour", "file": (io.BytesIO(PNG), "证书.png")}),
           _status("submitted", "prefecture_endorsed", "format_checked", attr="state")),
    Action("dossier.remove_file", Attachment, _m("file_id"),
           ("dossier.files", lambda w, o: {"application_id": o.application_id}),
           lambda w, o: f'data-remove-file="{o.id}"',
           lambda u, o: can_upload_attachment(u, o.application),
           lambda w, o: ("POST", "dossier.remove_file", {"file_id": o.id}, {}),
           ({"application.state": "submitted"}, {"application.state": "format_checked"})),
    Action("dossier.check", Application, _m("application_id"),
           ("dossier.files", lambda w, o: {"application_id": o.id}),
           lambda w, o: "data-check-form", can_add_check_file,
           lambda w, o: ("POST", "dossier.record_check", {"application_id": o.id},
                         {"kind": "credit", "result": "pass", "checked_by": "核查人",
                          "checked_on": "2026-03-10"}),
           _status("scored", "admitted", attr="state")),
    Action("dossier.figures", Application, _m("application_id"),
           ("dossier.figures", lambda w, o: {"application_id": o.id}),
           lambda w, o: "data-figures-form", can_edit_entry_figures,
           lambda w, o: ("POST", "dossier.figures", {"application_id": o.id}, {"nc_rate": "70"}),
           _status("submitted", "format_checked", "admitted", attr="state")),
    Action("panel.post", DispersionFlag, _t("thread"), ("panel.thread", lambda w, o: {"flag_id": o.id}),
           lambda w, o: 'id="thread-post"', can_post_in_thread,
           lambda w, o: ("POST", "panel.thread", {"flag_id": o.id}, {"body": "请说明评分依据"}),
           _status("open", "rescored", "consensus")),
    Action("panel.edit", PanelOpinion, _t("opinion_lead"), OPINION_PAGE,
           lambda w, o: 'id="opinion-edit"', can_edit_opinion, _opinion("save"), OPINION_STATES),
    Action("panel.sign", PanelOpinion, _t("opinion_lead"), OPINION_PAGE,
           lambda w, o: 'value="sign"', can_sign_opinion, _opinion("sign"), OPINION_STATES),
    Action("panel.vote", PanelOpinion, _t("opinion_member"), OPINION_PAGE,
           lambda w, o: 'value="object"', can_vote_opinion, _opinion("object"), OPINION_STATES),
    Action("panel.letter", PanelOpinion, _t("opinion_member"), OPINION_PAGE,
           lambda w, o: 'value="letter_on"', can_choose_letter, _opinion("letter_on"),
           OPINION_STATES),
    Action("panel.member_add", Panel, _t("panel"),
           ("assignment.panels", lambda w, o: {"track": o.track_code, "panel": o.id,
                                               "q": w.targets["panel_search"]}),
           lambda w, o: 'value="add"', lambda u, o: can_adjust_experts(u),
           lambda w, o: ("POST", "assignment.panels", {},
                         {"action": "add", "panel_id": o.id,
                          "expert_id": w.targets["panel_outsider"]})),
    Action("panel.member_remove", Panel, _t("panel"), PANELS_PAGE,
           lambda w, o: 'value="remove"', lambda u, o: can_adjust_experts(u),
           lambda w, o: ("POST", "assignment.panels", {},
                         {"action": "remove", "panel_id": o.id,
                          "expert_id": w.targets["panel_member"]})),
    Action("publicity.accept", Objection, _m("objection_id"), OBJECTION_PAGE,
           lambda w, o: 'value="accept"', can_accept_objection, _objection("accept"),
           OBJECTION_STATES),
    Action("publicity.assign", Objection, _m("objection_id"), OBJECTION_PAGE,
           lambda w, o: 'value="assign"', can_assign_checker,
           lambda w, o: _objection("assign", checker_id=w.mine["user_id"])(w, o), OBJECTION_STATES),
    Action("publicity.findings", Objection, _m("objection_id"), OBJECTION_PAGE,
           lambda w, o: 'value="findings"', can_record_findings,
           _objection("findings", findings="核查情况"), OBJECTION_STATES),
    Action("publicity.conclude", Objection, _m("objection_id"), OBJECTION_PAGE,
           lambda w, o: 'value="uphold"', can_conclude_objection, _objection("uphold"),
           OBJECTION_STATES),
    Action("publicity.reconsider", Application, _m("application_id"),
           ("publicity.reconsider", lambda w, o: {"application_id": o.id}),
           lambda w, o: 'id="reconsider-form"', can_reconsider,
           lambda w, o: ("POST", "publicity.reconsider", {"application_id": o.id},
                         {"reason": "复核", "approval_record": "厅长办公会"}),
           _status("admitted", "rejected", "proposed", "scored", attr="state")),
    Action("meeting.open", Meeting, _m("meeting_id"),
           ("meeting.show", lambda w, o: {"meeting_id": o.id}), lambda w, o: 'id="open-scoring"',
           can_open_scoring,
           lambda w, o: ("POST", "meeting.open_scoring", {"meeting_id": o.id}, {})),
    Action("meeting.held", MeetingSlot, _m("slot_id"),
           ("meeting.show", lambda w, o: {"meeting_id": o.meeting_id}),
           lambda w, o: f"/meeting/slots/{o.id}/held", can_mark_held,
           lambda w, o: ("POST", "meeting.held", {"slot_id": o.id}, {}),
           _status("scheduled", "held")),
    Action("meeting.sign_in", Meeting, lambda w: w.meeting_targets["meeting_later"],
           ("meeting.mine", lambda w, o: {}), lambda w, o: f'id="sign-in-{o.id}"', can_sign_in,
           lambda w, o: ("POST", "meeting.sign_in", {"meeting_id": o.id}, {})),
    Action("meeting.score", MeetingSlot, _m("slot_id"), ("meeting.mine", lambda w, o: {}),
           lambda w, o: f'/expert/meetings/slots/{o.id}"', can_score_in_meeting,
           lambda w, o: ("GET", "meeting.score", {"slot_id": o.id}, {})),
    # The administrator's own page: no account action and no role change on oneself.
    Action("account.self_disable", User, _t("admin"), ACCOUNT_PAGE, lambda w, o: 'value="disable"',
           can_disable_account, _account("disable")),
    Action("account.self_reset", User, _t("admin"), ACCOUNT_PAGE, lambda w, o: 'value="reset"',
           can_manage_account, _account("reset")),
    Action("account.self_role", User, _t("admin"), ACCOUNT_PAGE, lambda w, o: 'name="role-role"',
           can_change_role, _role_change),
)  # fmt: skip


def _url(app, endpoint, args) -> str:
    with app.test_request_context():
        return url_for(endpoint, **args)


def _set(obj, state: dict) -> None:
    for name, value in state.items():
        target = obj
        *path, attr = name.split(".")
        for step in path:
            target = getattr(target, step)
        when = {"soon": utcnow() + timedelta(hours=1), "past": utcnow() - timedelta(hours=1)}
        setattr(target, attr, when.get(value, value) if isinstance(value, str) else value)
    db.session.commit()


def _row(obj) -> dict:
    db.session.expire_all()
    fresh = db.session.get(type(obj), obj.id)
    if fresh is None:
        return {}
    return {c.key: getattr(fresh, c.key) for c in inspect(type(obj)).column_attrs}


def _written(obj) -> tuple:
    counts = tuple(db.session.scalar(select(func.count()).select_from(t)) for t in TABLES)
    return counts, _row(obj)


def _refused(client, response) -> bool:
    if response.status_code in REFUSED:
        return True
    if response.status_code != 302:
        return False
    with client.session_transaction() as session:
        return any(category == "error" for category, _ in session.get("_flashes", []))


# One world per area (building it is the slow part); every action of the area is tried in it.
AREAS = tuple(dict.fromkeys(a.name.split(".")[0] for a in ACTIONS))
# The areas are tried by three test files (pytest-xdist gives each file to one worker, and one
# file of every area was the suite's longest); every area is in exactly one group.
GROUPS = {
    "review": ("conflict", "assignment", "scoring", "panel", "meeting"),
    "people": ("account", "invitation", "notice", "outbox", "job"),
    "files": ("inspection", "dossier", "publicity"),
}


def _check(app, w, action, role, user, client, target_id, state):
    obj = db.session.get(action.model, target_id)
    _set(obj, state)
    allowed = action.predicate(user, obj)
    endpoint, args = action.page
    page = client.get(_url(app, endpoint, args(w, obj)))
    where = (role, action.name, state)
    if page.status_code != 200:
        assert page.status_code in (403, 404), (*where, page.status_code)
        assert not allowed, where  # a role that may act can open the page
        html = ""
    else:
        html = page.get_data(as_text=True)
        assert (action.marker(w, obj) in html) == allowed, where
    if allowed:
        return True
    method, endpoint, args, data = action.request(w, obj)
    token = csrf_from(html) if 'name="csrf_token"' in html else client.csrf
    form = {"csrf_token": token, "acct-csrf_token": token, "role-csrf_token": token, **data}
    before = _written(obj)
    url = _url(app, endpoint, args)
    response = client.get(url) if method == "GET" else client.post(url, data=form)
    assert _refused(client, response), (*where, response.status_code)
    assert _written(obj) == before, where
    return False


def check_area(app, aworld, area) -> None:
    """Try every action of the area for every role in every state (see the module's docstring)."""
    users = {
        role: db.session.execute(select(User).filter_by(username=name)).scalar_one()
        for role, name in aworld.users.items()
    }
    clients = {role: client_as(app, name) for role, name in aworld.users.items()}
    allowed_somewhere = set()
    for action in (a for a in ACTIONS if a.name.split(".")[0] == area):
        for role in ROLES:
            for state in action.states:
                if _check(app, aworld, action, role, users[role], clients[role],
                          action.target(aworld), state):  # fmt: skip
                    allowed_somewhere.add(action.name)
    # Each action is allowed to someone in some state (so its button is seen both ways), but for
    # the ones on oneself (an administrator's own account), which nobody may do.
    never = {a.name for a in ACTIONS if a.name.split(".")[0] == area} - allowed_somewhere
    assert never == {name for name in never if name.split(".")[1].startswith("self_")}
