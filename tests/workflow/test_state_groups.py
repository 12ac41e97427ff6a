"""State groups ("scored or inspected", "final", ...) are named once in workflow/states.py and
agree with the transition table; no module or template outside workflow/ restates one as a
literal list of state names."""

import ast
import re
from pathlib import Path

import pytest

import review_app
from review_app.extensions import db
from review_app.workflow import states
from review_app.workflow.machine import TRANSITIONS
from review_app.workflow.states import STATE_NAMES

from .. import factories as f
from ..conftest import login

PACKAGE = Path(review_app.__file__).parent
TEMPLATES = PACKAGE.parent / "templates"

# Literals of state names outside workflow/ that are no group of application states.
EXCEPTIONS = {
    # A decision entry's outcome (admitted / rejected) is its own vocabulary: the column's
    # CHECK constraint and the export's labels for it.
    ("decision/models.py", ("admitted", "rejected")),
    ("decision/exports.py", ("admitted", "rejected")),
}


def state_literals(source: str) -> list[tuple[int, tuple[str, ...]]]:
    """(line, names) of every tuple, list, set or dict literal naming two or more states."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = node.elts
        elif isinstance(node, ast.Dict):
            items = node.keys
        else:
            continue
        names = tuple(
            e.value for e in items if isinstance(e, ast.Constant) and e.value in STATE_NAMES
        )
        if len(names) >= 2:
            found.append((node.lineno, names))
    return found


# A parenthesised or bracketed list of two or more quoted words, as templates write them.
TEMPLATE_LIST = re.compile(r"""[(\[]\s*(?:['"]\w+['"]\s*,\s*)+['"]\w+['"]\s*,?\s*[)\]]""")


def template_state_lists(text: str) -> list[tuple[int, tuple[str, ...]]]:
    found = []
    for match in TEMPLATE_LIST.finditer(text):
        names = tuple(
            n for n in re.findall(r"""['"](\w+)['"]""", match.group()) if n in STATE_NAMES
        )
        if len(names) >= 2:
            found.append((text.count("\n", 0, match.start()) + 1, names))
    return found


def test_the_scanners_find_restated_groups():
    source = 'DONE = ("admitted", "rejected")\nq = s.in_(["scored", "spot_inspected"])\n'
    assert [names for _, names in state_literals(source)] == [
        ("admitted", "rejected"),
        ("scored", "spot_inspected"),
    ]
    assert state_literals('x = ("scored", "draft")\ny = {"scored": 1}') == []
    html = "{% if a.state in ('format_checked', 'expert_assigned') %}{{ ['scored'] }}"
    assert template_state_lists(html) == [(1, ("format_checked", "expert_assigned"))]


def test_no_module_outside_workflow_restates_a_state_group():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(("workflow/", "migrations/")):
            continue
        for line, names in state_literals(path.read_text(encoding="utf-8")):
            if (relative, names) not in EXCEPTIONS:
                found.append(f"{relative}:{line}: {names}")
    assert found == [], "name the group in workflow/states.py and use it"


def test_no_template_restates_a_state_group():
    found = [
        f"{path.relative_to(TEMPLATES)}:{line}: {names}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for line, names in template_state_lists(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "test a named group (a Jinja global) or a predicate"


def test_the_groups_agree_with_the_table():
    groups = {
        name: value
        for name, value in vars(states).items()
        if name.endswith("_STATES") and isinstance(value, frozenset)
    }
    for name, group in groups.items():
        assert group and group <= set(STATE_NAMES), name
    decide = [t for t in TRANSITIONS if t.trigger in ("propose", "not_select")]
    assert all(set(t.source) == states.DECIDABLE_STATES for t in decide)
    assert {t.dest for t in decide} <= states.PROPOSAL_STATES
    # Results become final only at 正式发文 (and change only by 复核).
    assert {t.dest for t in TRANSITIONS if t.trigger == "issue"} == states.RESULT_STATES
    assert {s for t in TRANSITIONS if t.trigger == "issue" for s in t.source} <= (
        states.PROPOSAL_STATES
    )
    assert states.RESULT_STATES < states.FINAL_STATES
    assert states.IN_REVIEW_STATES == (
        states.ENDORSED_STATES - states.RESULT_STATES - states.PROPOSAL_STATES
    )
    assert states.SELECTED_STATES <= states.PROPOSAL_STATES | states.RESULT_STATES
    assert states.IN_REVIEW_STATES.isdisjoint(states.FINAL_STATES)
    # Experts are chosen once the format check passed and may change until scoring completes.
    (assign,) = [t for t in TRANSITIONS if t.trigger == "assign"]
    assert {*assign.source, assign.dest} == states.STAFFING_STATES
    # The prefecture recommends (or resubmits, then recommends) from these.
    assert {
        s for t in TRANSITIONS if t.trigger in ("endorse", "resubmit") for s in t.source
    } == states.BEFORE_ENDORSEMENT_STATES


@pytest.mark.parametrize("name", sorted(states.TEMPLATE_GROUPS))
def test_templates_get_the_groups_as_globals(app, name):
    assert app.jinja_env.globals[name] is getattr(states, name)


@pytest.mark.parametrize(
    ("state", "breakdown", "staffing"),
    [("format_checked", False, True), ("expert_assigned", True, True), ("scored", True, False)],
)
def test_the_application_page_tests_the_named_groups(app, client, state, breakdown, staffing):
    actors = f.Actors()
    application = f.application()
    f.advance(application, state, actors)
    db.session.commit()
    login(client, actors.coordinator.username)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert ("评分明细" in html) is breakdown
    assert ("调整评审专家" in html) is staffing
