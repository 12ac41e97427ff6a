"""The coordinator's form: mark a finding (the list's filters are plain URL arguments)."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..form_fields import Choice
from .service import MAX_REASON


class MarkForm(FlaskForm):
    status = Choice([("normal", "正常"), ("similar", "雷同")], "判断")
    reason = TextAreaField(
        "理由",
        validators=[
            DataRequired(message="请填写判断理由。"),
            Length(max=MAX_REASON, message=f"不能超过{MAX_REASON}字。"),
        ],
    )
