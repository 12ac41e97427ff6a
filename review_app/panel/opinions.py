"""专家组意见: one per panel and application. The system drafts it from the panel's section
comments; the 组长 edits it (strengths, problems, recommendation, within 800 字), circulates it
to the members (the experts who reviewed the application in that panel), who agree or object
with a reason; when every member has answered the 组长 signs it off, objections and all. Text
that leaves the panel is leak-scanned before it is circulated or signed."""

import re

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import txmemo
from ..applications.models import Application
from ..audit import service as audit
from ..auth.permissions import require
from ..clock import utcnow
from ..errors import DomainError, InvalidInput
from ..experts.models import Expert, Panel
from ..experts.service import expert_of
from ..extensions import db
from ..outbox import service as outbox
from . import comments, roles
from .models import OpinionVote, PanelLead, PanelOpinion
from .permissions import (
    can_choose_letter,
    can_edit_opinion,
    can_sign_opinion,
    can_vote_opinion,
    require_coordinator,
)

MAX_CHARS = 800  # 字: the three parts together, whitespace not counted
PROBLEM_WORDS = (
    "不足",
    "问题",
    "欠缺",
    "缺乏",
    "薄弱",
    "有待",
    "不够",
    "不充分",
    "不明确",
    "偏低",
    "未",
)
ADVICE_WORDS = ("建议", "应当", "需要", "宜", "加强", "进一步")
SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")


def chars(text: str) -> int:
    return len(re.sub(r"\s", "", text or ""))


def opinion_of(application: Application, panel: Panel) -> PanelOpinion | None:
    return db.session.execute(
        select(PanelOpinion).where(
            PanelOpinion.application_id == application.id, PanelOpinion.panel_id == panel.id
        )
    ).scalar_one_or_none()


def assemble(application: Application, panel: Panel) -> tuple[str, str, str]:
    """A draft from the panel's section comments: each sentence sorted into strengths, problems
    or recommendation by its words, prefixed with its section; the 组长 edits it."""
    parts: dict[str, list[str]] = {"strengths": [], "problems": [], "advice": []}
    sections = roles.panel_sections(application, panel)
    by_section = comments.section_comments([s.id for s in sections])
    for section in sections:
        for item in by_section.get(section.id, []):
            if item.review is None or item.review.status != "submitted":
                continue
            for sentence in SENTENCE.findall(item.comment):
                sentence = sentence.strip()
                if not sentence:
                    continue
                if any(w in sentence for w in ADVICE_WORDS):
                    key = "advice"
                elif any(w in sentence for w in PROBLEM_WORDS):
                    key = "problems"
                else:
                    key = "strengths"
                parts[key].append(f"【{section.title}】{sentence}")
    return ("\n".join(parts["strengths"]), "\n".join(parts["problems"]),
            "\n".join(parts["advice"]))  # fmt: skip


def start(application: Application, panel: Panel, actor) -> PanelOpinion:
    """The opinion, drafted from the comments the first time the 组长 opens it."""
    existing = opinion_of(application, panel)
    if existing is not None:
        return existing
    if not roles.member_ids(application, panel):
        raise InvalidInput("本组没有评审该申报的专家，无需出具专家组意见。", code="no_members")
    acting = roles.acting_lead_id(application, panel)
    require(acting is not None and acting == _expert_id(actor),
            "只有本组组长（组长回避时由代组长）可以起草专家组意见。")  # fmt: skip
    strengths, problems, advice = assemble(application, panel)
    # ``votes=[]``: a new opinion has none, known without asking the database later
    opinion = PanelOpinion(application_id=application.id, panel_id=panel.id, status="draft",
                           strengths=strengths, problems=problems, recommendation=advice,
                           votes=[])  # fmt: skip
    db.session.add(opinion)
    db.session.flush()  # its id, for the event
    audit.record("opinion.draft", "application", application.id, actor=actor,
                 after={"opinion": opinion.id, "panel": panel.id}, flush=False)  # fmt: skip
    return opinion


def _expert_id(actor) -> int | None:
    expert = expert_of(actor)
    return expert.id if expert else None


def save(opinion: PanelOpinion, strengths: str, problems: str, recommendation: str, actor, *,
         version: int | None) -> None:  # fmt: skip
    """The 组长 edits the text; a circulated opinion goes back to draft and its votes are
    cleared (the members confirm the text they read)."""
    require(can_edit_opinion(actor, opinion), "只有本组组长可以修改未签发的专家组意见。")
    if version is not None and version != opinion.version:
        raise DomainError("该意见已在其他窗口保存过，本次修改未保存，请刷新后重试。", code="stale")
    texts = [(t or "").strip() for t in (strengths, problems, recommendation)]
    total = sum(chars(t) for t in texts)
    if total > MAX_CHARS:
        raise InvalidInput(f"专家组意见共{total}字，超过{MAX_CHARS}字，请精简。", code="too_long")
    opinion.strengths, opinion.problems, opinion.recommendation = texts
    if opinion.status == "circulated":
        opinion.status = "draft"
        opinion.votes.clear()
    try:
        db.session.flush()
    except StaleDataError as err:
        raise DomainError("该意见已被他人修改，请刷新后重试。", code="stale") from err
    audit.record("opinion.save", "application", opinion.application_id, actor=actor,
                 after={"opinion": opinion.id, "chars": total}, flush=False)  # fmt: skip


def _check_text(opinion: PanelOpinion, actor) -> None:
    if not opinion.problems.strip() or not opinion.recommendation.strip():
        raise InvalidInput("请填写主要问题和改进建议。", code="incomplete")
    if not opinion.strengths.strip():
        raise InvalidInput("请填写主要优点。", code="incomplete")
    expert = expert_of(actor)
    key = (opinion.application_id, expert.id if expert else None, opinion.text)
    # Circulated, then signed unchanged: one scan of the text in the transaction.
    hits = txmemo.get("opinion_leaks", key,
                      lambda: tuple(comments.leaks(opinion.text, opinion.application, expert)))  # fmt: skip
    if hits:
        raise InvalidInput(comments.hits_message(hits), code="opinion_leak")


def circulate(opinion: PanelOpinion, actor) -> None:
    """征求意见: the members are asked to agree or object (notified through the outbox)."""
    require(can_edit_opinion(actor, opinion), "只有本组组长可以提交征求意见。")
    if opinion.status != "draft":
        raise InvalidInput("该意见已在征求意见中。", code="not_draft")
    _check_text(opinion, actor)
    opinion.status = "circulated"
    # written by the audit event's flush, in the same transaction (the messages' keys name the
    # version written)
    audit.record("opinion.circulate", "application", opinion.application_id, actor=actor,
                 after={"opinion": opinion.id})  # fmt: skip
    acting = roles.acting_lead_id(opinion.application, opinion.panel)
    app = opinion.application
    messages = []
    for expert_id in roles.member_ids(app, opinion.panel):
        if expert_id == acting:
            continue
        to = db.session.get(Expert, expert_id)
        messages.append(dict(
            key=f"panel_opinion:{opinion.id}:{opinion.version}:{to.id}",
            template="panel_opinion", recipient=to.user, program=app.program, to_name=to.name,
            to_address=to.email,
            context={"to_name": to.name, "program_name": app.program.name, "code": app.anon_code,
                     "panel_name": opinion.panel.name, "application_id": app.id,
                     "panel_id": opinion.panel_id},
        ))  # fmt: skip
    # one lookup of the keys and one flush for the members' messages
    outbox.compose_many("panel_opinion", messages)


def vote(opinion: PanelOpinion, stance: str, reason: str, actor) -> OpinionVote:
    """A member agrees, or objects with a reason; answering again replaces the answer."""
    require(can_vote_opinion(actor, opinion), "只有评审该申报的本组专家可以对征求中的意见表态。")
    reason = (reason or "").strip()
    if stance not in ("agree", "object"):
        raise InvalidInput("请选择同意或有异议。", code="stance")
    if stance == "object" and not reason:
        raise InvalidInput("提出异议请说明理由。", code="reason")
    if len(reason) > 1000:
        raise InvalidInput("理由不能超过1000字。", code="reason")
    expert_id = _expert_id(actor)
    row = next((v for v in opinion.votes if v.expert_id == expert_id), None)
    if row is None:
        row = OpinionVote(expert_id=expert_id, stance=stance)
        opinion.votes.append(row)
    row.stance, row.reason = stance, reason
    # Written with the audit event by the transaction's next flush (the members' answers one
    # after another in one flush; the page commits at once).
    audit.record(f"opinion.{stance}", "application", opinion.application_id, actor=actor,
                 after={"opinion": opinion.id}, reason=reason, flush=False)  # fmt: skip
    return row


def waiting_for(opinion: PanelOpinion) -> list[int]:
    """Members (not the one leading it) who have not answered yet."""
    acting = roles.acting_lead_id(opinion.application, opinion.panel)
    answered = {v.expert_id for v in opinion.votes}
    return [e for e in roles.member_ids(opinion.application, opinion.panel)
            if e not in answered and e != acting]  # fmt: skip


def sign(opinion: PanelOpinion, actor) -> None:
    """签发: once every member has answered; objections are kept with the signed opinion."""
    require(can_sign_opinion(actor, opinion), "只有本组组长可以签发征求意见后的专家组意见。")
    missing = waiting_for(opinion)
    if missing:
        raise InvalidInput(f"尚有{len(missing)}位组员未表态，暂不能签发。", code="waiting")
    _check_text(opinion, actor)
    opinion.status = "signed"
    opinion.signed_at = utcnow()
    opinion.lead_expert_id = _expert_id(actor)
    # written with the audit event by the transaction's next flush (the page commits at once)
    objections = sum(v.stance == "object" for v in opinion.votes)
    audit.record("opinion.sign", "application", opinion.application_id, actor=actor,
                 after={"opinion": opinion.id, "objections": objections}, flush=False)  # fmt: skip


def choose_letter(opinion: PanelOpinion, include: bool, actor) -> None:
    """The coordinator puts (or not) the signed problems and advice into the result letter."""
    require(can_choose_letter(actor, opinion), "只有省厅协调员可以选择已签发的意见写入结果通知。")
    opinion.in_letter = bool(include)
    db.session.flush()
    audit.record("opinion.letter", "application", opinion.application_id, actor=actor,
                 after={"opinion": opinion.id, "in_letter": opinion.in_letter})  # fmt: skip


def set_lead(panel: Panel, expert: Expert, actor) -> None:
    """The coordinator names the panel's 组长: a member of the panel (seated, or reviewing)."""
    require_coordinator(actor)
    if not _in_panel(panel, expert):
        raise InvalidInput(f"{expert.name}不是本组专家，不能担任组长。", code="not_member")
    row = db.session.execute(
        select(PanelLead).where(PanelLead.panel_id == panel.id)
    ).scalar_one_or_none()
    before = row.expert_id if row else None
    if row is None:
        row = PanelLead(panel_id=panel.id, expert_id=expert.id, source="coordinator")
        db.session.add(row)
    row.expert_id, row.source = expert.id, "coordinator"
    db.session.flush()
    audit.record("panel.lead", "panel", panel.id, actor=actor, before={"lead": before},
                 after={"lead": expert.id})  # fmt: skip


def panel_expert_ids(panel: Panel) -> list[int]:
    """The panel's seated members and the experts reviewing its sections, once each."""
    ids = [m.expert_id for m in panel.members]
    ids += roles.panel_reviewer_ids(panel)
    return list(dict.fromkeys(ids))


def _in_panel(panel: Panel, expert: Expert) -> bool:
    return expert.id in panel_expert_ids(panel)
