"""The Webhook forms: register a receiver, switch it on or off."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from ..form_fields import Choice


class WebhookForm(FlaskForm):
    url = StringField("URL", validators=[Optional(), Length(max=500, message="不能超过500字符。")])
    description = StringField(
        "说明", validators=[Optional(), Length(max=200, message="不能超过200字。")]
    )
    secret = StringField("签名密钥", validators=[Optional(), Length(max=200, message="过长。")])


class ActiveForm(FlaskForm):
    active = Choice(["0", "1"], "启用")
    next = Choice(["show", "index"], required=False)
