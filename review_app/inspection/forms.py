"""The forms of the 实地抽查 pages: the sample, manual additions and removals, inspectors, the
checklist (one form for all its items) and the verdict."""

from functools import lru_cache

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, Regexp

from ..form_fields import Choice, IdListField
from ..forms_numeric import SafeDecimalField, SafeIntegerField
from .models import FINDINGS, VERDICTS

TEXT = [Optional(), Length(max=500, message="不能超过500字。")]


def _count(label: str, default: int):
    return SafeIntegerField(
        label,
        default=default,
        validators=[Optional(), NumberRange(min=0, max=10000, message="数值超出范围。")],
    )


class SampleForm(FlaskForm):
    seed = StringField("种子", validators=[Optional(), Length(max=64, message="不能超过64字。")])
    near_cut = _count("线附近家数", 3)
    random_per_prefecture = _count("每市随机家数", 1)
    dispersion_min = _count("离散复议最少", 1)
    random_rate = SafeDecimalField(
        "随机抽取比例",
        validators=[Optional(), NumberRange(min=0, max=100, message="应为0到100之间的百分比。")],
    )
    dispersion = BooleanField()
    figures = BooleanField()


class AddForm(FlaskForm):
    anon_code = StringField(
        "匿名编号", validators=[Optional(), Length(max=40, message="编号过长。")]
    )
    reason = StringField("理由", validators=TEXT)


class ReasonForm(FlaskForm):
    reason = StringField("理由", validators=TEXT)


class InspectorsForm(FlaskForm):
    inspectors = IdListField("核查人员")


class VerdictForm(FlaskForm):
    verdict = Choice(list(VERDICTS), "核查结论", required=False)
    deduction = SafeDecimalField("扣分", validators=[Optional()])
    note = TextAreaField(
        "说明", validators=[Optional(), Length(max=4000, message="不能超过4000字。")]
    )


UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


@lru_cache(maxsize=32)
def checklist_form_class(codes: tuple[str, ...]):
    """The whole checklist as one form (one save keeps every item's input): per item
    ``finding_<code>``, ``note_<code>`` and ``evidence_<code>``; ``at`` names the item whose
    button was pressed; ``client_id`` identifies the save (a replay is accepted once)."""

    class ChecklistForm(FlaskForm):
        at = StringField(validators=[Optional(), Length(max=40)])
        client_id = StringField(
            validators=[Optional(), Regexp(UUID, message="保存编号无效，请刷新页面后重试。")]
        )

    for code in codes:
        setattr(
            ChecklistForm, f"finding_{code}", Choice(list(FINDINGS), "核查结果", required=False)
        )
        setattr(
            ChecklistForm,
            f"note_{code}",
            TextAreaField(
                "核查说明", validators=[Optional(), Length(max=2000, message="不能超过2000字。")]
            ),
        )
        setattr(ChecklistForm, f"evidence_{code}", MultipleFileField())
    return ChecklistForm
