"""The prefecture officer sees why 推荐 is not possible, finds the blocking problem beside its
field on the edit form (the 近三年 figures in full), corrects it and endorses from the application
page, where 地市推荐 is the primary button."""

from review_app.applications.models import Application
from review_app.enterprises.uscc import make_uscc
from review_app.extensions import db
from review_app.intake.service import import_docx, run_format_check
from review_app.programs.service import current_program

from .. import factories as f
from ..intake.conftest import docx_for, valid_sample
from .conftest import nav

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips these tests (fails under REQUIRE_BROWSER=1)
    expect = None


def corrects_and_endorses(j, page, name: str, app_id: int, uscc: str) -> None:
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
    figure = page.locator("input.figure").first
    assert figure.bounding_box()["width"] > 100  # 11 digits and decimals fit
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
    assert db.session.get(Application, app_id).state == "prefecture_endorsed"


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
    corrects_and_endorses(j, j.login("ly-actions"), "洛阳操作清晰测试有限公司", application.id,
                          make_uscc("410300", "MA000042"))  # fmt: skip
