"""The 个人API令牌 page's form: create a token or revoke one (the verbs in tokens.py check the
rest: the name, the scope, the days and that the token is the user's own)."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from ..form_fields import Choice, IdField
from ..forms_numeric import SafeIntegerField
from .models import TOKEN_SCOPES


class TokenForm(FlaskForm):
    action = Choice(["create", "revoke"], "操作")
    token_id = IdField("令牌", required=False)
    name = StringField("用途", validators=[Optional(), Length(max=100)])
    scope = Choice(list(TOKEN_SCOPES), "权限", required=False)
    days = SafeIntegerField("有效期（天）", validators=[Optional()])
