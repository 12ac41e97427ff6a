"""One journey per role in a real browser: each test builds its state with the factories, then
does the role's main job only through the pages (links, buttons and labels by their visible
Chinese text), and checks what the page shows and what the database holds."""

import re
import struct
import zlib

import docx
import openpyxl
from sqlalchemy import func, select

from review_app.applications.catalogue import GROUP_NAMES, required_sections, scored_sections
from review_app.applications.models import Application
from review_app.assignment import service as assignment_service
from review_app.assignment.models import Assignment
from review_app.auth.models import User
from review_app.decision.models import ResultNotice
from review_app.enterprises.models import Enterprise
from review_app.extensions import db
from review_app.inspection import service as inspection_service
from review_app.inspection.models import EvidenceFile, Inspection
from review_app.programs.service import current_program
from review_app.scoring.models import Review
from review_app.scoring.service import rubric_for
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import AFTER_DEADLINE, BEFORE_DEADLINE
from ..dossier.pdfs import blank_pdf
from ..intake.conftest import docx_for, valid_sample
from ..publicity.helpers import finalise
from .conftest import nav

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips these tests (fails under REQUIRE_BROWSER=1)
    expect = None


def tiny_png() -> bytes:
    """A valid 2×2 PNG (a photo stand-in for the evidence upload)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )  # fmt: skip

    raw = b"".join(b"\x00" + b"\x30\x80\xc0" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def fresh(model, ident):
    """The row as the database holds it now (after the browser wrote it)."""
    db.session.expire_all()
    return db.session.get(model, ident)


# ------------------------------------------------------------------------ prefecture officer


def test_prefecture_officer_uploads_and_endorses(journey, tmp_path):
    f.user("prefecture", "ly-officer", prefecture="洛阳市", display_name="洛阳市工信局")
    db.session.commit()
    parsed = valid_sample(n=41, name="洛阳浏览器测试智能装备有限公司")
    upload = tmp_path / "申报书-洛阳浏览器测试.docx"
    upload.write_bytes(docx_for(parsed))

    j = journey("prefecture")
    page = j.login("ly-officer")
    nav(page, "本地市申报")
    expect(page.get_by_role("heading", name="洛阳市 · 本地市申报")).to_be_visible()
    expect(page.get_by_text("暂无卓越级智能工厂培育申报。")).to_be_visible()
    j.shot(page, "intake-empty")

    page.get_by_role("link", name="上传申报书").click()
    page.get_by_label("申报书（.docx，可多选）").set_input_files(upload)
    j.shot(page, "upload-form")
    page.get_by_role("button", name="上传并解析").click()
    expect(page.get_by_role("heading", name="任务进度")).to_be_visible()
    expect(page.get_by_text("共1份，受理1份，失败0份。")).to_be_visible()
    row = page.locator("table.data tbody tr").filter(has_text=upload.name)
    expect(row.get_by_text("已受理", exact=True)).to_be_visible()
    expect(row.get_by_role("link", name="已受理：洛阳浏览器测试智能装备有限公司")).to_be_visible()
    j.shot(page, "job-result")

    nav(page, "本地市申报")
    row = page.locator("tr").filter(has_text="洛阳浏览器测试智能装备有限公司")
    expect(row.get_by_text("已提交", exact=True)).to_be_visible()
    expect(row.get_by_text("无问题")).to_be_visible()
    j.shot(page, "before-endorse")

    # 推荐材料: the stamped 推荐函 and the 地市审核意见 this application needs to be endorsed
    letter = tmp_path / "洛阳市推荐函.pdf"
    letter.write_bytes(blank_pdf())
    nav(page, "推荐材料")
    page.get_by_label("盖章PDF").set_input_files(letter)
    page.get_by_role("button", name="上传推荐函").click()
    expect(page.get_by_role("alert").filter(has_text="推荐函已上传。")).to_be_visible()
    expect(page.get_by_role("link", name="洛阳市推荐函.pdf")).to_be_visible()
    row = page.locator("tr").filter(has_text="洛阳浏览器测试智能装备有限公司")
    expect(row.get_by_text("未填写（推荐前必须填写）")).to_be_visible()
    row.get_by_role("link", name="填写/修改").click()
    page.get_by_label("地市审核意见").fill("经审核，申报材料真实完整，同意推荐。")
    page.get_by_role("button", name="保存审核意见").click()
    expect(page.get_by_role("alert").filter(has_text="审核意见已保存。")).to_be_visible()
    j.shot(page, "dossier-ready")

    nav(page, "本地市申报")
    row = page.locator("tr").filter(has_text="洛阳浏览器测试智能装备有限公司")
    row.get_by_role("button", name="推荐", exact=True).click()

    # back on 本地市申报 (to endorse the next one), with what happened said at the top
    expect(
        page.get_by_role("alert").filter(has_text="洛阳浏览器测试智能装备有限公司：地市已推荐。")
    ).to_be_visible()
    row = page.locator("tr").filter(has_text="洛阳浏览器测试智能装备有限公司")
    expect(row.get_by_text("地市已推荐", exact=True)).to_be_visible()
    j.shot(page, "endorsed")
    expect(page.get_by_text(re.compile(r"已推荐 1 / 名额 \d+ 家")).first).to_be_visible()
    j.shot(page, "quota-used")

    db.session.expire_all()
    application = db.session.execute(
        select(Application).join(Enterprise).where(Enterprise.uscc == parsed.enterprise.uscc)
    ).scalar_one()
    assert application.state == "prefecture_endorsed"
    assert application.enterprise.name == "洛阳浏览器测试智能装备有限公司"
    assert application.prefecture.name == "洛阳市" and application.track_code == "excellent"
    assert [file.filename for file in application.files] == [upload.name]
    assert not any(p["severity"] == "blocking" for p in application.format_report)


# ------------------------------------------------------------ coordinator: intake to experts


def _panels_with_experts(coordinator, general: int = 20, per_link: int = 4):
    """The excellent track's panels, each with enough experts for one application."""
    panels = {
        p.section_group: p
        for p in assignment_service.ensure_panels(current_program(), coordinator)
        if p.track_code == "excellent"
    }
    for group in GROUP_NAMES:
        members = []
        for _ in range(general if group == "general" else per_link):
            expert = f.expert(capacity=10)
            expert.specialties = [group]
            members.append(expert.id)
        assignment_service.set_members(panels[group], members, coordinator)


def test_coordinator_checks_anonymises_and_assigns(journey):
    actors = f.Actors()
    name = "郑州浏览器分配测试机械有限公司"
    sections = {
        s.key: f"{name}在{s.title}方面的建设情况说明，投资1,200万元。"
        for s in required_sections("excellent")
    }
    application = f.application(name=name, sections=sections, anonymised=False)
    fire(application, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    coordinator = f.user("coordinator", "coord-a", display_name="省厅协调员")
    _panels_with_experts(coordinator)
    db.session.commit()
    app_id, code = application.id, application.anon_code

    j = journey("coordinator-assign")
    page = j.login("coord-a")
    nav(page, "形式审查")
    expect(page.get_by_role("heading", name=re.compile("形式审查"))).to_contain_text("待审 1 项")
    j.shot(page, "format-queue")
    page.get_by_role("link", name=name).click()
    expect(page.locator("h1 .state")).to_have_text("地市已推荐")
    j.shot(page, "application")
    page.get_by_role("button", name="形式审查通过").click()
    expect(page.get_by_role("alert").filter(has_text="：形式审查通过。")).to_be_visible()
    expect(page.locator("h1 .state")).to_have_text("形式审查通过")
    j.shot(page, "format-passed")

    nav(page, "匿名化")
    row = page.locator("tr").filter(has_text=name)
    expect(row.get_by_text("未处理")).to_be_visible()
    row.get_by_role("link", name=name).click()
    page.get_by_role("button", name="运行匿名化与泄露扫描").click()
    expect(page.get_by_role("alert")).to_contain_text("匿名化已完成，未发现泄露")
    redacted = page.locator(".side-by-side > div").filter(has_text="匿名化文本").first
    expect(redacted).to_contain_text("【企业】")
    expect(redacted).not_to_contain_text(name)
    j.shot(page, "anonymised")
    page.get_by_role("button", name="确认，可分发给专家").click()
    expect(page.get_by_role("alert")).to_contain_text("已确认匿名化文本，可分发给专家。")
    expect(page.get_by_text("已确认，专家可以看到这些文本。")).to_be_visible()
    j.shot(page, "anonymisation-confirmed")

    nav(page, "专家分配")
    expect(page.get_by_text("可分配 1 项")).to_be_visible()
    page.get_by_role("button", name="预览分配方案").click()
    needed = 3 * len(scored_sections("excellent"))
    expect(page.get_by_role("heading", name=re.compile(f"预览：{needed} 个任务"))).to_be_visible()
    expect(page.locator("table.data tbody tr")).to_have_count(needed)
    j.shot(page, "preview")
    page.get_by_label("评分截止日期").fill("2026-04-20")
    page.get_by_role("button", name="确认分配（一次性写入）").click()
    # the result comes as a message on the page (or on the job's progress page)
    expect(page.get_by_text(f"已分配{needed}个评审任务").first).to_be_visible()
    j.shot(page, "committed")
    nav(page, "专家分配")
    expect(page.get_by_text("可分配 0 项")).to_be_visible()

    nav(page, "申报列表")
    page.get_by_role("link", name=name).click()
    expect(page.locator("h1 .state")).to_have_text("已分配专家")
    j.shot(page, "assigned")

    application = fresh(Application, app_id)
    assert application.state == "expert_assigned" and application.anon_code == code
    assert all(s.leak_status == "confirmed" for s in application.sections)
    assert all(name not in (s.anonymised_text or "") for s in application.sections)
    rows = db.session.execute(
        select(Assignment).where(Assignment.application_id == app_id)
    ).scalars().all()  # fmt: skip
    assert len(rows) == needed and len({a.expert_id for a in rows}) == needed
    assert {str(a.due_date) for a in rows} == {"2026-04-20"}


# -------------------------------------------------------------------------------- expert


def test_expert_scores_a_section(journey, app):
    actors = f.Actors()
    application = f.application(name="专家评分浏览器测试有限公司")
    f.advance(application, "format_checked", actors)
    experts = f.staff(application)
    fire(application, "assign", actors.coordinator, now=AFTER_DEADLINE)
    app.config["FROZEN_NOW"] = AFTER_DEADLINE
    expert = experts[-1]
    assignment = db.session.execute(
        select(Assignment).where(Assignment.expert_id == expert.id)
    ).scalar_one()
    section_rubric = rubric_for("excellent").section(assignment.section.key)
    section_title, code = assignment.section.title, application.anon_code
    username, assignment_id = expert.user.username, assignment.id
    db.session.commit()

    criteria = section_rubric.criteria
    points = [round(c.max * 0.8, 1) for c in criteria]

    def shown(values, maxima):
        return f"{sum(values) * section_rubric.max / sum(maxima):.1f}"

    j = journey("expert")
    page = j.login(username)
    nav(page, "我的评审任务")
    expect(page.get_by_text("已提交 0 / 1")).to_be_visible()
    expect(page.get_by_text("专家评分浏览器测试有限公司")).to_have_count(0)  # anonymous
    j.shot(page, "assignments")
    page.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", name=f"{code} · {section_title}")).to_be_visible()
    j.shot(page, "section")
    page.get_by_role("link", name="打分", exact=True).click()

    total = page.locator("#running-total")
    expect(total).to_have_text("0.0（未填完）")
    # the running total is read out as it changes: inside a polite live region
    expect(page.locator('[aria-live="polite"] #running-total')).to_have_count(1)
    for criterion, value in zip(criteria[:-1], points[:-1], strict=True):
        page.get_by_label(f"{criterion.code} {criterion.title}").fill(str(value))
    expect(total).to_have_text(
        f"{sum(points[:-1]) * section_rubric.max / sum(c.max for c in criteria):.1f}（未填完）"
    )
    last = criteria[-1]
    page.get_by_label(f"{last.code} {last.title}").fill(str(points[-1]))
    expect(total).to_have_text(shown(points, [c.max for c in criteria]))
    # 不适用 leaves the criterion out and rescales the rest to the section maximum
    na = page.locator(".criterion-row").filter(has_text=last.title).get_by_label("不适用")
    na.check()
    expect(total).to_have_text(shown(points[:-1], [c.max for c in criteria[:-1]]))
    j.shot(page, "not-applicable")
    na.uncheck()
    expect(total).to_have_text(shown(points, [c.max for c in criteria]))
    page.get_by_label("评审意见（必填）").fill(
        "数据贯通方案完整，指标有前后对比，建议补充投资回报测算。"
    )
    j.shot(page, "filled")
    page.get_by_role("button", name="提交（提交后不能修改）").click()

    expect(page.get_by_role("alert").filter(has_text="评分已提交并锁定。")).to_be_visible()
    expect(page.get_by_text("已提交 1 / 1")).to_be_visible()
    j.shot(page, "submitted")
    page.get_by_role("link", name=code).click()
    page.get_by_role("link", name="查看评分").click()
    expect(page.get_by_text("已提交（已锁定）")).to_be_visible()
    expect(page.get_by_label(f"{last.code} {last.title}")).to_be_disabled()
    expect(page.get_by_role("button", name="提交（提交后不能修改）")).to_have_count(0)
    expect(total).to_have_text(shown(points, [c.max for c in criteria]))
    j.shot(page, "locked")

    db.session.expire_all()
    review = db.session.execute(
        select(Review).where(Review.assignment_id == assignment_id)
    ).scalar_one()
    assert review.status == "submitted" and review.assignment.status == "submitted"
    assert float(review.total) == float(shown(points, [c.max for c in criteria]))
    assert "投资回报" in review.comment
    assert {s.criterion_code: float(s.points) for s in review.scores} == {
        c.code: v for c, v in zip(criteria, points, strict=True)
    }


# ----------------------------------------------------------------------------- inspector


def test_inspector_records_findings_on_a_phone(journey, app):
    actors = f.Actors()
    name = "郑州实地核查浏览器测试有限公司"
    application = f.application(name=name, pref="郑州市")
    f.scored(application, actors, 0.8)
    app.config["FROZEN_NOW"] = AFTER_DEADLINE
    inspection = inspection_service.add_manual(application, "现场核对数控化率", actors.coordinator)
    inspector = f.user("inspector", "insp-ly", prefecture="洛阳市", display_name="洛阳核查员")
    inspection_service.set_inspectors(inspection, [inspector.id], actors.coordinator)
    db.session.commit()
    inspection_id, app_id = inspection.id, application.id
    codes = [i.code for i in inspection.items]
    png = tiny_png()

    j = journey("inspector")
    page = j.login(
        "insp-ly", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    nav(page, "实地抽查")
    expect(page.get_by_role("heading", name="我的实地核查任务")).to_be_visible()
    expect(page.get_by_text(f"已填 0/{len(codes)} 项")).to_be_visible()
    j.shot(page, "tasks")
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile("：现场核对数控化率$"))).to_be_visible()
    # the checklist fits the phone's width (no sideways scrolling inside the content)
    assert page.evaluate("document.querySelector('main').scrollWidth") <= 390
    j.shot(page, "inspection")

    for code in codes:
        item = page.locator(f"#item-{code}")
        item.get_by_label("属实", exact=True).check()
        if code == "equipment":
            item.get_by_label(re.compile("证明材料")).set_input_files(
                {"name": "车间照片.png", "mimeType": "image/png", "buffer": png}
            )
        item.get_by_role("button", name="保存本项").click()
        expect(page.locator(f"#item-{code} h3 .tag")).to_have_text("属实")
        expect(page.get_by_role("alert")).to_have_text("核查清单已保存。")
        if code == "equipment":
            evidence_link = page.locator("#item-equipment").get_by_role("link", name="车间照片.png")
            expect(evidence_link).to_be_visible()
            j.shot(page, "evidence-saved")
    j.shot(page, "checklist-done")

    verdict = page.locator("#verdict")
    verdict.get_by_label("属实", exact=True).check()
    verdict.get_by_label("核查意见").fill("现场核对一致。")
    verdict.get_by_role("button", name="确认核查结论").click()
    expect(page.get_by_role("alert")).to_have_text("核查结论已确认，申报已进入“已实地核查”。")
    expect(page.locator("#verdict strong")).to_have_text("属实")
    expect(page.get_by_role("button", name="保存本项")).to_have_count(0)  # frozen
    j.shot(page, "verdict")

    inspection = fresh(Inspection, inspection_id)
    assert inspection.verdict == "true" and inspection.completed_by_id == inspector.id
    assert {i.code: i.finding for i in inspection.items} == dict.fromkeys(codes, "true")
    assert db.session.get(Application, app_id).state == "spot_inspected"
    evidence = db.session.execute(select(EvidenceFile)).scalar_one()
    assert evidence.filename == "车间照片.png" and evidence.data == png
    assert evidence.item.code == "equipment"


# ---------------------------------------------------------- coordinator: decide and export


def test_coordinator_decides_exports_and_releases_letters(journey, app, tmp_path):
    actors = f.Actors()
    experts, apps = None, []
    for i, fraction in enumerate((0.92, 0.86, 0.8, 0.74, 0.68)):
        a = f.application(
            pref=("郑州市", "洛阳市")[i % 2], name=f"入库决定浏览器测试{i + 1}有限公司"
        )
        experts = f.scored(a, actors, fraction, experts)
        apps.append(a)
    app.config["FROZEN_NOW"] = AFTER_DEADLINE
    f.user("coordinator", "coord-d", display_name="省厅协调员")
    officer = actors.officer("郑州市").username
    names = [a.enterprise.name for a in apps]
    codes = [a.anon_code for a in apps]
    ids = [a.id for a in apps]
    db.session.commit()

    j = journey("coordinator-decide")
    page = j.login("coord-d")
    nav(page, "入库决定")
    expect(page.get_by_role("heading", name="入库决定 · 卓越级智能工厂培育")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"排名（5 家"))).to_be_visible()
    j.shot(page, "ranking")

    page.get_by_label("入库名额").fill("3")
    page.get_by_role("button", name="试算（不保存）").click()
    movers = page.locator("section").filter(
        has=page.get_by_role("heading", name=re.compile("跨越入库线"))
    )
    expect(movers.get_by_role("heading")).to_have_text(re.compile(r"跨越入库线的申报（2）"))
    expect(movers.locator("tbody tr")).to_have_count(2)
    for code in codes[3:]:
        row = movers.locator("tr").filter(has_text=code)
        expect(row.locator("td").nth(1)).to_have_text("入库")
        expect(row.locator("td").nth(4)).to_have_text("未入库")
    j.shot(page, "what-if")

    page.get_by_role("button", name="按此参数暂存").click()
    expect(page.get_by_role("alert")).to_have_text("已暂存：入库 3 家。可以确认。")
    expect(page.get_by_text(re.compile(r"已暂存（.*）：名额 3"))).to_be_visible()
    j.shot(page, "staged")
    page.get_by_role("button", name=re.compile("确认入库决定")).click()
    expect(page.get_by_role("alert")).to_have_text(
        "入库决定已确认：入选申报为拟入库，其余为拟不予入库；经审定、公示后正式发文。"
    )
    expect(page.get_by_text(re.compile(r"已确认.*入库 3 家"))).to_be_visible()
    j.shot(page, "confirmed")

    db.session.expire_all()
    states = [db.session.get(Application, i).state for i in ids]
    assert states == ["proposed"] * 3 + ["not_selected"] * 2

    with page.expect_download() as caught:
        page.get_by_role("link", name="入库名单 .xlsx").click()
    download = caught.value
    assert download.suggested_filename.endswith("入库名单.xlsx")
    assert "草稿" not in download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = openpyxl.load_workbook(saved)
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    text = "\n".join(cells)
    assert all(n in text for n in names[:3]), text
    assert not any(n in text for n in names[3:]), text

    page.locator("nav.state-tabs").get_by_role("link", name="结果通知").click()
    expect(page.get_by_text("尚未生成结果通知。")).to_be_visible()
    page.get_by_role("button", name="生成 / 更新结果通知草稿").click()
    expect(page.get_by_role("alert")).to_contain_text("尚未正式发文")  # letters wait for it
    # 审定, 公示 and 正式发文 by the verbs (tests/publicity/test_pages.py walks their pages); the
    # letters are drafted at 正式发文.
    program = current_program()
    coordinator = db.session.execute(select(User).filter_by(username="coord-d")).scalar_one()
    finalise(program, coordinator)
    db.session.commit()
    assert [fresh(Application, i).state for i in ids] == ["admitted"] * 3 + ["rejected"] * 2
    page.reload()
    expect(page.get_by_text("草稿（待核对）")).to_have_count(2)
    j.shot(page, "letters-drafted")
    page.get_by_role("button", name="发出全部草稿").click()
    expect(page.get_by_role("alert")).to_have_text("已发出 2 份结果通知。")
    expect(page.locator("tbody tr").filter(has_text="已发出")).to_have_count(2)
    j.shot(page, "letters-released")

    prefecture_page = j.login(officer)
    nav(prefecture_page, "结果通知")
    rows = prefecture_page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("郑州市")
    expect(rows.first).to_contain_text("已发出")
    j.shot(prefecture_page, "prefecture-sees-letter")
    with prefecture_page.expect_download() as caught:
        rows.first.get_by_role("link", name=re.compile(r"\.docx$")).click()
    letter_file = tmp_path / "letter.docx"
    caught.value.save_as(letter_file)
    letter = docx.Document(str(letter_file))
    letter_text = "\n".join(p.text for p in letter.paragraphs) + "\n".join(
        c.text for t in letter.tables for row in t.rows for c in row.cells
    )
    assert "郑州市" in letter_text
    assert names[0] in letter_text and names[2] in letter_text and names[4] in letter_text
    assert names[1] not in letter_text and names[3] not in letter_text  # 洛阳市's

    db.session.expire_all()
    released = db.session.execute(select(ResultNotice)).scalars().all()
    assert len(released) == 2 and {n.status for n in released} == {"released"}
    assert db.session.scalar(select(func.count(ResultNotice.id))) == 2
    zz = next(n for n in released if n.prefecture.name == "郑州市")
    assert zz.data == letter_file.read_bytes()


def test_coordinator_draws_a_panel_and_the_expert_accepts_and_signs(journey, app):
    """专家抽取: the coordinator draws a panel with a seed typed at the draw and verifies it;
    a drawn expert accepts the invitation, is sent to the pledge, signs it, and only then
    reaches the section text."""
    from review_app.assignment.service import ensure_panels
    from review_app.draws.models import DrawRun, Invitation, Pledge
    from review_app.experts.models import Expert

    actors = f.Actors()
    coordinator = actors.coordinator
    cities = ["洛阳市", "开封市", "新乡市", "南阳市"]
    for i in range(16):
        account = f.user("expert", f"pool{i}")
        db.session.add(Expert(user=account, name=f"抽取专家{i}", employer=f"抽取单位{i}",
                              prefecture=f.prefecture(cities[i % 4]),
                              specialties=["link.factory"], email=f"pool{i}@example.com"))  # fmt: skip
    panel = next(p for p in ensure_panels(current_program(), coordinator)
                 if p.section_group == "link.factory" and p.track_code == "excellent")  # fmt: skip
    db.session.commit()

    trip = journey("draw")
    page = trip.login(coordinator.username)
    nav(page, "专家抽取")
    expect(page.get_by_role("heading", name=re.compile("专家抽取"))).to_be_visible()
    page.locator("tr", has_text=panel.name).first.get_by_role("link", name="抽取与邀请").click()
    page.get_by_label("抽取人数").fill("3")
    page.get_by_label("备选人数").fill("2")
    page.get_by_label("抽取种子").fill("583920")
    page.get_by_role("button", name="抽取", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("已抽取3名专家和2名备选")
    trip.shot(page, "drawn")
    page.get_by_role("button", name="复核").click()
    expect(page.locator(".flash-success")).to_contain_text("复核一致")
    run = db.session.scalars(select(DrawRun)).one()
    assert run.seed == "583920" and len(run.drawn) == 3

    invitation = db.session.scalars(
        select(Invitation).where(Invitation.status == "pending").order_by(Invitation.position)
    ).first()
    drawn = db.session.get(Expert, invitation.expert_id)
    expert_page = trip.login(drawn.user.username)
    nav(expert_page, "评审邀请")
    expert_page.get_by_role("link", name="答复").click()
    expert_page.get_by_role("button", name="接受邀请").click()
    expect(expert_page).to_have_url(re.compile("/pledge"))
    trip.shot(expert_page, "pledge")
    expert_page.get_by_label("本人已阅读并承诺遵守以上各条").check()
    expert_page.get_by_label("签名（请输入您的姓名）").fill(drawn.name)
    expert_page.get_by_role("button", name="签署").click()
    expect(expert_page.locator(".flash-success")).to_contain_text("已签署保密与回避承诺")
    assert fresh(Invitation, invitation.id).status == "accepted"
    assert db.session.scalars(select(Pledge).where(Pledge.expert_id == drawn.id)).one()
    trip.shot(expert_page, "signed")
