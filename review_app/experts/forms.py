"""The coordinator's expert forms: the .xlsx import and one expert's record."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..applications.catalogue import GROUP_NAMES
from ..form_fields import ChoiceList, IdField
from ..forms_numeric import SafeIntegerField


class ImportForm(FlaskForm):
    file = FileField("专家导入表")


class ExpertForm(FlaskForm):
    employer = StringField("工作单位", validators=[Optional(), Length(max=200, message="过长。")])
    title = StringField("职称", validators=[Optional(), Length(max=60, message="过长。")])
    prefecture_id = IdField("所在地市", required=False)
    specialties = ChoiceList(list(GROUP_NAMES), "专业领域")
    industries = StringField("行业大类", validators=[Optional(), Length(max=500, message="过长。")])
    capacity = SafeIntegerField(
        "评审容量",
        validators=[
            InputRequired(message="评审容量应为0–500的整数。"),
            NumberRange(min=0, max=500, message="评审容量应为0–500的整数。"),
        ],
    )

    def entered(self) -> dict:
        """What was typed, to show again beside the error."""
        return {f.name: (f.raw_data[0] if f.raw_data else "") for f in self}
