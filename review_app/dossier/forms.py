"""Forms of the 推荐材料 pages: the 推荐函 upload and one 地市审核意见."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from .service import MAX_OPINION_CHARS


class LetterForm(FlaskForm):
    letter = FileField("推荐函（盖章PDF）")


class OpinionForm(FlaskForm):
    # Blank is refused by the service, naming the field; the length is checked there too.
    text = TextAreaField(
        "地市审核意见",
        validators=[Optional(), Length(max=MAX_OPINION_CHARS * 2, message="内容过长。")],
    )
