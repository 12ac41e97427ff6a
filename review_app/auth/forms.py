from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from .models import ROLES


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=200)])


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    display_name = StringField("姓名/单位", validators=[Optional(), Length(max=100)])
    role = SelectField(
        "角色", choices=[SelectChoice(k, v) for k, v in ROLES.items() if k != "applicant"]
    )
    prefecture = SelectField("所属地市（仅地市账号）", choices=[], validate_choice=False)
    password = PasswordField("初始密码", validators=[DataRequired("请输入密码。"), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "当前密码", validators=[DataRequired("请输入当前密码。"), Length(max=200)]
    )
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码。"), Length(max=200)])
    confirm = PasswordField(
        "再次输入新密码", validators=[DataRequired("请再次输入新密码。"), Length(max=200)]
    )


class ForgotPasswordForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])


class ResetPasswordForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=500)])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码。"), Length(max=200)])
    confirm = PasswordField(
        "再次输入新密码", validators=[DataRequired("请再次输入新密码。"), Length(max=200)]
    )


class AccountActionForm(FlaskForm):
    """The administrator's buttons on an account's page (reset, unlock, disable, enable)."""

    action = SelectField(
        choices=[
            SelectChoice("reset", "重置密码"),
            SelectChoice("unlock", "解除锁定"),
            SelectChoice("disable", "停用"),
            SelectChoice("enable", "启用"),
        ]
    )


class RoleForm(FlaskForm):
    role = SelectField(
        "角色", choices=[SelectChoice(k, v) for k, v in ROLES.items() if k != "applicant"]
    )
    prefecture = SelectField("所属地市（地市账号必填）", choices=[], validate_choice=False)
