"""Issue 22 item 5: the audit chain in readable Chinese. Every action the code writes has a label
(found by reading the source), objects read "类型 · 名称", states and fields by their names, and
the raw codes stay only in title attributes."""

import ast
import importlib
from pathlib import Path

from review_app.audit import service as audit
from review_app.audit.display import describe
from review_app.audit.labels import ACTION_LABELS, OBJECT_LABELS, field_label
from review_app.extensions import db
from review_app.workflow.machine import TRANSITIONS

from .. import factories as f
from ..conftest import login

PACKAGE = Path(__file__).resolve().parents[2] / "review_app"

# The actions written with an f-string: its prefix → the values the code puts in.
DYNAMIC = {
    "application.": [t.trigger for t in TRANSITIONS],  # workflow/service.py
    "conflict.": ["waive", "pin", "confirm", "dismiss"],  # conflict_service._decide
    "review.flag_": ["rescore", "consensus"],  # scoring/service.resolve_flag
    "opinion.": ["agree", "object"],  # panel/opinions.vote
}


def _module(path: Path):
    return importlib.import_module(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))


def _actions(node, path) -> tuple[set[str], list[str]]:
    """(actions, f-string prefixes) an audit.record first argument may hold."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}, []
    if isinstance(node, ast.IfExp):
        a, pa = _actions(node.body, path)
        b, pb = _actions(node.orelse, path)
        return a | b, pa + pb
    if isinstance(node, ast.JoinedStr):
        prefix = node.values[0].value if isinstance(node.values[0], ast.Constant) else ""
        return set(), [prefix]
    # a module constant (ACTION, anonymise.UPDATE_ACTION): its value
    value = eval(compile(ast.Expression(node), str(path), "eval"), vars(_module(path)))  # noqa: S307
    assert isinstance(value, str), (path, ast.unparse(node))
    return {value}, []


def written_actions() -> tuple[set[str], set[str], set[str]]:
    """(actions, f-string prefixes, object types) of every ``audit.record`` call in the package."""
    actions, prefixes, types = set(), set(), set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                found, dyn = _actions(node.args[0], path)
                actions |= found
                prefixes |= set(dyn)
                if isinstance(node.args[1], ast.Constant):
                    types.add(node.args[1].value)
    return actions, prefixes, types


def test_every_action_written_has_a_chinese_label():
    actions, prefixes, types = written_actions()
    assert len(actions) > 80  # the scan does find the calls
    assert prefixes <= set(DYNAMIC), f"add the values of {prefixes - set(DYNAMIC)} to DYNAMIC"
    for prefix in prefixes:
        actions |= {prefix + value for value in DYNAMIC[prefix]}
    missing = sorted(a for a in actions if a not in ACTION_LABELS)
    assert missing == []
    assert sorted(t for t in types if t not in OBJECT_LABELS) == []
    assert all("Webhook" not in label for label in ACTION_LABELS.values())


def test_field_codes_read_as_the_form_labels():
    assert field_label("enterprise.chain") == "所属产业链"
    assert field_label("enterprise.uscc") == "统一社会信用代码"
    assert field_label("figures.2025.revenue") == "2025年主营业务收入（万元）"
    assert field_label("figures.2025") == "2025年财务数据"
    assert field_label("no.such_field") == "其他项目"


def test_events_read_as_action_object_and_change(app):
    actors = f.Actors()
    application = f.application(pref="郑州市", name="郑州测试智能装备有限公司")
    f.advance(application, "format_checked", actors)
    audit.record("application.update", "application", application.id, actor=actors.coordinator,
                 after={"enterprise.chain": ["甲", "乙"], "enterprise.contact_name": ["张", "李"]})  # fmt: skip
    audit.record("panel.ensure", "program", application.program_id, actor_label="system")
    audit.record("made.up", "thing", 7, actor_label="system")
    db.session.commit()

    events = audit.events_for("application", application.id)
    rows = {r.event.action: r for r in describe(events, identities=True)}
    passed = rows["application.pass_format_check"]
    assert passed.action == "形式审查通过"
    assert passed.obj == "申报 · 郑州测试智能装备有限公司"
    assert passed.change == "地市已推荐 → 形式审查通过"
    assert rows["application.update"].change == "修改：所属产业链、联系人"
    hidden = describe(events, identities=False)
    assert {r.obj for r in hidden} == {f"申报 · {application.anon_code}"}

    client = app.test_client()
    login(client, actors.coordinator.username)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "形式审查通过" in page and "申报 · 郑州测试智能装备有限公司" in page
    assert "建立专家组" in page and f"培育批次 · {application.program.name}" in page
    assert "其他操作" in page and "其他对象 · #7" in page  # an unknown code is not shown raw
    assert 'title="application.pass_format_check"' in page  # the raw code only as a title
    assert ">application.pass_format_check<" not in page and ">panel.ensure<" not in page
