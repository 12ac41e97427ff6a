"""The forms of the decision pages: stage with what-if parameters, the export bundle, notices."""

from flask_wtf import FlaskForm
from wtforms.validators import NumberRange, Optional

from ..form_fields import Choice, IdField
from ..forms_numeric import SafeDecimalField, SafeIntegerField
from ..programs.models import TRACKS


class StageForm(FlaskForm):
    capacity = SafeIntegerField(
        "入库名额", validators=[Optional(), NumberRange(min=0, max=100000, message="须为整数。")]
    )
    min_score = SafeDecimalField(
        "最低分数线", validators=[Optional(), NumberRange(min=0, max=1000, message="超出范围。")]
    )
    use_calibration = Choice(["0", "1"], "评审尺度校准", required=False)

    def params(self) -> dict:
        """The fields that were posted, as ``service.params_with`` reads them."""
        out = {}
        if self.capacity.data is not None:
            out["capacity"] = str(self.capacity.data)
        if self.min_score.data is not None:
            out["min_score"] = str(self.min_score.data)
        if self.use_calibration.data:
            out["use_calibration"] = self.use_calibration.data
        return out


class BundleForm(FlaskForm):
    track = Choice(list(TRACKS), required=False)


class NoticeForm(FlaskForm):
    action = Choice(["generate", "release", "release_all"])
    notice_id = IdField("结果通知", required=False)
