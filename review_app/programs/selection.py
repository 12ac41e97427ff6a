"""Which program a request works on: the one place that answers it (DESIGN.md section 12).

A coordinator (or admin) chooses a program in the top bar; the choice is kept in the session
(``session["program"]``: their user id and the program id, so another account signing in on the
same browser starts on the program in force). Every other role works on the program in force
(the newest year). A page about one object (an application, an inspection…) shows that object's
own program; a program page refuses an object of another program (404).
"""

import re

from flask import has_request_context, request, session
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import require
from ..errors import InvalidInput
from ..extensions import db
from .models import Program
from .permissions import can_switch_program
from .service import CURRENT_ORDER, current_program

SESSION_KEY = "program"
_CACHE_KEY = "review_app.selected_program"


CODE_RE = re.compile(r"[\w.-]{1,40}")  # what a program code may hold


def programs_by_year() -> list[Program]:
    """Every program, the newest year first (the switcher's list)."""
    return list(db.session.execute(select(Program).order_by(*CURRENT_ORDER)).scalars())


def _chosen(user) -> Program | None:
    if not has_request_context() or not can_switch_program(user):
        return None
    chosen = session.get(SESSION_KEY)
    if not isinstance(chosen, list) or len(chosen) != 2 or chosen[0] != user.id:
        return None
    if not isinstance(chosen[1], int):
        return None
    return db.session.get(Program, chosen[1])  # a deleted program: back to the current one


def selected_program(user=None) -> Program:
    """The program this request works on for ``user`` (default: the signed-in user): the one a
    coordinator chose, else the program in force. Read once per request."""
    if user is not None or not has_request_context():
        return _chosen(user) or current_program()
    # Kept with the request (not ``g``, which an app context held across requests would share).
    cache = request.environ
    if _CACHE_KEY not in cache:
        cache[_CACHE_KEY] = _chosen(current_user) or current_program()
    return cache[_CACHE_KEY]


def choose_program(user, program_id: int) -> Program:
    """Keep ``program_id`` as ``user``'s choice (InvalidInput if unknown, PermissionDenied for a
    role that does not choose)."""
    require(can_switch_program(user), "只有省厅协调员和系统管理员可以切换培育批次。")
    program = db.session.get(Program, program_id)
    if program is None:
        raise InvalidInput("没有这个培育批次。")
    session[SESSION_KEY] = [user.id, program.id]
    request.environ.pop(_CACHE_KEY, None)
    return program


def program_by_code(code: str | None) -> Program:
    """The program named by its code (the API's ``program`` parameter), else the one in force;
    InvalidInput naming the known codes when there is no such program."""
    if not code:
        return current_program()
    program = None
    if CODE_RE.fullmatch(code):  # nothing else names a program (a NUL byte is no query for PG)
        program = db.session.execute(
            select(Program).where(Program.code == code)
        ).scalar_one_or_none()
    if program is None:
        known = "、".join(p.code for p in programs_by_year())
        code = code if CODE_RE.fullmatch(code) else repr(code)[1:-1][:40]
        raise InvalidInput(f"没有编号为 {code} 的培育批次（现有：{known}）。", "unknown_program")
    return program


def switcher(user) -> dict | None:
    """What the top bar's switcher shows ``user``: every program and the selected one; None for
    a role that does not choose."""
    if not getattr(user, "is_authenticated", False) or not can_switch_program(user):
        return None
    return {"programs": programs_by_year(), "selected": selected_program()}
