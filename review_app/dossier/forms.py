"""Forms of the dossier pages: the 推荐函, a 地市审核意见, an attachment, a check, an import."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..form_fields import Choice, ChoiceList
from .entry import file_averages, scenario_names
from .kinds import APPLICANT_KINDS, BY_CODE
from .models import CHECK_NAMES, RESULT_NAMES
from .service import MAX_OPINION_CHARS


class LetterForm(FlaskForm):
    letter = FileField("推荐函（盖章PDF）")


class OpinionForm(FlaskForm):
    # Blank is refused by the service, naming the field; the length is checked there too.
    text = TextAreaField(
        "地市审核意见",
        validators=[Optional(), Length(max=MAX_OPINION_CHARS * 2, message="内容过长。")],
    )


class FileForm(FlaskForm):
    kind = Choice([(k, BY_CODE[k].name) for k in APPLICANT_KINDS], "材料类别")
    file = FileField("文件")


class CheckForm(FlaskForm):
    kind = Choice(list(CHECK_NAMES.items()), "核查项")
    result = Choice(list(RESULT_NAMES.items()), "核查结果")
    checked_by = StringField(
        "核查人", validators=[Optional(), Length(max=100, message="不能超过100字。")]
    )
    checked_on = DateField("核查日期", validators=[Optional()], format="%Y-%m-%d")
    source = StringField(
        "核查来源", validators=[Optional(), Length(max=200, message="不能超过200字。")]
    )
    note = TextAreaField(
        "说明", validators=[Optional(), Length(max=2000, message="不能超过2000字。")]
    )
    file = FileField("截图或导出文件")


class ImportForm(FlaskForm):
    file = FileField("核查结果表（.xlsx）")


def _scenario_choices():
    return list(scenario_names())


class FiguresForm(FlaskForm):
    nc_rate = StringField("关键工序数控化率（%）", validators=[Optional(), Length(max=20)])
    design_tool_rate = StringField(
        "数字化研发设计工具普及率（%）", validators=[Optional(), Length(max=20)]
    )
    scenarios = ChoiceList(_scenario_choices, "典型场景")
    ai_scenarios = ChoiceList(_scenario_choices, "应用人工智能的场景")


class AverageForm(FlaskForm):
    division = Choice([(c, f"{c} {a.name}") for c, a in file_averages().items()], "行业大类")
    nc_rate = StringField("关键工序数控化率（%）", validators=[Optional(), Length(max=20)])
    design_tool_rate = StringField(
        "数字化研发设计工具普及率（%）", validators=[Optional(), Length(max=20)]
    )
