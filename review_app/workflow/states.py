"""Application states (DESIGN.md section 1) with their Chinese names, and the named groups of
states the rest of the code asks about. A group is named here once; services, queries and
templates (the groups are Jinja globals) use the name, never a list of state names."""

INITIAL_STATE = "submitted"

STATE_NAMES: dict[str, str] = {
    "submitted": "已提交",
    "returned": "已退回",
    "prefecture_endorsed": "地市已推荐",
    "format_checked": "形式审查通过",
    "expert_assigned": "已分配专家",
    "scored": "评分完成",
    "spot_inspected": "已实地抽查",
    "proposed": "拟入库",
    "not_selected": "拟不予入库",
    "in_publicity": "公示中",
    "revoked": "拟入库已撤销",
    "admitted": "入库",
    "rejected": "未入库",
    "withdrawn": "已撤回",
}

FINAL_STATES = frozenset({"admitted", "rejected", "withdrawn"})

# The outcomes of the review: what a released result letter reveals.
RESULT_STATES = frozenset({"admitted", "rejected"})

# Before the prefecture's recommendation: the prefecture may still correct the application, and
# it waits for a recommendation on the quota page.
BEFORE_ENDORSEMENT_STATES = frozenset({"submitted", "returned"})

# Applications a prefecture puts in its priority order (附件2 按优先次序排名).
PRIORITY_ORDERED_STATES = frozenset({"submitted", "prefecture_endorsed"})

# After the confirmed decision, before 正式发文 (DESIGN.md section 10): proposed (拟入库), not
# selected, published for objections (公示), or a proposal revoked by an upheld objection.
PROPOSAL_STATES = frozenset({"proposed", "not_selected", "in_publicity", "revoked"})

# Holding one of the track's places: proposed, in 公示, or admitted.
SELECTED_STATES = frozenset({"proposed", "in_publicity", "admitted"})

# A proposed admission an upheld objection revokes: before or during its 公示.
REVOCABLE_STATES = frozenset({"proposed", "in_publicity"})

# What prefectures and applicants see only once their result letter is released.
HIDDEN_UNTIL_RELEASE_STATES = RESULT_STATES | PROPOSAL_STATES

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
    | PROPOSAL_STATES
)

# Recommended and not yet decided: the applications of a track when its decision is taken.
IN_REVIEW_STATES = ENDORSED_STATES - RESULT_STATES - PROPOSAL_STATES

# Recommended, scoring not yet complete: sections are anonymised in these states.
BEFORE_SCORED_STATES = frozenset({"prefecture_endorsed", "format_checked", "expert_assigned"})

# The experts of each section may be chosen or changed (before and during the scoring).
STAFFING_STATES = frozenset({"format_checked", "expert_assigned"})

# Scored or inspected: the 入库决定 can be taken (admit and reject fire from these).
DECIDABLE_STATES = frozenset({"scored", "spot_inspected"})

# With experts scoring or scored, not yet decided: a provisional ranking includes these.
SCORING_STATES = DECIDABLE_STATES | {"expert_assigned"}

# Reviews exist to show: from the experts' assignment on, decided applications too.
REVIEWED_STATES = SCORING_STATES | RESULT_STATES | PROPOSAL_STATES

# A submitted review may be reopened (scored goes back to expert_assigned; later states do not).
REOPENABLE_STATES = frozenset({"scored", "expert_assigned"})

# The groups the templates test against (registered as Jinja globals by the app factory).
TEMPLATE_GROUPS = {
    "FINAL_STATES": FINAL_STATES,
    "RESULT_STATES": RESULT_STATES,
    "DECIDABLE_STATES": DECIDABLE_STATES,
    "STAFFING_STATES": STAFFING_STATES,
    "REVIEWED_STATES": REVIEWED_STATES,
    "PROPOSAL_STATES": PROPOSAL_STATES,
}
