from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
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
