"""The forms of the assignment pages: panel members, conflicts, automatic and manual
assignment, the expert's 回避 declaration."""

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from ..form_fields import Choice, IdField, needs
from ..forms_numeric import SafeFloatField, SafeIntegerField

REASON = [Optional(), Length(max=500, message="理由不能超过500字。")]


class PanelMembersForm(FlaskForm):
    """建立评审组 (``action=ensure``), or add or remove one expert of a panel."""

    action = Choice(["ensure", "add", "remove"])
    panel_id = IdField("评审组", required=False)
    expert_id = IdField("专家", required=False)

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) and needs(
            self, [] if self.action.data == "ensure" else ["panel_id", "expert_id"]
        )


class ConflictForm(FlaskForm):
    action = Choice(["detect", "waive", "pin", "confirm", "dismiss"])
    conflict_id = IdField("利益冲突", required=False)
    reason = StringField("理由", validators=REASON)

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) and needs(
            self, [] if self.action.data == "detect" else ["conflict_id"]
        )


class AutoAssignForm(FlaskForm):
    seed = SafeIntegerField("随机种子", validators=[Optional()])
    mode = Choice(["optimal", "randomised"], "方式", required=False)
    q = SafeFloatField(
        "概率上限 q",
        validators=[Optional(), NumberRange(min=0.01, max=1, message="应在0.01到1之间。")],
    )
    due = DateField("评分截止日期", validators=[Optional()], format="%Y-%m-%d")

    def validate_due(self, field):
        if field.process_errors:  # WTForms' own message is English
            field.errors[:] = []
            raise ValidationError("截止日期格式应为 YYYY-MM-DD。")


class ManualAssignForm(FlaskForm):
    action = Choice(["add", "remove"], required=False)
    assignment_id = IdField("任务", required=False)
    section_id = IdField("章节", required=False)
    expert_id = IdField("专家", required=False)

    def validate(self, extra_validators=None) -> bool:
        needed = ["assignment_id"] if self.action.data == "remove" else ["section_id", "expert_id"]
        return super().validate(extra_validators) and needs(self, needed)


class DeclareForm(FlaskForm):
    reason = TextAreaField("回避理由", validators=REASON)
