"""专家库's forms (issue 22): the edit form refused comes back (400) with everything as typed,
the chosen 地市 and 重点环节 included, each error beside its field and nothing saved; saved, the
record holds what was typed (行业大类 read as the import reads them). The import form without a
file, or with one that cannot be read, names the reason beside the file box."""

import io
import re

import pytest
from sqlalchemy import select

from review_app.audit.models import AuditEvent
from review_app.experts.models import Expert
from review_app.extensions import db

from .. import factories as f
from ..conftest import csrf_from
from ..form_checks import changed, contents, control, error_block, tied
from ..security.world import client_as


@pytest.fixture()
def edit(app):
    """An expert of 郑州 (生产作业, 行业 34) and the coordinator on its edit page: (client, URL,
    token, ids of 郑州 and 洛阳)."""
    zhengzhou, luoyang = f.prefecture("郑州市"), f.prefecture("洛阳市")
    expert = f.expert(pledge=False, prefecture_id=zhengzhou.id, specialties=["link.production"],
                      industries=["34"], capacity=10, title="高级工程师")  # fmt: skip
    f.user("coordinator", "edit-coord")
    db.session.commit()
    coord = client_as(app, "edit-coord")
    url = f"/experts/{expert.id}"
    token = csrf_from(coord.get(url).get_data(as_text=True))
    return coord, url, token, zhengzhou.id, luoyang.id


def _typed(token, luoyang_id, **changes) -> dict:
    """A whole post of the form, as a coordinator fills it: everything changed."""
    data = {
        "csrf_token": token, "employer": "黄河智造研究院", "title": "教授",
        "prefecture_id": str(luoyang_id), "specialties": ["link.rnd", "link.operations"],
        "industries": "35、38", "capacity": "12",
    }  # fmt: skip
    return {**data, **changes}


def _selected(html: str) -> list[str]:
    select_tag = re.search(r'<select name="prefecture_id".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\d*)" selected>', select_tag)


def _checked(html: str) -> list[str]:
    return re.findall(
        r'<input type="checkbox" name="specialties" [^>]*value="([^"]+)" checked', html
    )


def _kept(html: str, data: dict) -> None:
    """Every value of ``data`` is shown as typed."""
    for name in ("employer", "title", "industries", "capacity"):
        assert f'value="{data[name]}"' in control(html, name), name
    assert _selected(html) == [data["prefecture_id"]]
    assert _checked(html) == data["specialties"]


def test_the_page_shows_the_record(app, edit):
    coord, url, _, zhengzhou_id, _ = edit
    html = coord.get(url).get_data(as_text=True)
    assert _selected(html) == [str(zhengzhou_id)] and _checked(html) == ["link.production"]
    assert 'value="34"' in control(html, "industries")
    assert 'value="高级工程师"' in control(html, "title")
    assert "aria-invalid" not in html and "field-errors" not in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("capacity", "501", "评审容量应为0–500的整数。"),
        ("capacity", "", "评审容量应为0–500的整数。"),
        ("capacity", "十二", "请输入整数。"),
        ("employer", "院" * 201, "过长。"),
        ("title", "职" * 61, "过长。"),
        ("industries", "35、99", "“99”不是GB/T 4754制造业大类代码（13–43的两位数字）。"),
    ],
    ids=["capacity-too-large", "capacity-blank", "capacity-not-a-number", "employer-too-long",
         "title-too-long", "industry-not-manufacturing"],
)  # fmt: skip
def test_a_refused_field_keeps_everything_typed(app, edit, field, value, message):
    coord, url, token, _, luoyang_id = edit
    data = _typed(token, luoyang_id, **{field: value})
    before = contents()
    response = coord.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert tied(html, field, message)
    _kept(html, data)
    # only the field in error is marked
    assert html.count('aria-invalid="true"') == 1 and html.count('class="field-errors"') == 1
    assert "专家信息已保存" not in html
    assert changed(before, contents()) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [("999999", "所选地市不存在，请重新选择。"), ("abc", "请输入整数。")],
    ids=["unknown", "not-an-id"],
)
def test_a_refused_prefecture_is_tied_to_its_select(app, edit, value, message):
    coord, url, token, _, luoyang_id = edit
    before = contents()
    response = coord.post(url, data=_typed(token, luoyang_id, prefecture_id=value))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    tag = control(html, "prefecture_id")
    assert 'aria-invalid="true"' in tag and 'aria-describedby="prefecture_id-error"' in tag
    assert f'<p class="field-error">{message}</p>' in error_block(html, "prefecture_id")
    assert 'value="黄河智造研究院"' in control(html, "employer")
    assert _checked(html) == ["link.rnd", "link.operations"]
    assert changed(before, contents()) == []


def test_a_refused_specialty_marks_the_checkboxes(app, edit):
    coord, url, token, _, luoyang_id = edit
    before = contents()
    data = _typed(token, luoyang_id, specialties=["link.rnd", "link.nonsense"])
    response = coord.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    boxes = re.findall(r'<input type="checkbox" name="specialties"[^>]*>', html)
    assert boxes and all(
        'aria-invalid="true"' in b and 'aria-describedby="specialties-error"' in b for b in boxes
    )
    assert "中有无效的选项。" in error_block(html, "specialties")
    assert _checked(html) == ["link.rnd"] and _selected(html) == [str(luoyang_id)]
    assert changed(before, contents()) == []


def test_a_stale_token_keeps_everything_typed(app, edit):
    coord, url, _, _, luoyang_id = edit
    data = _typed("stale", luoyang_id)
    before = contents()
    response = coord.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "表单已过期或缺少安全令牌" in html
    _kept(html, data)
    assert "aria-invalid" not in html
    assert changed(before, contents()) == []
    # the page's fresh token saves it
    response = coord.post(url, data={**data, "csrf_token": csrf_from(html)})
    assert response.status_code == 302


def test_a_good_post_saves_what_was_typed(app, edit):
    coord, url, token, _, luoyang_id = edit
    data = _typed(token, luoyang_id, industries="C35、38，35 13")
    response = coord.post(url, data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/experts/"
    db.session.rollback()
    expert = db.session.get(Expert, int(url.rsplit("/", 1)[1]))
    assert (expert.employer, expert.title, expert.prefecture_id, expert.capacity) == (
        "黄河智造研究院", "教授", luoyang_id, 12,
    )  # fmt: skip
    assert expert.specialties == ["link.rnd", "link.operations"]
    assert expert.industries == ["35", "38", "13"]
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "expert.update")
    ).scalar_one()
    assert event.object_id == str(expert.id)
    html = coord.get(url).get_data(as_text=True)
    assert _selected(html) == [str(luoyang_id)]
    assert _checked(html) == ["link.rnd", "link.operations"]
    assert 'value="35,38,13"' in control(html, "industries")
    # no 地市 and no 重点环节: both cleared
    token = csrf_from(html)
    data = _typed(token, luoyang_id, prefecture_id="", specialties=[])
    assert coord.post(url, data=data).status_code == 302
    db.session.rollback()
    expert = db.session.get(Expert, expert.id)
    assert expert.prefecture_id is None and expert.specialties == []


@pytest.fixture()
def import_page(app):
    f.user("coordinator", "import-coord")
    db.session.commit()
    coord = client_as(app, "import-coord")
    return coord, csrf_from(coord.get("/experts/").get_data(as_text=True))


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "请选择专家导入表（.xlsx）。"),
        ((b"", ""), "请选择专家导入表（.xlsx）。"),
        ((b"not a workbook", "专家.xlsx"), None),
    ],
    ids=["no-file", "empty-name", "not-a-workbook"],
)
def test_an_import_without_a_readable_file_names_it_beside_the_box(app, import_page, upload,
                                                                   message):  # fmt: skip
    coord, token = import_page
    data = {"csrf_token": token}
    if upload is not None:
        data["file"] = (io.BytesIO(upload[0]), upload[1])
    before = contents()
    response = coord.post("/experts/import", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    tag = control(html, "file")
    assert 'aria-invalid="true"' in tag and 'aria-describedby="file-error"' in tag
    block = error_block(html, "file")
    assert block and (message is None or f'<p class="field-error">{message}</p>' in block)
    assert "专家库" in html and "下载导入模板" in html  # the page, not an error page
    assert changed(before, contents()) == []
