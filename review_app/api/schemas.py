"""Marshmallow schemas of the API: they validate the input and document the output (the
OpenAPI description is generated from them by flask-smorest)."""

from datetime import UTC

from marshmallow import Schema, fields, validate

from ..clock import CHINA_TZ
from ..decision.visibility import VISIBLE_STATE_NAMES
from ..ids import MAX_ID
from ..programs.models import TRACKS
from ..workflow.machine import TRIGGERS

CURSOR = r"^[0-9]{1,20}$"


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String(metadata={"description": "中文标题"})
    status = fields.Integer()
    code = fields.String(metadata={"description": "机器可读的错误代码"})
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.Raw(),
                         metadata={"description": "校验错误：字段名 → 错误说明"})  # fmt: skip
    request_id = fields.String(
        metadata={"description": "请求编号（与响应头 X-Request-ID 相同），询问时请提供"}
    )


class Moment(fields.DateTime):
    """A moment as RFC 3339 with its offset, in Beijing time (``YYYY-04-30T10:00:00+08:00``):
    the database keeps naive UTC, the pages show UTC+8."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("description", "RFC 3339，北京时间（+08:00）")
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None:
            aware = value if value.tzinfo else value.replace(tzinfo=UTC)
            value = aware.astimezone(CHINA_TZ)
        return super()._serialize(value, attr, obj, **kwargs)


class TrackSchema(Schema):
    code = fields.String()
    name = fields.String()
    capacity = fields.Integer()
    min_score = fields.Float(allow_none=True)


class ProgramSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    year = fields.Integer()
    deadline = fields.Date()
    tracks = fields.List(fields.Nested(TrackSchema))


class QuotaSchema(Schema):
    track = fields.String()
    quota = fields.Integer(allow_none=True)
    used = fields.Integer(metadata={"description": "已推荐（地市已确认推荐及之后状态）的申报数"})
    waiting = fields.Integer(metadata={"description": "已提交或退回修改、尚未推荐的申报数"})


class PrefectureSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    division_code = fields.String()
    quotas = fields.List(fields.Nested(QuotaSchema))


class ProgramQuerySchema(Schema):
    program = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={
            "description": "培育批次编号（code，见 /api/v1/programs，如 henan-<年份>）；"
            "缺省为当前批次（年份最新的批次）。没有该批次时返回 404（unknown_program）。"
        },
    )


class ApplicationQuerySchema(ProgramQuerySchema):
    state = fields.String(validate=validate.OneOf(list(VISIBLE_STATE_NAMES)))
    track = fields.String(validate=validate.OneOf(list(TRACKS)))
    prefecture = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "地市编号（省厅可用）"}
    )
    cursor = fields.String(
        validate=validate.Regexp(CURSOR, error="游标无效"),
        metadata={"description": "上一页返回的 next_cursor，原样传回"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class EnterpriseSchema(Schema):
    name = fields.String()
    uscc = fields.String()
    nature = fields.String(allow_none=True)
    size = fields.String(allow_none=True)
    industry_code = fields.String(allow_none=True)


class ActionSchema(Schema):
    trigger = fields.String()
    label = fields.String()
    needs_reason = fields.Boolean()
    refusal = fields.String(allow_none=True, metadata={"description": "当前不能执行的原因"})


class ApplicationSchema(Schema):
    id = fields.Integer()
    anon_code = fields.String()
    track = fields.String()
    state = fields.String()
    state_name = fields.String()
    prefecture = fields.Dict()
    enterprise = fields.Nested(EnterpriseSchema)
    priority_rank = fields.Integer(allow_none=True)
    maturity_level = fields.Integer(allow_none=True)
    updated_at = Moment()
    actions = fields.List(fields.Nested(ActionSchema))


class ApplicationPageSchema(Schema):
    items = fields.List(fields.Nested(ApplicationSchema))
    next_cursor = fields.String(
        allow_none=True, validate=validate.Regexp(CURSOR),
        metadata={"description": "下一页的 cursor；没有下一页时为 null"},
    )  # fmt: skip


class TransitionSchema(Schema):
    trigger = fields.String(required=True, validate=validate.OneOf(sorted(TRIGGERS)))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class TransitionResultSchema(Schema):
    state = fields.String()
    state_name = fields.String()
    application = fields.Nested(ApplicationSchema)


class SectionSchema(Schema):
    key = fields.String()
    title = fields.String()
    anonymised_text = fields.String(allow_none=True)
    # Why the text is withheld (its anonymisation is under review), or null.
    notice = fields.String(allow_none=True)


class ReviewSchema(Schema):
    id = fields.Integer()
    assignment_id = fields.Integer()
    status = fields.String()
    total = fields.Float(allow_none=True)
    comment = fields.String()
    submitted_at = Moment(allow_none=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))


class AssignmentSchema(Schema):
    id = fields.Integer()
    anon_code = fields.String()
    track = fields.String()
    status = fields.String()
    due_date = fields.Date(allow_none=True)
    section = fields.Nested(SectionSchema)
    review = fields.Nested(ReviewSchema, allow_none=True)


class RankingRowSchema(Schema):
    rank = fields.Integer(allow_none=True)
    anon_code = fields.String()
    enterprise = fields.String()
    uscc = fields.String()
    prefecture = fields.String()
    raw_score = fields.Float(allow_none=True)
    calibrated_score = fields.Float(allow_none=True)
    final_score = fields.Float(allow_none=True)
    inspection = fields.String()
    deduction = fields.Float()
    outcome = fields.String()
    explanation = fields.String()


class RankingSchema(Schema):
    track = fields.String()
    run_id = fields.Integer()
    status = fields.String(metadata={"description": "staged（暂存）或 confirmed（已确认）"})
    confirmed_at = Moment(allow_none=True)
    parameters = fields.Dict()
    rows = fields.List(fields.Nested(RankingRowSchema))


class AuditReportSchema(Schema):
    ok = fields.Boolean()
    count = fields.Integer()
    head = fields.String(allow_none=True)
    broken_id = fields.Integer(allow_none=True)
    problem = fields.String(allow_none=True)


class PanelReviewSchema(Schema):
    reviewer = fields.String(metadata={"description": "评审专家代码（专家A、专家B……，按章节）"})
    status = fields.String(allow_none=True)
    total = fields.Float(allow_none=True)
    comment = fields.String()
    submitted_at = Moment(allow_none=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))


class SectionReviewsSchema(Schema):
    key = fields.String()
    title = fields.String()
    reviews = fields.List(fields.Nested(PanelReviewSchema))


class PanelOpinionSchema(Schema):
    panel = fields.String()
    status = fields.String()
    status_name = fields.String()
    strengths = fields.String()
    problems = fields.String()
    recommendation = fields.String()
    signed_at = Moment(allow_none=True)
    in_letter = fields.Boolean()


class ApplicationReviewsSchema(Schema):
    application_id = fields.Integer()
    anon_code = fields.String()
    track = fields.String()
    sections = fields.List(fields.Nested(SectionReviewsSchema))
    opinions = fields.List(fields.Nested(PanelOpinionSchema))
