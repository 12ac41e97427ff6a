"""The offline score sheet's comments are leak-scanned as the web form's are: a comment that
names the enterprise, or the expert's own name or unit, refuses the whole sheet (draft or
submit), naming the row, the application's code and the hit; nothing is saved."""

from sqlalchemy import func, select

from review_app.extensions import db
from review_app.scoring.models import Review

from ..conftest import login
from .test_scoring import _assigned, _mine
from .test_sheet import _download, _fill, _upload


def test_a_comment_naming_the_enterprise_refuses_the_sheet_naming_row_code_and_hit(app, client):
    application, _ = _assigned()
    a = _mine(application)[0]
    db.session.commit()
    login(client, a.expert.user.username)
    wb, ws, cs = _download(client)
    _fill(ws, cs)
    name = application.enterprise.name
    cs["D2"] = f"{name}的设备联网率较高，数据完整，建议进一步量化成效。"
    response = _upload(client, wb)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "未保存任何内容" in html
    assert "评审意见!D2" in html and application.anon_code in html
    assert f"“{name}”（企业名称或简称）" in html
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Review.id))) == 0
    assert a.status == "assigned"


def test_the_experts_own_name_is_refused_in_a_draft_too(app, client):
    application, _ = _assigned()
    a = _mine(application)[0]
    expert = a.expert
    db.session.commit()
    login(client, expert.user.username)
    wb, ws, cs = _download(client)
    _fill(ws, cs, comment=f"本人{expert.name}认为：总体情况良好，建议进一步量化成效。")
    response = _upload(client, wb, action="save")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "（本人姓名）" in html and "评审意见!D2" in html
    assert db.session.scalar(select(func.count(Review.id))) == 0
    # rephrased, the same sheet goes in
    _fill(ws, cs, comment="总体情况良好，建议进一步量化成效。")
    assert _upload(client, wb, action="save").status_code == 302
    assert db.session.scalar(select(func.count(Review.id))) == 1
