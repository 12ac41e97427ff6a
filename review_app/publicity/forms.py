"""The forms of the pages after the decision: 审定, 公示, 递补, objections (the coordinator's
register, the public page, the 核查 steps), 正式发文 and 复核."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..form_fields import Choice, IdField
from .models import MEETING_KINDS

CHANNEL_CHOICES = [("letter", "来信"), ("phone", "来电"), ("email", "电子邮件")]


def _text(label: str, limit: int, required: bool = False):
    return TextAreaField(label, validators=[
        InputRequired(message=f"请填写{label}。") if required else Optional(),
        Length(max=limit, message=f"不能超过{limit}字。"),
    ])  # fmt: skip


def _line(label: str, limit: int):
    return StringField(
        label, validators=[Optional(), Length(max=limit, message=f"不能超过{limit}字。")]
    )


class ApprovalForm(FlaskForm):
    meeting_kind = Choice(list(MEETING_KINDS.items()), "会议类型")
    meeting_date = DateField("会议日期", validators=[Optional()])
    attendees = _text("参会人员", 2000)
    minutes = FileField("会议纪要")


class PublishForm(FlaskForm):
    start_on = DateField("公示开始日期", validators=[Optional()])
    contact = _text("异议受理联系方式", 1000)


class BackfillForm(FlaskForm):
    reason = _text("递补说明", 2000)


class PublicObjectionForm(FlaskForm):
    """The public page's form. Name, unit and phone are asked for; an objection without them is
    still recorded, as 不予受理 with the reason (the rules), not refused by the form."""

    name = _line("姓名", 100)
    unit = _line("工作单位", 200)
    phone = _line("联系电话", 40)
    email = _line("电子邮箱", 200)
    application_id = IdField("异议对象", required=False)
    content = _text("异议内容和理由", 5000, required=True)
    files = MultipleFileField("证明材料")


class RecordObjectionForm(PublicObjectionForm):
    channel = Choice(CHANNEL_CHOICES, "收到方式")
    period_id = IdField("公示", required=False)
    subject = _line("异议对象（名单外企业）", 200)


class ObjectionActionForm(FlaskForm):
    action = Choice(["accept", "not_accept", "assign", "findings", "uphold", "dismiss"])
    reason = _text("理由", 2000)
    checker_id = IdField("核查人", required=False)
    findings = _text("核查情况", 5000)
    files = MultipleFileField("核查材料")


class IssueForm(FlaskForm):
    doc_number = StringField("发文字号", validators=[
        InputRequired(message="请填写发文字号。"), Length(max=60, message="不能超过60字。"),
    ])  # fmt: skip
    addressees = _text("主送机关", 500)
    copied_to = _text("抄送机关", 500)


class ReconsiderForm(FlaskForm):
    reason = _text("复核理由", 2000, required=True)
    approval_record = _text("审批记录", 2000, required=True)
