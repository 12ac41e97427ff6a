from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional


class TransitionForm(FlaskForm):
    reason = TextAreaField(
        "理由", validators=[Optional(), Length(max=2000, message="理由不能超过2000字。")]
    )
