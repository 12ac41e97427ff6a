"""The scoring form, generated from the rubric (a new program year is a new file, not code)."""

from functools import lru_cache

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, NumberInput
from wtforms.widgets.core import clean_key

from ..form_fields import MAX_ID, Choice, IdField, IdListField
from ..forms_numeric import SafeDecimalField, SafeIntegerField


def _html_params(**kwargs) -> Markup:
    """``wtforms.widgets.html_params`` with the same output, built with plain string operations
    instead of ``Markup.format`` (a ``string.Formatter`` pass per attribute, which was most of
    the time spent rendering the scoring form)."""
    params = []
    for k, v in sorted(kwargs.items()):
        k = escape(clean_key(k))
        if v is True:
            params.append(k)
        elif v is not False:
            v = escape(v)
            if '"' in v:  # only a Markup value keeps a quote through escape()
                v = v.replace(Markup('"'), Markup("&quot;"))
            params.append(f'{k}="{v}"')
    return Markup(" ".join(params))  # noqa: S704 - every key and value was escaped above


class _NumberInput(NumberInput):
    html_params = staticmethod(_html_params)


class _CheckboxInput(CheckboxInput):
    html_params = staticmethod(_html_params)


@lru_cache(maxsize=128)
def score_form_class(section_rubric):
    """A WTForms class with one bounded number and one 不适用 box per criterion.

    Built once per section rubric: ``SectionRubric`` is a frozen dataclass (hashed and compared
    by value) and ``scoring.service.rubric_for`` re-reads a rubric file when its mtime changes,
    so an edited rubric gets a new class. The class holds no request data (a form class is
    normally defined once at import time); each request instantiates its own form."""

    class ScoreForm(FlaskForm):
        version = SafeIntegerField(
            widget=HiddenInput(),
            validators=[Optional(), NumberRange(0, MAX_ID, message="版本号无效。")],
        )
        action = Choice(["save", "submit"], required=False)
        comment = TextAreaField(
            "评审意见（必填）",
            validators=[Optional(), Length(max=3000, message="不能超过3000字。")],
        )

    for c in section_rubric.criteria:
        setattr(
            ScoreForm,
            f"c_{c.code}",
            SafeDecimalField(
                f"{c.code} {c.title}",
                places=1,
                widget=_NumberInput(step="any"),
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
        setattr(
            ScoreForm,
            f"na_{c.code}",
            BooleanField("不适用", widget=_CheckboxInput(), render_kw={"class": "na"}),
        )
    return ScoreForm


def values_from(form, section_rubric) -> dict:
    """code -> (points or None, not_applicable)."""
    out = {}
    for c in section_rubric.criteria:
        points = getattr(form, f"c_{c.code}").data
        na = bool(getattr(form, f"na_{c.code}").data)
        out[c.code] = (None if points is None else float(points), na)
    return out


REASON = [Optional(), Length(max=2000, message="不能超过2000字。")]


class FlagForm(FlaskForm):
    """复议: re-score by the chosen reviewers or settle by consensus."""

    flag_id = IdField("复议")
    mode = Choice(["rescore", "consensus"], "处理方式")
    reason = TextAreaField("复议说明", validators=REASON)
    reviewers = IdListField("专家")


class ReasonForm(FlaskForm):
    reason = StringField("理由", validators=REASON)


class SheetForm(FlaskForm):
    """An uploaded 评分表: the coordinator names the expert; an expert uploads their own."""

    expert = IdField("专家", required=False)
    action = Choice(["save", "submit"], required=False)
    file = FileField("评分表")
