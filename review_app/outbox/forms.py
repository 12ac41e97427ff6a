"""The 发件箱 forms: release drafts, the kinds released automatically, one message's actions."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from ..form_fields import Choice, ChoiceList
from .models import MESSAGE_KINDS


class OutboxForm(FlaskForm):
    action = Choice(["release_all", "auto_release"])
    kind = Choice(list(MESSAGE_KINDS), "消息类型", required=False)
    auto = ChoiceList(list(MESSAGE_KINDS), "自动发出")


class MessageForm(FlaskForm):
    action = Choice(["release", "cancel", "resend"])
    reason = StringField(
        "理由", validators=[Optional(), Length(max=500, message="不能超过500字。")]
    )
