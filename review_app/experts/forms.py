"""The coordinator's expert forms: the .xlsx import and one expert's record."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, ValidationError
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..applications.catalogue import GROUP_NAMES
from ..extensions import db
from ..form_fields import ChoiceList, IdField
from ..forms_numeric import SafeIntegerField
from ..programs.models import Prefecture
from .xlsx import industry_codes


class ImportForm(FlaskForm):
    file = FileField("专家导入表")


class ExpertForm(FlaskForm):
    employer = StringField("工作单位", validators=[Optional(), Length(max=200, message="过长。")])
    title = StringField("职称", validators=[Optional(), Length(max=60, message="过长。")])
    prefecture_id = IdField("所在地市", required=False)
    specialties = ChoiceList(list(GROUP_NAMES), "擅长重点环节")
    industries = StringField("行业大类", validators=[Optional(), Length(max=500, message="过长。")])
    capacity = SafeIntegerField(
        "评审容量",
        validators=[
            InputRequired(message="评审容量应为0–500的整数。"),
            NumberRange(min=0, max=500, message="评审容量应为0–500的整数。"),
        ],
    )

    @classmethod
    def of(cls, expert) -> "ExpertForm":
        """The form filled with ``expert``'s record (a GET: nothing posted)."""
        return cls(
            data={
                "employer": expert.employer,
                "title": expert.title,
                "prefecture_id": expert.prefecture_id,
                "specialties": list(expert.specialties or []),
                "industries": ",".join(expert.industries or []),
                "capacity": expert.capacity,
            }
        )

    def validate_prefecture_id(self, field) -> None:
        if field.data is not None and db.session.get(Prefecture, field.data) is None:
            raise ValidationError("所选地市不存在，请重新选择。")

    def validate_industries(self, field) -> None:
        try:
            industry_codes(field.data or "")
        except ValueError as err:
            raise ValidationError(str(err)) from None

    def industry_list(self) -> list[str]:
        """The 大类 codes typed (validated), normalised as the import reads them."""
        return industry_codes(self.industries.data or "")
