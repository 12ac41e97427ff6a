"""Panel membership (评审组成员), one expert at a time: the add and remove verbs (each flushes
and audits; the request commits), the members one page at a time and the search for experts to
add (server-side, at most ``RESULTS`` shown). The page used to list a checkbox per expert for
every panel (28,000 px at province scale, issue 22 point 1)."""

from dataclasses import dataclass

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import joinedload

from ..applications.catalogue import GROUP_NAMES
from ..audit import service as audit
from ..errors import InvalidInput, NotFound
from ..experts.models import Expert, Panel, PanelMember
from ..extensions import db
from ..paging import Page, like_pattern, paginate
from ..programs.models import Program

MEMBERS_PER_PAGE = 50
RESULTS = 20


def panel_of(program: Program, panel_id: int | None) -> Panel:
    """The program's panel ``panel_id``; a panel of another program is not found."""
    panel = db.session.get(Panel, panel_id) if panel_id else None
    if panel is None or panel.program_id != program.id:
        raise NotFound("未找到该评审组。")
    return panel


def _expert(expert_id: int | None) -> Expert:
    expert = db.session.get(Expert, expert_id) if expert_id else None
    if expert is None:
        raise InvalidInput(f"未找到专家 #{expert_id}。")
    return expert


def _member(panel: Panel, expert_id: int) -> PanelMember | None:
    return db.session.execute(
        select(PanelMember).where(PanelMember.panel_id == panel.id,
                                  PanelMember.expert_id == expert_id)
    ).scalar_one_or_none()  # fmt: skip


def add_member(panel: Panel, expert_id: int | None, actor) -> Expert:
    """Put one expert on ``panel``; refused (nothing written) for an unknown expert or one who
    is a member already."""
    expert = _expert(expert_id)
    if _member(panel, expert.id) is not None:
        raise InvalidInput(f"{expert.name}已是{panel.name}的成员。")
    db.session.add(PanelMember(panel_id=panel.id, expert_id=expert.id))
    db.session.flush()
    audit.record(
        "panel.member_add", "panel", panel.id, actor=actor,
        after={"expert": expert.id, "name": expert.name},
    )  # fmt: skip
    return expert


def remove_member(panel: Panel, expert_id: int | None, actor) -> Expert:
    """Take one expert off ``panel`` (the tasks already given stay: 撤销 is per task); refused
    for an expert who is not a member."""
    expert = _expert(expert_id)
    member = _member(panel, expert.id)
    if member is None:
        raise InvalidInput(f"{expert.name}不是{panel.name}的成员。")
    db.session.delete(member)
    db.session.flush()
    audit.record(
        "panel.member_remove", "panel", panel.id, actor=actor,
        before={"expert": expert.id, "name": expert.name},
    )  # fmt: skip
    return expert


def member_counts(panels: list[Panel]) -> dict[int, int]:
    """Members per panel, counted in one query."""
    ids = [p.id for p in panels]
    return dict(
        db.session.execute(
            select(PanelMember.panel_id, func.count(PanelMember.id))
            .where(PanelMember.panel_id.in_(ids or [-1]))
            .group_by(PanelMember.panel_id)
        ).all()
    )


def member_page(panel: Panel) -> Page:
    """One page (``?page=N``, at most ``MEMBERS_PER_PAGE``) of the panel's experts, by name."""
    query = (
        select(Expert)
        .join(PanelMember, PanelMember.expert_id == Expert.id)
        .where(PanelMember.panel_id == panel.id)
        .options(joinedload(Expert.prefecture))
        .order_by(Expert.name, Expert.id)
    )
    return paginate(query, size=MEMBERS_PER_PAGE)


@dataclass
class Found:
    """What a search found: the first ``RESULTS`` experts and how many matched in all."""

    experts: list[Expert]
    total: int


def _matches(text: str):
    """Name, employer or field: a 重点环节 by its name (工厂建设 …) or an industry code."""
    like = like_pattern(text)
    fields = [key for key, name in GROUP_NAMES.items() if text in name and key != "general"]
    return or_(
        Expert.name.like(like, escape="\\"),
        Expert.employer.like(like, escape="\\"),
        cast(Expert.industries, String).like(like, escape="\\"),
        *(cast(Expert.specialties, String).like(f'%"{key}"%') for key in fields),
    )


def search(panel: Panel, text: str) -> Found:
    """Experts matching ``text`` who are not on ``panel`` yet, by name (none for no text)."""
    if not text:
        return Found([], 0)
    members = select(PanelMember.expert_id).where(PanelMember.panel_id == panel.id)
    query = select(Expert).where(_matches(text), Expert.id.not_in(members))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    experts = db.session.execute(
        query.options(joinedload(Expert.prefecture)).order_by(Expert.name, Expert.id)
        .limit(RESULTS)
    ).scalars().all()  # fmt: skip
    return Found(list(experts), total or 0)
