"""The decision table's column chooser: which columns of the ranking the page shows, from the
``cols`` query arguments (a GET form of checkboxes, kept in the URL; no script needed)."""

from collections.abc import Mapping

# (key, heading) in table order; "sections" stands for one column per scored section.
COLUMNS = [
    ("rank", "排名"),
    ("code", "匿名编号"),
    ("name", "企业名称"),
    ("prefecture", "地市"),
    ("final", "综合得分"),
    ("outcome", "结果"),
    ("priority", "推荐顺序"),
    ("sections", "各章节得分"),
    ("raw", "原始分"),
    ("calibrated", "校准分"),
    ("honours", "荣誉"),
    ("maturity", "成熟度"),
    ("inspection", "抽查"),
    ("deduction", "扣分"),
    ("explanation", "说明"),
]
COLUMN_NAMES = dict(COLUMNS)
DEFAULT_COLUMNS = ("rank", "code", "name", "prefecture", "final", "outcome", "explanation")


def chosen_columns(args: Mapping) -> list[str]:
    """The known ``cols`` of ``args`` in table order; the default set when none is known."""
    asked = set(args.getlist("cols")) if hasattr(args, "getlist") else set()
    picked = [key for key, _ in COLUMNS if key in asked]
    return picked or list(DEFAULT_COLUMNS)
