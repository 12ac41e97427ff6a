"""Issue 22 point 3. The prefecture officer sees why 推荐 is not possible, finds the blocking
problem beside its field on the edit form (the 近三年 figures in full), corrects it and endorses
from the application page, where 地市推荐 is the primary button. The coordinator's application
page waiting for the format check: the format report in the first screen, the expected next step
the one primary button, one labelled reason box per action, and an action that cannot be undone
asks first (取消: nothing changes; 确定: done)."""

import dataclasses

from sqlalchemy import func, select

from review_app.applications.action_display import CONFIRMS
from review_app.applications.models import Application
from review_app.audit.models import AuditEvent
from review_app.dossier.simulated import prepare_endorsement, record_checks
from review_app.enterprises.uscc import make_uscc
from review_app.extensions import db
from review_app.intake.service import import_docx, run_format_check
from review_app.programs.service import current_program
from review_app.workflow.machine import expected_next, spec_for
from review_app.workflow.service import fire
from review_app.workflow.states import FINAL_STATES, STATE_NAMES

from .. import factories as f
from ..conftest import AFTER_DEADLINE
from ..intake.conftest import docx_for, valid_sample
from .conftest import nav
from .test_pages_journey import SCREEN

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips these tests (fails under REQUIRE_BROWSER=1)
    expect = None


def corrects_and_endorses(j, page, name: str, app_id: int, uscc: str) -> str:
    """The officer signed in on ``page`` finds 推荐 disabled with its reason on 本地市申报 for the
    application ``name``, the USCC's problem beside its field on the edit form (the figures in
    full), types ``uscc`` and endorses with the primary 地市推荐."""
    nav(page, "本地市申报")
    row = page.locator("tr").filter(has_text=name)
    expect(row.get_by_role("button", name="推荐", exact=True)).to_be_disabled()
    expect(row.get_by_text("形式审查报告中有未解决的阻断问题")).to_be_visible()
    j.shot(page, "endorse-disabled")

    row.get_by_role("link", name="修改").click()
    uscc_box = page.get_by_label("统一社会信用代码")
    expect(uscc_box).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#problem-uscc")).to_contain_text("校验位不正确")
    figures_in_full(page)
    j.shot(page, "edit-problem-beside-field")

    uscc_box.fill(uscc)
    page.get_by_role("button", name="保存并重新检查").click()
    expect(page.get_by_role("alert").filter(has_text="0项阻断问题")).to_be_visible()
    endorse = page.get_by_role("button", name="地市推荐")
    expect(endorse).to_be_enabled()
    expect(endorse).to_have_class("primary")
    j.shot(page, "application-endorse-primary")
    endorse.click()
    expect(page.get_by_text("地市已推荐").first).to_be_visible()

    db.session.expire_all()
    return db.session.get(Application, app_id).state  # after 推荐


LONG_FIGURE = "123456789.12"  # 万元: a large group's total assets, to the 分


def figures_in_full(page) -> None:
    """Every 近三年 figure on the edit form shows its whole number, and so does a long one
    typed into the first; the same long number in a 48 px box would be cut (the measure works)."""
    figures = page.locator("input.figure")
    assert figures.count() >= 12  # four figures of three years
    cut = figures.evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth)"
        ".map(e => `${e.getAttribute('aria-label')}: ${e.value}`)"
    )
    assert not cut, cut
    first = figures.first
    typed = first.input_value()
    first.fill(LONG_FIGURE)
    fits, narrow = first.evaluate(
        """el => {
          const fits = el.scrollWidth <= el.clientWidth;
          const style = el.getAttribute("style");
          el.style.minWidth = "0"; el.style.width = "48px";
          const narrow = el.scrollWidth > el.clientWidth;
          if (style === null) el.removeAttribute("style"); else el.setAttribute("style", style);
          return [fits, narrow];
        }"""
    )
    assert fits, f"{LONG_FIGURE} does not fit its box"
    assert narrow, "a 48 px box would show it in full: the measure proves nothing"
    first.fill(typed)


def _trigger(form) -> str:
    return form.get_attribute("action").rsplit("/", 1)[-1]


def actions_are_clear(j, page, app_id: int, irreversible: str, reason: str) -> int:
    """The signed-in user's page of application ``app_id`` (at 1366×768): the format report and
    its first row in the first screen; the step the workflow expects next (expected_next) first
    and the one primary button when allowed, every other action secondary; each action that
    takes a reason has one reason box of its own, labelled with the action; every action that
    ends the application asks first. Then the action labelled ``irreversible``, with ``reason``:
    answered 取消, nothing is sent and the box keeps the reason; answered 确定, it is done."""
    page.goto(f"/applications/{app_id}")
    application = db.session.get(Application, app_id)
    state, expected = application.state, expected_next(application)
    height = page.viewport_size["height"]

    report = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="形式审查报告")
    )
    first_problem = report.locator("tbody tr").first
    expect(first_problem).to_be_visible()
    box = first_problem.bounding_box()
    assert report.bounding_box()["y"] < height and box["y"] + box["height"] <= height, box

    forms = page.locator("form.action").all()
    assert forms, "no action on the page"
    shown, boxes = [], 0
    for form in forms:
        trigger = _trigger(form)
        spec = spec_for(trigger, state)
        button = form.locator("button[type=submit]")
        enabled = button.is_enabled()
        shown.append((trigger, button.get_attribute("class"), enabled))
        if spec.needs_reason and enabled:  # its own box, named by the action
            expect(form.locator("textarea")).to_have_count(1)
            expect(form.get_by_label(f"{spec.label}的理由", exact=True)).to_have_count(1)
            boxes += 1
        else:
            expect(form.locator("textarea")).to_have_count(0)
        if not enabled:  # refused: the reason beside it, read with the button
            expect(form.locator(f"#why-{trigger}")).not_to_be_empty()
        asks = button.get_attribute("data-confirm")
        assert asks == CONFIRMS.get(trigger), (trigger, asks)
        assert spec.dest not in FINAL_STATES or asks, f"{trigger} ends the application unasked"
    assert page.locator("form.action textarea").count() == boxes  # no box shared or stray
    allowed = {t: enabled for t, _, enabled in shown}
    if expected in allowed:
        assert shown[0][0] == expected, shown
    primary = [expected] if allowed.get(expected) else []
    assert [t for t, cls, _ in shown if cls == "primary"] == primary, (expected, shown)
    assert all(cls == "secondary" for t, cls, _ in shown if t not in primary), shown
    j.shot(page, "application-actions")

    form = page.locator("form.action").filter(
        has=page.get_by_role("button", name=irreversible, exact=True)
    )
    trigger = _trigger(form)
    dest = spec_for(trigger, state).dest
    posts = []
    page.on("request", lambda r: r.method == "POST" and r.url.endswith(trigger) and posts.append(1))
    form.get_by_role("textbox").fill(reason)
    asked = len(j.asked)
    j.answer = False
    try:
        form.get_by_role("button", name=irreversible, exact=True).click()
    finally:
        j.answer = True
    assert j.asked[asked:] == [CONFIRMS[trigger]]
    expect(form.get_by_role("textbox")).to_have_value(reason)  # still the page, as typed
    db.session.expire_all()
    assert db.session.get(Application, app_id).state == state

    form.get_by_role("button", name=irreversible, exact=True).click()
    assert j.asked[asked:] == [CONFIRMS[trigger]] * 2
    flash = f"{application.enterprise.name}：{STATE_NAMES[dest]}。"
    expect(page.get_by_text(flash, exact=True)).to_be_visible()
    expect(page.get_by_text(f"最近一次理由：{reason}")).to_be_visible()
    j.shot(page, "application-after-confirm")
    db.session.expire_all()
    assert db.session.get(Application, app_id).state == dest
    assert posts == [1]  # 取消 sent nothing
    events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == f"application.{trigger}", AuditEvent.object_id == str(app_id),
        )
    )  # fmt: skip
    return events  # audit events of the confirmed action: 1 (the reason typed once)


def endorsed_application(officer, coordinator, parsed) -> Application:
    """``parsed`` taken in by ``officer`` through the intake, its dossier prepared and endorsed;
    the coordinator's checks recorded (all 通过): it waits for 形式审查通过."""
    application = import_docx(
        current_program(), officer.prefecture, docx_for(parsed), "申报书.docx", officer
    )
    prepare_endorsement(application, officer)
    fire(application, "endorse", officer)
    record_checks(application, coordinator)
    return application


def unscored(parsed):
    """``parsed`` without its 成熟度评估分数: the format report's 提醒, not a blocking problem."""
    return dataclasses.replace(parsed, maturity_score=None)


def blocked_application(officer, parsed) -> Application:
    """``parsed`` taken in by ``officer`` through the intake, its 审核意见 written, then its
    USCC's check digit made wrong and the format check run again (one blocking problem)."""
    application = import_docx(
        current_program(), officer.prefecture, docx_for(parsed), "申报书.docx", officer
    )
    f.write_opinion(application)
    uscc = application.enterprise.uscc
    application.enterprise.uscc = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    run_format_check(application, officer)
    return application


def test_prefecture_corrects_a_blocking_problem_then_endorses(journey):
    officer = f.user("prefecture", "ly-actions", prefecture="洛阳市", display_name="洛阳市工信局")
    application = blocked_application(officer, valid_sample(n=42, name="洛阳操作清晰测试有限公司"))
    db.session.commit()

    j = journey("prefecture-actions")
    state = corrects_and_endorses(j, j.login("ly-actions"), "洛阳操作清晰测试有限公司", application.id,
                                  make_uscc("410300", "MA000042"))  # fmt: skip
    assert state == "prefecture_endorsed"


def test_the_coordinators_actions_are_clear_and_ask_before_ending(journey, app):
    officer = f.user("prefecture", "ly-endorsed", prefecture="洛阳市", display_name="洛阳市工信局")
    coordinator = f.user("coordinator", "coord-actions")
    parsed = unscored(valid_sample(n=43, name="洛阳待形式审查测试有限公司", pref="洛阳市"))
    application = endorsed_application(officer, coordinator, parsed)
    db.session.commit()
    assert [p["severity"] for p in application.format_report] == ["warning"]

    app.config["FROZEN_NOW"] = AFTER_DEADLINE
    j = journey("coordinator-actions")
    page = j.login("coord-actions", **SCREEN)
    assert (
        actions_are_clear(
            j, page, application.id, "形式审查不通过", "申报书缺少盖章页，材料不完整。"
        )
        == 1
    )
