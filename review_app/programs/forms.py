"""The program switcher's form (the top bar)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import Length, Optional

from ..form_fields import IdField


class ProgramSelectForm(FlaskForm):
    program_id = IdField("培育批次")
    back = HiddenField(validators=[Optional(), Length(max=500)])
