"""Forms of the intake pages."""

from functools import cache

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, MultipleFileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ..forms_numeric import SafeDecimalField, SafeIntegerField
from .parsed import NATURE_OPTIONS, SIZE_OPTIONS
from .records import FIGURE_FIELDS

FIGURE_LABELS = {
    "total_assets": "资产总额（万元）",
    "debt_ratio": "资产负债率（%）",
    "revenue": "主营业务收入（万元）",
    "profit_margin": "利润率（%）",
}


def _choices(options):
    return [SelectChoice("", "（请选择）")] + [SelectChoice(o, o) for o in options]


class UploadForm(FlaskForm):
    files = MultipleFileField(
        "申报书（.docx，可多选）",
        validators=[FileRequired("请选择至少一个文件。")],
    )


class SummaryImportForm(FlaskForm):
    file = FileField(
        "推荐汇总表（附件2，.xlsx）",
        validators=[FileRequired("请选择文件。"), FileAllowed(["xlsx"], "只接受 .xlsx 文件。")],
    )


class ApplicationFieldsForm(FlaskForm):
    """Corrections to what the 申报书 declared (form fields of 附件1 一、基本信息)."""

    name = StringField("企业名称", validators=[DataRequired("请填写企业名称。"), Length(max=200)])
    uscc = StringField(
        "统一社会信用代码",
        validators=[
            DataRequired("请填写统一社会信用代码。"),
            Length(min=18, max=18, message="应为18位。"),
        ],
    )
    county = StringField("所在县（区）", validators=[Optional(), Length(max=60)])
    nature = SelectField("企业性质", choices=_choices(NATURE_OPTIONS), validators=[Optional()])
    size = SelectField("企业类型", choices=_choices(SIZE_OPTIONS), validators=[Optional()])
    employees = SafeIntegerField(
        "从业人员（人）", validators=[Optional(), NumberRange(0, 2000000, "人数超出范围。")]
    )
    industry_division = StringField("行业大类（两位代码）", validators=[Optional(), Length(max=2)])
    industry_group = StringField("行业中类（三位代码）", validators=[Optional(), Length(max=3)])
    chain = SelectField("所属产业链", choices=[], validators=[Optional()])
    main_business = StringField("主营业务（附件2）", validators=[Optional(), Length(max=200)])
    factory_address = StringField("工厂地址", validators=[Optional(), Length(max=300)])
    legal_rep_name = StringField("法人代表/负责人", validators=[Optional(), Length(max=60)])
    legal_rep_phone = StringField("法人代表电话", validators=[Optional(), Length(max=40)])
    contact_name = StringField("联系人", validators=[Optional(), Length(max=60)])
    contact_title = StringField("联系人职务", validators=[Optional(), Length(max=60)])
    contact_phone = StringField("联系人电话/手机", validators=[Optional(), Length(max=40)])
    contact_email = StringField(
        "联系人邮箱", validators=[Optional(), Email("邮箱格式不正确。"), Length(max=120)]
    )
    maturity_level = SelectField(
        "智能制造能力成熟度等级",
        choices=[SelectChoice("", "（未填）")]
        + [SelectChoice(str(i), f"{'一二三四五'[i - 1]}级") for i in range(1, 6)],
        validators=[Optional()],
    )
    maturity_score = SafeDecimalField(
        "评估分数", places=2, validators=[Optional(), NumberRange(0, 5, "分数应在0–5之间。")]
    )
    national_excellent = BooleanField("已获得国家卓越级智能工厂称号")
    provincial_demo = BooleanField("已通过省级验收智能制造示范工厂揭榜单位")
    honours = StringField("荣誉称号（无则留空）", validators=[Optional(), Length(max=500)])
    accidents = BooleanField("近三年发生较大及以上安全、环保事故或失信行为")


@cache
def application_fields_form(years: tuple[int, ...]) -> type[ApplicationFieldsForm]:
    """The 修改申报信息 form of a program whose figure years are ``years``
    (``figure_years(application.program.year)``): a ``fig_<year>_<field>`` per year and field."""
    fields = {
        f"fig_{year}_{name}": SafeDecimalField(
            f"{year}年{FIGURE_LABELS[name]}", places=2, validators=[Optional()]
        )
        for year in years
        for name in FIGURE_FIELDS
    }
    return type("ApplicationFieldsForm", (ApplicationFieldsForm,), fields)


def order_form_class(application_ids):
    """The 推荐顺序 form of one track: a rank (a number, any order) per application, posted as
    ``rank_<id>``; a rank left out leaves the application out (which the verb refuses)."""

    class OrderForm(FlaskForm):
        def ranked(self) -> list[int]:
            """The ids, in the order of their ranks (an empty rank counts as 0)."""
            ranks = [
                (field.data or 0, int(field.name[5:]))
                for field in self
                if field.name.startswith("rank_") and field.raw_data
            ]
            return [app_id for _, app_id in sorted(ranks)]

    for app_id in application_ids:
        setattr(OrderForm, f"rank_{app_id}", SafeDecimalField("推荐顺序", validators=[Optional()]))
    return OrderForm
