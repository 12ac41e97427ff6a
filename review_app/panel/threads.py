"""复议 as a discussion: a thread per dispersion flag where the section's assigned experts (by
code) and the coordinator post; each post notifies the other participants through the outbox.
Re-scoring or consensus is decided as before (``scoring.service.resolve_flag``); the thread is
kept, read-only once the flag is resolved."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..audit import service as audit
from ..auth.models import User
from ..auth.permissions import require
from ..errors import InvalidInput
from ..experts.models import Expert
from ..experts.service import expert_of
from ..extensions import db
from ..outbox import service as outbox
from ..scoring.models import DispersionFlag
from . import roles
from .models import FlagPost
from .permissions import can_post_in_thread

MAX_POST = 2000


@dataclass(frozen=True)
class ShownPost:
    """A post as one reader sees it: an expert by code (and by name to the coordinator)."""

    author: str
    body: str
    created_at: datetime
    own: bool


def posts(flag: DispersionFlag) -> list[FlagPost]:
    return list(
        db.session.execute(
            select(FlagPost).where(FlagPost.flag_id == flag.id).order_by(FlagPost.id)
        ).scalars()
    )


def shown(flag: DispersionFlag, reader, *, names: bool) -> list[ShownPost]:
    """The thread for ``reader``: experts by code, names only when ``names`` (the coordinator)."""
    codes = roles.section_codes(flag.section_id)
    people = {}
    rows = posts(flag)
    if names:
        ids = {p.expert_id for p in rows if p.expert_id}
        if ids:
            people = {
                e.id: e.name
                for e in db.session.execute(select(Expert).where(Expert.id.in_(ids))).scalars()
            }
    out = []
    for p in rows:
        if p.expert_id is None:
            author = "省厅协调员"
        else:
            author = codes.get(p.expert_id, "专家")
            if names:
                author += f"（{people.get(p.expert_id, '')}）"
        out.append(ShownPost(author, p.body, p.created_at, p.author_id == reader.id))
    return out


def counts(flag_ids) -> dict[int, int]:
    ids = list(flag_ids)
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(FlagPost.flag_id, func.count(FlagPost.id))
            .where(FlagPost.flag_id.in_(ids))
            .group_by(FlagPost.flag_id)
        ).all()
    )


def post(flag: DispersionFlag, body: str, actor) -> FlagPost:
    """Add a post (audited) and notify the thread's other experts."""
    require(can_post_in_thread(actor, flag), "只有该章节的评审专家和省厅协调员可以在复议中发言。")
    body = (body or "").strip()
    if not body:
        raise InvalidInput("请填写发言内容。", code="empty_post")
    if len(body) > MAX_POST:
        raise InvalidInput(f"发言不能超过{MAX_POST}字。", code="long_post")
    expert = expert_of(actor)
    item = FlagPost(flag_id=flag.id, author_id=actor.id,
                    expert_id=expert.id if expert else None, body=body)  # fmt: skip
    db.session.add(item)
    db.session.flush()
    audit.record("flag.post", "application", flag.application_id, actor=actor,
                 after={"flag": flag.id, "post": item.id})  # fmt: skip
    codes = roles.section_codes(flag.section_id)
    author = codes.get(expert.id, "专家") if expert else "省厅协调员"
    for expert_id in roles.flag_expert_ids(flag):
        if expert is not None and expert_id == expert.id:
            continue
        to = db.session.get(Expert, expert_id)
        _notify(flag, item, f"expert{to.id}", to.user, to.name, to.email, author)
    if expert is not None:  # an expert's post: the coordinators with an address hear of it too
        for user in _coordinators():
            _notify(flag, item, f"user{user.id}", user, user.display_name, user.email, author)
    return item


def _coordinators() -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .where(User.role == "coordinator", User.is_active_account.is_(True), User.email != "")
            .order_by(User.id)
        ).scalars()
    )


def _notify(flag: DispersionFlag, item: FlagPost, who: str, user, name: str, address: str,
            author: str) -> None:  # fmt: skip
    app = flag.application
    outbox.compose(
        "flag_post", key=f"flag_post:{item.id}:{who}", template="flag_post",
        recipient=user, program=app.program, to_name=name, to_address=address,
        context={"to_name": name, "program_name": app.program.name, "code": app.anon_code,
                 "section": flag.section.title, "author": author, "flag_id": flag.id,
                 "excerpt": item.body[:200]},
    )  # fmt: skip
