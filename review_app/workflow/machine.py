"""The application state machine as one table, read top to bottom.

Each row: the trigger, its source state(s), its destination, the roles allowed to fire it, the
guards (named functions returning a Chinese reason or None), and whether a reason must be typed.
The ``transitions`` Machine is built once from this table with ``model=None``; triggers are fired
on loaded rows through ``MACHINE.events[trigger].trigger(application, ctx)`` (see STYLE.md).
"""

from collections.abc import Callable
from dataclasses import dataclass

from transitions import Machine

from ..dossier.checks import dossier_complete, outside_checks_passed
from ..dossier.guards import opinion_written
from ..publicity import rules as pr
from . import guards as g
from .states import DECIDABLE_STATES, FINAL_STATES, REVOCABLE_STATES, STATE_NAMES

Guard = Callable[[g.Context], str | None]

# The system fires the transitions that happen by themselves (scoring completes when the last
# review is in). It is no user: no account has this role, and the table names it on the rows it
# may fire; its audit events say "system".
SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class SystemActor:
    id: None = None
    role: str = SYSTEM_ROLE
    username: str = "system"
    is_authenticated: bool = True


SYSTEM_ACTOR = SystemActor()


@dataclass(frozen=True)
class TransitionSpec:
    trigger: str
    source: tuple[str, ...]
    dest: str
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()
    label: str = ""
    needs_reason: bool = False


def _t(trigger, source, dest, roles, guards=(), *, label, needs_reason=False) -> TransitionSpec:
    source = {source} if isinstance(source, str) else set(source)
    source = tuple(s for s in STATE_NAMES if s in source)  # in the table's order of states
    if needs_reason:
        guards = (g.reason_given, *guards)
    return TransitionSpec(
        trigger, source, dest, frozenset(roles), tuple(guards), label, needs_reason
    )


NON_FINAL = tuple(s for s in STATE_NAMES if s not in FINAL_STATES)

TRANSITIONS: tuple[TransitionSpec, ...] = (
    _t("endorse", "submitted", "prefecture_endorsed", {"prefecture"},
       (g.before_the_deadline, g.no_blocking_problems, opinion_written, g.within_quota),
       label="地市推荐"),
    _t("return", "submitted", "returned", {"prefecture"}, (g.before_the_deadline,),
       needs_reason=True, label="退回企业修改"),
    _t("return", "prefecture_endorsed", "returned", {"coordinator"}, (g.before_the_deadline,),
       needs_reason=True, label="退回修改"),
    _t("resubmit", "returned", "submitted", {"applicant", "prefecture"},
       (g.before_the_deadline,), label="重新提交"),
    _t("pass_format_check", "prefecture_endorsed", "format_checked", {"coordinator"},
       (g.required_sections_present, g.national_title_for_leading, g.no_blocking_problems,
        dossier_complete),
       label="形式审查通过"),
    _t("fail_format_check", "prefecture_endorsed", "rejected", {"coordinator"},
       (g.after_the_deadline,), needs_reason=True, label="形式审查不通过"),
    _t("assign", "format_checked", "expert_assigned", {"coordinator"},
       (g.sections_anonymised, g.all_sections_staffed, g.no_conflicted_reviewer),
       label="确认专家分配"),
    _t("complete_scoring", "expert_assigned", "scored", {"coordinator", SYSTEM_ROLE},
       (g.all_reviews_submitted, g.no_open_dispersion_flag, g.no_conflicted_reviewer),
       label="确认评分完成"),
    _t("reopen_scoring", "scored", "expert_assigned", {"coordinator"}, needs_reason=True,
       label="重新开放评分"),
    _t("record_inspection", "scored", "spot_inspected", {"inspector", "coordinator"},
       (g.inspection_verdict_recorded,), label="确认实地抽查结论"),
    # The confirmed decision proposes; the result is final only at 正式发文 (DESIGN.md 10).
    _t("propose", DECIDABLE_STATES, "proposed", {"coordinator"},
       (g.inspected_if_sampled, g.not_vetoed, outside_checks_passed, g.capacity_available),
       label="拟入库"),
    _t("not_select", DECIDABLE_STATES, "not_selected", {"coordinator"},
       (g.inspected_if_sampled,), needs_reason=True, label="拟不予入库"),
    _t("publish", "proposed", "in_publicity", {"coordinator"}, (pr.through_publicity, pr.approved_list_current),
       label="公示"),
    _t("revoke", REVOCABLE_STATES, "revoked", {"coordinator"},
       (pr.through_publicity, pr.objection_upheld), needs_reason=True, label="撤销拟入库"),
    _t("backfill", "not_selected", "proposed", {"coordinator"},
       (pr.through_publicity, g.not_vetoed, outside_checks_passed, g.capacity_available,
        pr.next_in_ranking), needs_reason=True,
       label="递补"),
    _t("issue", "in_publicity", "admitted", {"coordinator"},
       (pr.through_publicity, pr.publicity_over, pr.no_open_objection), label="正式发文"),
    _t("issue", ("not_selected", "revoked"), "rejected", {"coordinator"},
       (pr.through_publicity, pr.no_open_objection), label="正式发文"),
    # 复核: a final result changes only with a recorded reconsideration (reason, approval).
    _t("reconsider", "admitted", "rejected", {"coordinator"}, (pr.through_publicity, pr.reconsideration_recorded),
       needs_reason=True, label="复核"),
    _t("reconsider", "rejected", "admitted", {"coordinator"},
       (pr.through_publicity, pr.reconsideration_recorded, g.not_vetoed,
        g.capacity_available), needs_reason=True,
       label="复核"),
    _t("withdraw", NON_FINAL, "withdrawn", {"applicant", "prefecture", "coordinator"},
       needs_reason=True, label="撤回申报"),
)  # fmt: skip

TRIGGERS: tuple[str, ...] = tuple(dict.fromkeys(t.trigger for t in TRANSITIONS))


# The forward path of the transition table: from each state, the step that moves it on.
EXPECTED_NEXT: dict[str, str] = {
    "submitted": "endorse",
    "returned": "resubmit",
    "prefecture_endorsed": "pass_format_check",
    "format_checked": "assign",
    "expert_assigned": "complete_scoring",
    "scored": "record_inspection",
    "spot_inspected": "propose",
    "proposed": "publish",
    "in_publicity": "issue",
    "not_selected": "issue",
    "revoked": "issue",
}


def expected_next(application) -> str | None:
    """The step that moves ``application`` on: EXPECTED_NEXT of its state, except that a scored
    application not sampled for 实地抽查 goes on to the decision (拟入库)."""
    trigger = EXPECTED_NEXT.get(application.state)
    if trigger == "record_inspection" and not g.sampled_for_inspection(application):
        return "propose"
    return trigger


def spec_for(trigger: str, state: str) -> TransitionSpec | None:
    """The table row for ``trigger`` fired from ``state``, if any."""
    for spec in TRANSITIONS:
        if spec.trigger == trigger and state in spec.source:
            return spec
    return None


def first_refusal(spec: TransitionSpec, ctx: g.Context) -> str | None:
    """The first guard's reason to refuse, or None."""
    for guard in spec.guards:
        reason = guard(ctx)
        if reason:
            return reason
    return None


def _condition(spec: TransitionSpec):
    def condition(event) -> bool:
        return first_refusal(spec, event.args[0]) is None

    condition.__name__ = f"guards_of_{spec.trigger}"
    return condition


MACHINE = Machine(
    model=None,
    states=list(STATE_NAMES),
    transitions=[
        {
            "trigger": spec.trigger,
            "source": list(spec.source),
            "dest": spec.dest,
            "conditions": [_condition(spec)],
        }
        for spec in TRANSITIONS
    ],
    initial=None,
    auto_transitions=False,
    send_event=True,
)
