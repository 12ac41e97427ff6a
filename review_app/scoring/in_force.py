"""The rubric in force for a track of a program, read once per change of its file, and the
track's review mode (section review or 会议评审). Imports nothing of the workflow, so the
workflow's guards may ask here."""

from functools import lru_cache
from pathlib import Path

from ..errors import InvalidInput
from ..extensions import db
from ..programs.models import Program
from ..programs.service import current_program
from .rubric import load_track_rubric, rubric_file_path, rubric_path

# The panel (section group) that holds a track's 会议评审 and signs its 专家组意见.
MEETING_PANEL_GROUP = "general"


@lru_cache(maxsize=8)
def _cached_rubric(track: str, path: Path, mtime: float):
    return load_track_rubric(path, track)


def rubric_file_for(track: str, program: Program | int | None = None) -> Path:
    """The rubric file of ``track`` in ``program`` (a Program or its id; default: the current
    one): its ``Track.rubric_file``, else ``<track>-<program year>.toml`` in the shipped rubrics."""
    if isinstance(program, int):
        program = db.session.get(Program, program)
    if program is None:
        try:
            program = current_program()
        except InvalidInput:  # no program loaded yet: the default program's rubric
            return rubric_path(track)
    row = next((t for t in program.tracks if t.code == track), None)
    if row is not None and row.rubric_file:
        return rubric_file_path(row.rubric_file)
    return rubric_path(track, year=program.year)


def rubric_for(track: str, program: Program | int | None = None):
    """The track's rubric in ``program`` (a Program or its id; default: the current one), read
    once per change of the file. Callers about an application pass its program."""
    path = rubric_file_for(track, program)
    try:
        mtime = path.stat().st_mtime
    except OSError as err:
        raise InvalidInput(
            f"找不到评分细则文件 {path.name}（类别 {track}）：请为该批次的类别设置评分细则文件"
            "（review-app program create 会复制上一年度的细则）。",
            "rubric_missing",
        ) from err
    return _cached_rubric(track, path, mtime)


def is_meeting_track(track: str, program: Program | int | None = None) -> bool:
    """Whether ``track`` of ``program`` is reviewed in a meeting (``review_mode = "meeting"``)."""
    return rubric_for(track, program).review_mode == "meeting"


def is_meeting_review(application) -> bool:
    """Whether ``application`` is reviewed in a meeting (its track's rubric in its program)."""
    return is_meeting_track(application.track_code, application.program)
