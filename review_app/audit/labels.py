"""Readable Chinese for the audit chain: every action code, object type and field code the
application writes, in one table (tests/audit/test_labels.py checks the table against the
source). Raw codes stay in the database and in ``title`` attributes only."""

import re

from ..applications.catalogue import BY_KEY
from ..intake.validate import FIGURE_LABELS, REQUIRED_FIELDS
from ..panel.labels import PANEL_ACTION_LABELS
from ..workflow.machine import TRANSITIONS

ACTION_LABELS: dict[str, str] = {
    # 受理
    "program.created": "创建培育批次", "reference.load": "载入参考数据",
    "application.submit": "提交申报", "application.import": "上传申报书",
    "application.update": "修改申报信息", "application.format_check": "形式审查检查",
    "intake.refused": "拒绝受理申报书（跨地市或重复）",
    "prefecture.priority_order": "保存推荐顺序",
    "application.anonymise": "匿名化处理", "application.anonymise_confirm": "确认匿名化",
    "section.unconfirmed": "章节匿名化待重新确认",
    "application.redaction_term": "设置匿名化词语",
    "application.redaction_term_removed": "删除匿名化词语",
    "similarity.detect": "雷同检测", "similarity.mark": "标记雷同检测结果",
    "dossier.opinion": "填写地市推荐意见", "dossier.letter": "上传地市推荐函",
    "dossier.entry_figures": "填写入库指标", "dossier.industry_average": "设置行业平均值",
    "dossier.file": "上传佐证材料", "dossier.file_removed": "删除佐证材料",
    "dossier.check": "审核推荐材料",
    # 评审
    "expert.import": "导入专家", "expert.update": "修改专家信息",
    "expert.availability": "设置专家可参加情况",
    "draw.run": "抽取专家", "draw.backups_exhausted": "备选专家已用完",
    "invitation.send": "发出评审邀请", "invitation.accept": "接受评审邀请",
    "invitation.decline": "谢绝评审邀请", "invitation.expire": "评审邀请逾期",
    "pledge.sign": "签署保密与回避承诺",
    "panel.ensure": "建立专家组", "panel.members": "调整专家组成员",
    "panel.member_add": "加入评审组成员", "panel.member_remove": "移出评审组成员",
    "meeting.schedule": "安排会议评审（答辩）", "meeting.sign_in": "会议评审签到",
    "meeting.held": "完成答辩",
    "assignment.commit": "确认专家分配", "assignment.manual": "手动分配专家",
    "assignment.remove": "移除评审专家", "assignment.reassign": "重新分配专家",
    "assignment.declare_conflict": "专家申报回避",
    "conflict.detect": "检测回避关系", "conflict.waive": "豁免回避关系",
    "conflict.pin": "固定回避关系", "conflict.confirm": "确认回避关系",
    "conflict.dismiss": "排除回避关系",
    "review.save": "保存评分草稿", "review.submit": "提交评分", "review.reopen": "重新开放评分",
    "review.dispersion_flag": "评分分歧，进入复议", "review.flag_rescore": "复议：重新评分",
    "review.flag_consensus": "复议：记录合议结论",
    # 抽查与决定
    "inspection.draw": "抽取实地抽查名单", "inspection.add": "加入抽查名单",
    "inspection.remove": "移出抽查名单", "inspection.inspectors": "指派核查人员",
    "inspection.item": "记录核查项", "inspection.evidence": "上传核查证明材料",
    "inspection.evidence_removed": "删除核查证明材料", "inspection.verdict": "记录核查结论",
    "decision.stage": "拟定入库名单", "decision.confirm": "确认入库决定",
    # 公示与通知
    "publicity.approve": "审定公示名单", "publicity.publish": "发布公示",
    "publicity.issue": "发布入库名单", "publicity.reconsider": "复议决定",
    "objection.receive": "登记异议", "objection.accept": "受理异议",
    "objection.not_accept": "不予受理异议", "objection.assign": "指派异议核查人",
    "objection.findings": "记录异议核查情况", "objection.conclude": "作出异议结论",
    "notice.generate": "生成结果通知", "notice.release": "发出结果通知",
    "outbox.release": "发出消息", "outbox.cancel": "取消消息", "outbox.resend": "重新发送消息",
    "outbox.auto_release": "设置自动发出的消息类别",
    # 系统
    "api_token.create": "创建API令牌", "api_token.revoke": "撤销API令牌",
    "webhook.register": "登记事件推送地址", "webhook.activate": "启用事件推送",
    "webhook.deactivate": "停用事件推送", "webhook.delete": "删除事件推送地址",
    "user.create": "创建账号", "user.locked": "账号锁定", "user.unlocked": "解除锁定",
    "user.disabled": "停用账号", "user.enabled": "启用账号", "user.role_changed": "修改角色",
    "user.password_changed": "修改密码", "user.password_reset": "重置密码",
    "user.password_reset_requested": "申请重置密码链接",
}  # fmt: skip
ACTION_LABELS.update({f"application.{t.trigger}": t.label for t in TRANSITIONS})
ACTION_LABELS.update(PANEL_ACTION_LABELS)

OBJECT_LABELS: dict[str, str] = {
    "application": "申报", "section": "章节", "program": "培育批次", "prefecture": "地市",
    "industry": "行业", "expert": "专家", "panel": "专家组", "draw_run": "专家抽取",
    "invitation": "评审邀请", "pledge": "保密与回避承诺", "assignment": "评审分配",
    "conflict": "回避关系", "review": "评分", "similarity_finding": "雷同检测结果",
    "decision_run": "入库决定", "publicity_approval": "公示审定", "publicity_period": "公示",
    "reconsideration": "复议", "objection": "异议", "result_notice": "结果通知",
    "outbox_message": "发件箱消息", "signed_sheet": "签署的评审表", "api_token": "API令牌",
    "webhook": "事件推送地址", "user": "账号", "meeting": "会议评审",
}  # fmt: skip

# Field codes of the format check and of 修改申报信息 → the form's Chinese label.
FIELD_LABELS: dict[str, str] = dict(REQUIRED_FIELDS)
FIELD_LABELS.update({
    "track": "申报类别", "maturity_level": "智能制造能力成熟度等级",
    "maturity_score": "智能制造能力成熟度评分", "accidents": "近三年安全、环保事故或失信行为",
    "national_excellent": "国家卓越级智能工厂称号", "enterprise.industry.section": "所属行业门类",
    "enterprise.industry.group": "所属行业中类", "enterprise.county": "所在县（区）",
    "enterprise.industry_division": "行业大类", "enterprise.industry_group": "行业中类",
    "enterprise.main_business": "主营业务", "enterprise.factory_address": "工厂地址",
    "enterprise.legal_rep_name": "法人代表/负责人", "enterprise.legal_rep_phone": "法人代表电话",
    "enterprise.contact_name": "联系人", "enterprise.contact_title": "联系人职务",
    "enterprise.contact_phone": "联系人电话/手机", "enterprise.contact_email": "联系人邮箱",
    "enterprise.employees": "从业人员数", "enterprise.industry": "所属行业",
})  # fmt: skip
_FIGURE = re.compile(r"figures\.(\d{4})(?:\.(\w+))?")


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, "其他操作")


def object_label(obj_type: str) -> str:
    return OBJECT_LABELS.get(obj_type, "其他对象")


def field_label(code: str) -> str:
    """``enterprise.chain`` → 所属产业链; ``figures.<year>.revenue`` → <year>年主营业务收入（万元）;
    a section key → its title."""
    if code in FIELD_LABELS:
        return FIELD_LABELS[code]
    if code in BY_KEY:
        return BY_KEY[code].title
    m = _FIGURE.fullmatch(code)
    if m:
        year, attr = m.groups()
        return f"{year}年" + (FIGURE_LABELS.get(attr, "财务数据") if attr else "财务数据")
    return "其他项目"
