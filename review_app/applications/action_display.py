"""How the application page shows its transitions: the one the workflow expects next for the
application (workflow/machine.expected_next) is the primary button, the others secondary; those that cannot be undone
ask first (static/js/confirm.js reads ``data-confirm``)."""

from dataclasses import dataclass

from ..workflow.service import Available

# Transitions that cannot be taken back by the same person: the question asked before the POST.
CONFIRMS: dict[str, str] = {
    "endorse": "确定推荐？推荐后占用本地市名额，截止后不能撤回推荐。",
    "withdraw": "确定撤回申报？撤回后申报终止，不能恢复。",
    "fail_format_check": "确定形式审查不通过？申报将终止，不能恢复。",
    "revoke": "确定撤销拟入库？",
    "issue": "确定正式发文？发文后的结果只能经复核改变。",
    "reconsider": "确定按复核结论改变最终结果？",
}


@dataclass(frozen=True)
class ShownAction:
    trigger: str
    label: str
    needs_reason: bool
    refusal: str | None
    primary: bool
    confirm: str | None


def shown_actions(expected: str | None, actions: list[Available]) -> list[ShownAction]:
    """``actions`` with the ``expected`` next one first and primary (when it is allowed now)."""
    shown = [
        ShownAction(
            a.trigger,
            a.label,
            a.needs_reason,
            a.refusal,
            primary=a.trigger == expected and not a.refusal,
            confirm=CONFIRMS.get(a.trigger),
        )
        for a in actions
    ]
    return sorted(shown, key=lambda a: a.trigger != expected)
