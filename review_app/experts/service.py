"""Expert verbs: import the expert sheet with accounts, edit a profile."""

import secrets

from sqlalchemy import select

from .. import txmemo
from ..audit import service as audit
from ..auth.models import User
from ..auth.service import create_user
from ..errors import InvalidInput
from ..extensions import db
from ..programs.models import Prefecture
from .models import Expert, ExpertRelation

_ACCOUNT_CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def _prefecture_id(name: str | None) -> int | None:
    if not name:
        return None
    return db.session.execute(
        select(Prefecture.id).where(Prefecture.name == name)
    ).scalar_one_or_none()


def _username_for(row, taken: set[str]) -> str:
    if row.username:
        return row.username
    n = 1
    while f"expert{n:03d}" in taken:
        n += 1
    return f"expert{n:03d}"


def expert_of(user) -> Expert | None:
    """The expert profile of a user account, if it has one (memoised in the transaction)."""
    expert_id = txmemo.get("expert_of", user.id, lambda: _expert_id_of(user))
    return db.session.get(Expert, expert_id) if expert_id is not None else None


def _expert_id_of(user) -> int | None:
    expert = db.session.execute(
        select(Expert).where(Expert.user_id == user.id)
    ).scalar_one_or_none()
    return expert.id if expert is not None else None


def import_experts(rows, actor) -> list[tuple[Expert, str]]:
    """Create experts and their accounts from parsed sheet rows, all or nothing.

    Returns (expert, initial password) pairs: the passwords are shown once to the coordinator.
    """
    taken = set(db.session.execute(select(User.username)).scalars())
    created = []
    for row in rows:
        exists = db.session.execute(
            select(Expert.id).where(Expert.name == row.name, Expert.employer == row.employer)
        ).first()
        if exists:
            raise InvalidInput(f"第{row.row}行：专家“{row.name}（{row.employer}）”已在专家库中。")
        username = _username_for(row, taken)
        if username in taken:
            raise InvalidInput(f"第{row.row}行：账号“{username}”已被占用。")
        taken.add(username)
        password = "".join(secrets.choice(_ACCOUNT_CODE_CHARS) for _ in range(12))
        user = create_user(username, password, "expert", display_name=row.name, actor=actor)
        expert = Expert(
            user=user,
            name=row.name,
            employer=row.employer,
            title=row.title or "",
            prefecture_id=_prefecture_id(row.prefecture),
            phone=row.phone or "",
            email=row.email or "",
            specialties=list(row.specialties),
            industries=list(row.industries),
            capacity=row.capacity,
        )
        for r in row.relations:
            expert.relations.append(
                ExpertRelation(
                    enterprise_uscc=r.uscc, enterprise_name=r.name, kind=r.kind,
                    start_year=r.start_year, end_year=r.end_year,
                )
            )  # fmt: skip
        db.session.add(expert)
        db.session.flush()
        audit.record(
            "expert.import", "expert", expert.id, actor=actor,
            after={"name": row.name, "employer": row.employer, "username": username},
        )  # fmt: skip
        created.append((expert, password))
    return created


def update_expert(expert: Expert, values: dict, actor) -> None:
    """Change an expert's profile fields (audited with before and after)."""
    before, after = {}, {}
    for name, value in values.items():
        if getattr(expert, name) != value:
            before[name], after[name] = getattr(expert, name), value
            setattr(expert, name, value)
    if after:
        db.session.flush()
        audit.record("expert.update", "expert", expert.id, actor=actor, before=before, after=after)
