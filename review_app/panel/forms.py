"""Forms of the panel's record (CSRF-checked; the verbs check the rest)."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from ..form_fields import MAX_ID, Choice, IdField
from ..forms_numeric import SafeIntegerField

TEXT = [Optional(), Length(max=2000, message="不能超过2000字。")]
OPINION_ACTIONS = ["start", "save", "circulate", "sign", "agree", "object", "letter_on",
                   "letter_off"]  # fmt: skip


class PostForm(FlaskForm):
    """A post in the 复议 discussion."""

    body = TextAreaField("发言", validators=TEXT)


class LeadForm(FlaskForm):
    """The coordinator names a panel's 组长."""

    panel_id = IdField("专家组")
    expert_id = IdField("组长")


class OpinionForm(FlaskForm):
    """Every button of the opinion page: the 组长's, the member's and the coordinator's."""

    action = Choice(OPINION_ACTIONS, "操作")
    version = SafeIntegerField(
        widget=HiddenInput(),
        validators=[Optional(), NumberRange(0, MAX_ID, message="版本号无效。")],
    )
    strengths = TextAreaField("主要优点", validators=TEXT)
    problems = TextAreaField("主要问题", validators=TEXT)
    recommendation = TextAreaField("改进建议与评审建议", validators=TEXT)
    reason = TextAreaField(
        "理由", validators=[Optional(), Length(max=1000, message="不能超过1000字。")]
    )
