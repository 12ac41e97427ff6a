"""Chinese names of the panel's audit actions (the audit page shows them)."""

PANEL_ACTION_LABELS = {
    "flag.post": "复议讨论发言",
    "panel.lead": "设定专家组组长",
    "opinion.draft": "起草专家组意见",
    "opinion.save": "修改专家组意见",
    "opinion.circulate": "专家组意见征求组员意见",
    "opinion.agree": "组员同意专家组意见",
    "opinion.object": "组员对专家组意见提出异议",
    "opinion.sign": "组长签发专家组意见",
    "opinion.letter": "选择专家组意见写入结果通知",
    "sheet.sign": "签署评审表",
    "archive.write": "生成归档",
}
