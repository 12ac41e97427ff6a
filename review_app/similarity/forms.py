"""The coordinator's forms: mark a finding, and the list's filters."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..form_fields import Choice
from .models import KINDS, STATUSES
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


class FilterForm(FlaskForm):
    """The list's filters (GET, no CSRF): an unknown value is an error, not a 500."""

    class Meta:
        csrf = False

    status = Choice([("", "全部"), *STATUSES.items()], "状态", required=False)
    kind = Choice([("", "全部"), *KINDS.items()], "类型", required=False)
