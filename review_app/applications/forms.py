from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional


class TransitionForm(FlaskForm):
    reason = TextAreaField(
        "理由", validators=[Optional(), Length(max=2000, message="理由不能超过2000字。")]
    )
    back = StringField(validators=[Optional(), Length(max=2000)])  # the list the form was on
