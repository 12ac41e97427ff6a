"""The scoring form, generated from the rubric (a new program year is a new file, not code)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, HiddenField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional


def score_form_class(section_rubric):
    """A WTForms class with one bounded number and one 不适用 box per criterion."""

    class ScoreForm(FlaskForm):
        version = HiddenField()
        comment = TextAreaField(
            "评审意见（必填）",
            validators=[Optional(), Length(max=3000, message="不能超过3000字。")],
        )

    for c in section_rubric.criteria:
        setattr(
            ScoreForm,
            f"c_{c.code}",
            DecimalField(
                f"{c.code} {c.title}",
                places=1,
                validators=[
                    Optional(),
                    NumberRange(0, c.max, message=f"应在0–{c.max:g}之间。"),
                ],
                render_kw={
                    "min": 0,
                    "max": f"{c.max:g}",
                    "step": "0.1",
                    "data-max": f"{c.max:g}",
                    "inputmode": "decimal",
                    "class": "criterion",
                },  # fmt: skip
            ),
        )
        setattr(ScoreForm, f"na_{c.code}", BooleanField("不适用", render_kw={"class": "na"}))
    return ScoreForm


def values_from(form, section_rubric) -> dict:
    """code -> (points or None, not_applicable)."""
    out = {}
    for c in section_rubric.criteria:
        points = getattr(form, f"c_{c.code}").data
        na = bool(getattr(form, f"na_{c.code}").data)
        out[c.code] = (None if points is None else float(points), na)
    return out
