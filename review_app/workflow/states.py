"""Application states (DESIGN.md section 1) with their Chinese names."""

INITIAL_STATE = "submitted"

STATE_NAMES: dict[str, str] = {
    "submitted": "已提交",
    "returned": "已退回",
    "prefecture_endorsed": "地市已推荐",
    "format_checked": "形式审查通过",
    "expert_assigned": "已分配专家",
    "scored": "评分完成",
    "spot_inspected": "已实地抽查",
    "admitted": "入库",
    "rejected": "未入库",
    "withdrawn": "已撤回",
}

FINAL_STATES = frozenset({"admitted", "rejected", "withdrawn"})

# States in which an application has been recommended by its prefecture and so uses quota.
ENDORSED_STATES = frozenset(
    {
        "prefecture_endorsed",
        "format_checked",
        "expert_assigned",
        "scored",
        "spot_inspected",
        "admitted",
        "rejected",
    }
)
