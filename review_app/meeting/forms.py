"""The forms of the 会议评审 pages: scheduling, attendance, and the whole-application score
sheet (generated from the rubric, every section's criteria on one page)."""

from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..form_fields import Choice, IdField
from ..forms_numeric import SafeDecimalField, SafeIntegerField
from ..scoring.forms import _CheckboxInput, _NumberInput


class ScheduleForm(FlaskForm):
    held_on = DateField("会议日期", validators=[InputRequired("请填写会议日期。")],
                        format="%Y-%m-%d")  # fmt: skip
    start = TimeField("首家答辩开始时间", validators=[InputRequired("请填写开始时间。")])
    minutes = SafeIntegerField(
        "每家答辩时长（分钟）",
        validators=[InputRequired("请填写答辩时长。"), NumberRange(5, 240, "应在5–240分钟之间。")],
    )
    place = StringField("答辩地点", validators=[Optional(), Length(max=200)])
    video_link = StringField("视频会议链接", validators=[Optional(), Length(max=300)])
    seed = StringField("抽签种子（现场宣读的数字或短语）",
                       validators=[InputRequired("请填写抽签种子。"), Length(max=100)])  # fmt: skip


class AttendanceForm(FlaskForm):
    """The coordinator records an expert of the panel as present."""

    expert_id = IdField("专家")


def field_key(section_key: str) -> str:
    """A section key as a field-name part (``link.factory`` → ``link__factory``)."""
    return section_key.replace(".", "__")


@lru_cache(maxsize=32)
def meeting_form_class(section_rubrics: tuple):
    """One form for the whole application: per section a bounded number and a 不适用 box per
    criterion and an optional note; one overall comment. ``section_rubrics``: the frozen
    ``SectionRubric``s in page order (hashable, so the class is built once per rubric)."""

    class MeetingScoreForm(FlaskForm):
        action = Choice(["save", "submit"], required=False)
        comment = TextAreaField(
            "总体评审意见（提交时必填，未单独填写意见的章节采用此意见）",
            validators=[Optional(), Length(max=3000, message="不能超过3000字。")],
        )

    for sr in section_rubrics:
        k = field_key(sr.key)
        setattr(MeetingScoreForm, f"note_{k}", TextAreaField(
            f"{sr.title}意见（选填）", validators=[Optional(), Length(max=3000)]
        ))  # fmt: skip
        for c in sr.criteria:
            setattr(MeetingScoreForm, f"c_{k}_{c.code}", SafeDecimalField(
                f"{c.code} {c.title}", places=1, widget=_NumberInput(step="any"),
                validators=[Optional(), NumberRange(0, c.max, message=f"应在0–{c.max:g}之间。")],
                render_kw={"min": 0, "max": f"{c.max:g}", "step": "0.1", "data-max": f"{c.max:g}",
                           "inputmode": "decimal", "class": "criterion"},
            ))  # fmt: skip
            setattr(MeetingScoreForm, f"na_{k}_{c.code}", BooleanField(
                "不适用", widget=_CheckboxInput(), render_kw={"class": "na"}
            ))  # fmt: skip
    return MeetingScoreForm


def entries_from(form, section_rubrics) -> dict:
    """section key -> (values {code: (points or None, not_applicable)}, note)."""
    out = {}
    for sr in section_rubrics:
        k = field_key(sr.key)
        values = {}
        for c in sr.criteria:
            points = getattr(form, f"c_{k}_{c.code}").data
            na = bool(getattr(form, f"na_{k}_{c.code}").data)
            values[c.code] = (None if points is None else float(points), na)
        out[sr.key] = (values, (getattr(form, f"note_{k}").data or "").strip())
    return out
