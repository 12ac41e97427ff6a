"""The forms of the 专家抽取 pages: the draw, the pool, an invitation's answer, the pledge."""

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from ..applications.catalogue import GROUP_NAMES
from ..extensions import db
from ..form_fields import Choice, ChoiceList, IdField, TextListField
from ..forms_numeric import SafeIntegerField
from ..programs.models import Prefecture

TEXT = [Optional(), Length(max=500, message="不能超过500字。")]


def _count(label: str):
    return SafeIntegerField(
        label, validators=[Optional(), NumberRange(min=0, max=10000, message="数值超出范围。")]
    )


def _prefecture_names():
    return list(
        db.session.execute(select(Prefecture.name).order_by(Prefecture.sort_order)).scalars()
    )


class DrawForm(FlaskForm):
    """抽取 (``action=draw``) or 处理逾期邀请 (``action=expire``)."""

    action = Choice(["draw", "expire"], required=False)
    count = _count("抽取人数")
    backups = _count("备选人数")
    max_per_unit = _count("同一单位最多")
    max_per_prefecture = _count("同一地市最多")
    answer_hours = _count("答复期限")
    recent_programs = _count("近几批")
    specialties = ChoiceList(list(GROUP_NAMES), "专业领域")
    excluded_prefectures = ChoiceList(_prefecture_names, "排除地市")
    exclude_recent = BooleanField()
    seed = StringField(
        "抽取种子", validators=[Optional(), Length(max=100, message="不能超过100字。")]
    )


class AvailabilityForm(FlaskForm):
    expert_id = IdField("专家")
    available = Choice(["0", "1"], "可参加")
    note = StringField("原因", validators=TEXT)


class AnswerForm(FlaskForm):
    action = Choice(["accept", "decline"])
    reason = TextAreaField("谢绝原因", validators=TEXT)


class PledgeForm(FlaskForm):
    enterprise = TextListField("企业", max_length=200)
    kind = TextListField("关系", max_length=40)
    note = TextListField("说明", max_length=300)
    agreed = BooleanField()
    signed_name = StringField(
        "签名", validators=[Optional(), Length(max=60, message="不能超过60字。")]
    )
    next = StringField(validators=[Optional(), Length(max=2000)])
