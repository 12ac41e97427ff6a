"""The coordinator's journey after the decision, in a real browser (issue 19): 审定 → 公示 → an
objection filed on the public 公示 page without login → 受理, 核查 by an inspector, 成立 →
递补 of the next eligible application → its own 审定 and 公示 → time past the periods (working
days) → 正式发文 with a typed 发文字号 → letters released → the prefecture downloads its letter.
Each step is done through the pages and checked on the page and in the database."""

import io
import re
from dataclasses import replace

import docx
from sqlalchemy import func, select

from review_app.applications.models import Application
from review_app.decision import service as decision
from review_app.decision.models import ResultNotice
from review_app.extensions import db
from review_app.outbox.models import OutboxMessage
from review_app.programs.service import current_program
from review_app.publicity.models import Approval, FinalIssue, Objection, PublicityPeriod

from .. import factories as f
from ..conftest import AFTER_DEADLINE
from ..publicity.helpers import PDF, after
from .conftest import nav

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips these tests (fails under REQUIRE_BROWSER=1)
    expect = None

FRACTIONS = (0.9, 0.85, 0.8, 0.75)
PREFECTURES = ("郑州市", "洛阳市", "郑州市", "洛阳市")
DOC_NUMBER = "豫工信装〔2026〕21号"


def _confirmed_decision(app):
    """Four scored applications; the excellent track's decision confirmed with 2 places."""
    actors = f.Actors()
    experts, apps = None, []
    for i, (fraction, pref) in enumerate(zip(FRACTIONS, PREFECTURES, strict=True)):
        a = f.application(pref=pref, name=f"公示旅程测试{i + 1}智能装备有限公司")
        experts = f.scored(a, actors, fraction, experts)
        apps.append(a)
    app.config["FROZEN_NOW"] = AFTER_DEADLINE  # 2026-04-02 10:00 Beijing, a Thursday
    program = current_program()
    params = replace(decision.default_params(program, "excellent"), capacity=2)
    decision.confirm(decision.stage(program, "excellent", params, actors.coordinator),
                     actors.coordinator)  # fmt: skip
    f.user("coordinator", "gs-coord", display_name="省厅协调员")
    checker = f.user("inspector", "gs-checker", prefecture="开封市", display_name="开封核查员")
    officer = actors.officer("郑州市").username
    db.session.commit()
    return apps, checker.id, officer


def _states(ids) -> list[str]:
    db.session.expire_all()
    return [db.session.get(Application, i).state for i in ids]


def _approve(j, page, attendees: str, minutes: str, step: str) -> None:
    """Fill and send the 审定 form of the track page."""
    form = page.locator("#approval-form")
    form.get_by_label("会议类型").select_option(label="厅长办公会")
    form.get_by_label("会议日期").fill("2026-04-01")
    form.get_by_label("参会人员").fill(attendees)
    form.get_by_label("会议纪要").set_input_files(
        {"name": minutes, "mimeType": "application/pdf", "buffer": PDF}
    )
    j.shot(page, step)
    form.get_by_role("button", name="记录审定").click()
    expect(page.get_by_role("alert").filter(has_text="已记录审定，可以开始公示。")).to_be_visible()


def _publish(page, contact: str, period: str) -> None:
    """Send the 公示 form (the start date is today, prefilled); the page names the period."""
    form = page.locator("#publish-form")
    expect(form.get_by_label("公示开始日期")).to_have_value("2026-04-02")
    expect(form).to_contain_text("结束日期按 5 个工作日计算")
    form.get_by_label("异议受理联系方式").fill(contact)
    form.get_by_role("button", name="开始公示").click()
    expect(page.get_by_role("alert").filter(has_text=f"已开始公示：{period}。")).to_be_visible()


def test_publicity_objection_backfill_issue_and_letters(journey, app, tmp_path):
    apps, checker_id, officer = _confirmed_decision(app)
    names = [a.enterprise.name for a in apps]
    ids = [a.id for a in apps]
    assert _states(ids) == ["proposed"] * 2 + ["not_selected"] * 2

    # ----------------------------------------------------------------- 审定 and 公示
    j = journey("publicity")
    page = j.login("gs-coord")
    nav(page, "审定公示")
    expect(page.get_by_role("heading", name="卓越级智能工厂培育：审定、公示与递补")).to_be_visible()
    approval = page.locator("#approval")
    expect(approval).to_contain_text("待审定、待公示的拟入库申报 2 家。")
    waiting = approval.locator("details.name-list")  # the names folded: the form stays near
    waiting.get_by_text("查看名单（2 家）").click()
    expect(waiting.get_by_role("listitem")).to_have_text([f"{names[0]}（郑州市）",
                                                          f"{names[1]}（洛阳市）"])  # fmt: skip
    expect(page.locator("#publish-form")).to_have_count(0)  # 审定 first
    expect(page.locator("#publicity")).to_contain_text("尚未公示。")
    _approve(j, page, "厅长、分管副厅长、装备工业处", "厅长办公会纪要.pdf", "approval-form")
    expect(approval.locator("tbody tr")).to_have_count(1)
    expect(approval.locator("tbody tr")).to_contain_text("厅长办公会")
    expect(approval.get_by_role("link", name="厅长办公会纪要.pdf")).to_be_visible()
    db.session.expire_all()
    first_approval = db.session.execute(select(Approval)).scalar_one()
    assert first_approval.meeting_kind == "director_office"
    assert str(first_approval.meeting_date) == "2026-04-01"
    assert first_approval.minutes_filename == "厅长办公会纪要.pdf"

    # 04-02 (Thu), 04-03 (Fri), 清明 04-04..06 off, 04-07, 04-08, 04-09: 5 working days
    _publish(page, "装备工业处 0371-65509873", "2026-04-02 至 2026-04-09")
    periods = page.locator("#publicity tbody tr")
    expect(periods).to_have_count(1)
    expect(periods.first).to_contain_text("拟入库名单公示")
    expect(periods.first).to_contain_text("2026-04-02 至 2026-04-09")
    expect(periods.first).to_contain_text("公示中")
    expect(periods.first).to_contain_text("4月6日（周一）清明节")  # why the end date
    j.shot(page, "published")
    with page.expect_download() as caught:  # the 公示 text for the 厅's website
        periods.first.get_by_role("link", name="公示文本.docx").click()
    text = "\n".join(p.text for p in docx.Document(caught.value.path()).paragraphs)
    assert "关于2026年卓越级智能工厂培育拟入库企业名单的公示" in text
    assert "2026年4月2日至2026年4月9日（5个工作日）" in text
    period = db.session.execute(select(PublicityPeriod)).scalar_one()
    assert (str(period.start_on), str(period.end_on), period.working_days) == (
        "2026-04-02", "2026-04-09", 5,
    )  # fmt: skip
    assert _states(ids) == ["in_publicity"] * 2 + ["not_selected"] * 2

    # ---------------------------------------------- the public page, no login: an objection
    public = j.new_page()
    public.goto("/gongshi/")
    expect(public.get_by_role("button", name="退出")).to_have_count(0)  # not signed in
    public.get_by_role("link", name=re.compile("拟入库名单公示")).click()
    title = "关于2026年卓越级智能工厂培育拟入库企业名单的公示"
    expect(public.get_by_role("heading", level=1)).to_have_text(title)
    listed = public.locator("table.data tbody tr")
    expect(listed).to_have_count(2)
    expect(listed.nth(0)).to_contain_text(names[0])
    expect(listed.nth(0)).to_contain_text("郑州市")
    expect(public.locator("main")).not_to_contain_text(names[2])  # not on the list
    expect(public.locator("main")).not_to_contain_text("得分")  # no score, no rank
    expect(public.locator("main")).to_contain_text("2026-04-02 至 2026-04-09（5 个工作日）")
    expect(public.locator("#how-to-object")).to_contain_text("装备工业处 0371-65509873")
    form = public.locator("#objection-form")
    form.get_by_label("异议对象").select_option(label=names[0])
    form.get_by_label("姓名（必填）").fill("李四")
    form.get_by_label("工作单位（必填）").fill("郑州市某装备制造协会")
    form.get_by_label("联系电话（必填）").fill("13900000000")
    form.get_by_label("电子邮箱").fill("lisi@example.com")
    evidence = {"name": "现场照片说明.pdf", "mimeType": "application/pdf", "buffer": PDF}
    form.get_by_label("证明材料").set_input_files(evidence)
    # sent with blank content (spaces pass the browser's check): the page comes back with what
    # was typed and the error beside the box
    content = form.get_by_label("异议内容和理由")
    content.fill("   ")
    form.get_by_role("button", name="提交异议").click()
    expect(content).to_have_attribute("aria-invalid", "true")
    expect(content).to_have_accessible_description("请填写异议内容和理由。")
    expect(form.get_by_label("姓名（必填）")).to_have_value("李四")
    expect(form.get_by_label("异议对象")).to_have_value(str(ids[0]))
    expect(public.get_by_role("alert").filter(has_text="须重新选择")).to_be_visible()
    # the refusal is answered 400 (the browser logs that status): expected here, nothing else
    refused = (
        f"/gongshi/{period.id}: console.error Failed to load resource: "
        "the server responded with a status of 400"
    )
    assert sum(refused in e for e in j.errors) == 1
    j.errors[:] = [e for e in j.errors if refused not in e]
    j.shot(public, "public-objection-refused")
    assert db.session.scalar(select(func.count(Objection.id))) == 0
    content.fill("该企业申报的数控化率数据与实际不符，车间仍以手工为主。")
    form.get_by_label("证明材料").set_input_files(evidence)
    j.shot(public, "public-objection-form")
    form.get_by_role("button", name="提交异议").click()
    expect(public.get_by_role("alert").filter(has_text="您的异议已收到")).to_be_visible()
    j.shot(public, "public-objection-filed")
    db.session.expire_all()
    objection = db.session.execute(select(Objection)).scalar_one()
    assert (objection.status, objection.channel, objection.application_id) == (
        "received", "web", ids[0],
    )  # fmt: skip
    assert (objection.objector_name, objection.objector_unit, objection.objector_phone) == (
        "李四", "郑州市某装备制造协会", "13900000000",
    )  # fmt: skip
    assert [file.filename for file in objection.files] == ["现场照片说明.pdf"]
    objection_id = objection.id

    # ------------------------------------------------- 受理, 指派核查 (an inspector), findings
    nav(page, "工作台")
    stage = page.locator("#after-decision")
    expect(stage).to_contain_text("卓越级智能工厂培育拟入库名单公示：至 2026-04-09")
    expect(stage.get_by_role("link", name="1 件")).to_be_visible()  # open objections
    nav(page, "异议")
    row = page.locator("tbody tr").filter(has_text=f"第{objection_id}号")
    expect(row).to_contain_text("李四")
    expect(row).to_contain_text("待受理")
    row.get_by_role("link", name=f"第{objection_id}号").click()
    expect(page.locator("h1")).to_contain_text("待受理")
    expect(page.locator("main")).to_contain_text("公示页面在线提交")
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="已受理。")).to_be_visible()
    page.get_by_label("核查人").select_option(value=str(checker_id))
    page.get_by_role("button", name="指派").click()
    expect(page.get_by_role("alert").filter(has_text="已指派核查人。")).to_be_visible()
    expect(page.locator("main")).to_contain_text("开封核查员")
    expect(page.get_by_role("button", name="异议成立")).to_have_count(0)  # no findings yet
    j.shot(page, "objection-assigned")
    db.session.expire_all()
    assert db.session.get(Objection, objection_id).status == "checking"
    assert db.session.get(Objection, objection_id).checker_id == checker_id

    inspector = j.login("gs-checker")
    nav(inspector, "异议")
    inspector.get_by_role("link", name=f"第{objection_id}号").click()
    with inspector.expect_download() as caught:  # the objector's file, for the assigned checker
        inspector.get_by_role("link", name="现场照片说明.pdf").click()
    assert caught.value.path().read_bytes() == PDF
    inspector.get_by_label("核查情况").fill(
        "经现场核查，该企业数控化率实际为42%，申报为78%，数据虚报。"
    )
    inspector.get_by_label("核查材料").set_input_files(
        {"name": "核查记录.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    inspector.get_by_role("button", name="记录核查情况").click()
    expect(inspector.get_by_role("alert").filter(has_text="已记录核查情况。")).to_be_visible()
    expect(inspector.get_by_role("button", name="异议成立")).to_have_count(0)  # not theirs
    j.shot(inspector, "objection-findings")

    # ------------------------------------------------------------- 成立: the proposal revoked
    page.reload()
    expect(page.locator("main")).to_contain_text("数据虚报")
    expect(page.get_by_role("link", name="核查记录.pdf")).to_be_visible()
    page.get_by_label("结论理由").fill("核查属实，异议成立，撤销其拟入库。")
    page.get_by_role("button", name="异议成立").click()
    expect(
        page.get_by_role("alert").filter(has_text="异议成立，已撤销该企业的拟入库。")
    ).to_be_visible()
    expect(page.locator("h1")).to_contain_text("成立")
    j.shot(page, "objection-upheld")
    db.session.expire_all()
    assert db.session.get(Objection, objection_id).status == "upheld"
    answer = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.kind == "objection_reply")
    ).scalar_one()  # the objector's reply, held in the outbox for release
    assert answer.to_address == "lisi@example.com" and "异议成立" in answer.body
    assert _states(ids) == ["revoked", "in_publicity", "not_selected", "not_selected"]

    # ---------------------------------------------------- 递补: the next eligible, and why
    nav(page, "审定公示")
    backfill = page.locator("#backfill")
    expect(backfill.locator("tr").filter(has_text=names[0])).to_contain_text("已撤销")
    expect(backfill).to_contain_text(f"下一家可递补：{names[2]}（郑州市）")
    expect(backfill).to_contain_text("确认的排名中第3位")
    j.shot(page, "backfill-offered")
    backfill.get_by_label("递补说明").fill("第1名异议成立被撤销，按排名由第3名递补。")
    backfill.get_by_role("button", name="递补").click()
    expect(
        page.get_by_role("alert").filter(has_text=f"{names[2]}已递补为拟入库，请审定后公示。")
    ).to_be_visible()
    assert _states(ids) == ["revoked", "in_publicity", "proposed", "not_selected"]

    # its own 审定 and 公示
    expect(page.locator("#approval")).to_contain_text("待审定、待公示的拟入库申报 1 家。")
    expect(page.locator("#approval details.name-list li")).to_have_text([f"{names[2]}（郑州市）"])
    _approve(j, page, "厅长、分管副厅长", "递补审定纪要.pdf", "backfill-approval")
    _publish(page, "装备工业处 0371-65509873", "2026-04-02 至 2026-04-09")
    expect(periods).to_have_count(2)
    expect(periods.filter(has_text="递补公示")).to_contain_text("1 家")
    expect(periods.filter(has_text="递补公示")).to_contain_text("2026-04-02 至 2026-04-09")
    j.shot(page, "backfill-published")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Approval.id))) == 2
    second = db.session.execute(
        select(PublicityPeriod).where(PublicityPeriod.kind == "backfill")
    ).scalar_one()
    assert [listing.application_id for listing in second.listings] == [ids[2]]
    assert _states(ids) == ["revoked", "in_publicity", "in_publicity", "not_selected"]

    # ------------------------------------------------ 正式发文: refused while periods run
    page.locator("nav.state-tabs").get_by_role("link", name="正式发文").click()
    expect(page.locator("main")).to_contain_text("暂不能正式发文")
    page.get_by_label("发文字号").fill(DOC_NUMBER)
    page.get_by_role("button", name="正式发文").click()
    expect(page.get_by_role("alert").filter(has_text="尚未结束")).to_be_visible()
    expect(page.get_by_label("发文字号")).to_have_value(DOC_NUMBER)  # kept when refused
    # answered 400 (the browser logs that status): expected here, nothing else
    refused = (
        "/publicity/issue: console.error Failed to load resource: "
        "the server responded with a status of 400"
    )
    assert sum(refused in e for e in j.errors) == 1
    j.errors[:] = [e for e in j.errors if refused not in e]
    j.shot(page, "issue-refused")
    assert db.session.scalar(select(func.count(FinalIssue.id))) == 0

    # the day after the last period (the server thread reads FROZEN_NOW): a new sign-in, since
    # the old session timed out meanwhile
    app.config["FROZEN_NOW"] = after(second)
    public.reload()
    expect(public.locator("#how-to-object")).to_contain_text("公示期已结束，不再受理异议。")
    page = j.login("gs-coord")
    nav(page, "审定公示")
    expect(page.locator("#publicity tbody tr").filter(has_text="已结束")).to_have_count(2)
    page.locator("nav.state-tabs").get_by_role("link", name="正式发文").click()
    expect(page.locator("main")).to_contain_text("所有公示期已结束、异议已办结，可以正式发文。")
    page.get_by_label("发文字号").fill(DOC_NUMBER)
    j.shot(page, "issue-form")
    page.get_by_role("button", name="正式发文").click()
    expect(
        page.get_by_role("alert").filter(has_text="已正式发文，结果通知草稿已生成")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"正式发文：{DOC_NUMBER}")
    j.shot(page, "issued")
    db.session.expire_all()
    record = db.session.execute(select(FinalIssue)).scalar_one()
    assert record.doc_number == DOC_NUMBER
    # the revoked proposal becomes final as not admitted, like the ones never selected
    assert _states(ids) == ["rejected", "admitted", "admitted", "rejected"]

    with page.expect_download() as caught:
        page.get_by_role("link", name="下载入库名单通知（.docx）").click()
    notice = docx.Document(io.BytesIO(caught.value.path().read_bytes()))
    text = "\n".join(p.text for p in notice.paragraphs)
    assert "河南省工业和信息化厅文件" in text and DOC_NUMBER in text
    listed_names = {c.text for t in notice.tables for row in t.rows for c in row.cells}
    assert {names[1], names[2]} <= listed_names and names[0] not in listed_names

    # ------------------------------------------------------------------ letters released
    page.get_by_role("link", name="结果通知").first.click()
    expect(page.get_by_text("草稿（待核对）")).to_have_count(2)
    page.get_by_role("button", name="发出全部草稿").click()
    expect(page.get_by_role("alert")).to_have_text("已发出 2 份结果通知。")
    expect(page.locator("tbody tr").filter(has_text="已发出")).to_have_count(2)
    j.shot(page, "letters-released")

    # --------------------------------------------------- the prefecture downloads its letter
    prefecture = j.login(officer)
    nav(prefecture, "结果通知")
    rows = prefecture.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("郑州市")
    j.shot(prefecture, "prefecture-letter")
    with prefecture.expect_download() as caught:
        rows.first.get_by_role("link", name=re.compile(r"\.docx$")).click()
    letter_file = tmp_path / "letter.docx"
    caught.value.save_as(letter_file)
    letter = docx.Document(str(letter_file))
    letter_text = "\n".join(p.text for p in letter.paragraphs)
    assert "郑州市工业和信息化主管部门：" in letter_text and "推荐2家、入库1家" in letter_text
    results = {row.cells[1].text: row.cells for t in letter.tables for row in t.rows[1:]}
    assert set(results) == {names[0], names[2]}  # 郑州市's only
    assert results[names[0]][2].text == "未入库"
    # the revocation, with its reason
    assert f"第{objection_id}号异议经核查成立" in results[names[0]][4].text
    assert results[names[2]][2].text == "入库"
    assert "递补拟入库：确认的排名中第3位" in results[names[2]][4].text
    db.session.expire_all()
    zz = (
        db.session.execute(select(ResultNotice).where(ResultNotice.status == "released"))
        .scalars()
        .all()
    )
    assert len(zz) == 2
    assert letter_file.read_bytes() in {n.data for n in zz}
