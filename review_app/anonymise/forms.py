"""Forms of the coordinator's redaction page."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from .models import TERM_ACTIONS


class TermForm(FlaskForm):
    """A term to hide (品牌、产品名、集团名) or to keep (a false positive)."""

    term = StringField(
        "词语",
        validators=[DataRequired("词语不能为空。"), Length(max=100, message="词语不超过100字。")],
    )
    action = SelectField(
        "处理",
        choices=[
            SelectChoice("redact", TERM_ACTIONS["redact"]),
            SelectChoice("keep", "保留（误判）"),
        ],
        default="redact",
    )
