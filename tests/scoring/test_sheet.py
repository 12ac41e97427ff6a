"""Offline scoring with the .xlsx score sheet: download, fill, upload; validated cell by cell,
applied in one transaction or not at all."""

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from review_app.assignment.models import Assignment
from review_app.extensions import db
from review_app.scoring.models import Review

from ..conftest import csrf_from, login
from .test_scoring import COMMENT, _assigned, _mine


def _download(client) -> tuple:
    response = client.get("/scoring/sheet.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    return wb, wb["评分"], wb["评审意见"]


def _fill(ws, cs, fraction=0.8, comment=COMMENT):
    for row in ws.iter_rows(min_row=3):
        if row[0].value is None:
            continue
        row[6].value = round(float(row[5].value) * fraction * 2) / 2
    for row in cs.iter_rows(min_row=2):
        if row[0].value is not None:
            row[3].value = comment


def _upload(client, wb, action="submit"):
    buffer = io.BytesIO()
    wb.save(buffer)
    token = csrf_from(client.get("/expert/assignments").get_data(as_text=True))
    return client.post(
        "/scoring/sheet",
        data={
            "csrf_token": token,
            "action": action,
            "file": (io.BytesIO(buffer.getvalue()), "评分表.xlsx"),
        },
        content_type="multipart/form-data",
    )


def test_sheet_round_trip_submits_every_task(app, client):
    application, _ = _assigned()
    a = _mine(application)[0]
    db.session.commit()
    login(client, a.expert.user.username)
    wb, ws, cs = _download(client)
    ids = {row[0].value for row in ws.iter_rows(min_row=3) if row[0].value is not None}
    assert ids == {a.id}  # only the expert's own tasks, by number and code, never a name
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert application.enterprise.name not in text and application.anon_code in text
    _fill(ws, cs)
    response = _upload(client, wb)
    assert response.status_code == 302
    db.session.expire_all()
    assert a.status == "submitted"
    review = db.session.execute(select(Review).where(Review.assignment_id == a.id)).scalar_one()
    assert review.status == "submitted" and review.comment == COMMENT


def test_sheet_with_bad_cells_applies_nothing_and_names_cells(app, client):
    application, _ = _assigned()
    a = _mine(application)[0]
    db.session.commit()
    login(client, a.expert.user.username)
    wb, ws, cs = _download(client)
    _fill(ws, cs)
    ws["G3"] = 999
    ws["G4"] = "很好"
    response = _upload(client, wb)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "评分!G3" in html and "评分!G4" in html and "未保存任何内容" in html
    assert db.session.scalar(select(func.count(Review.id))) == 0


def test_a_missing_comment_on_submit_rejects_the_whole_sheet(app, client):
    application, _ = _assigned()
    a = _mine(application)[0]
    db.session.commit()
    login(client, a.expert.user.username)
    wb, ws, cs = _download(client)
    _fill(ws, cs, comment="")
    response = _upload(client, wb)
    assert response.status_code == 400 and "评审意见" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Review.id))) == 0


def test_a_task_of_another_expert_is_refused(app, client):
    application, _ = _assigned()
    a, b = _mine(application)[:2]
    db.session.commit()
    login(client, a.expert.user.username)
    wb, ws, cs = _download(client)
    _fill(ws, cs)
    ws["A3"] = b.id
    response = _upload(client, wb)
    assert response.status_code == 400 and "不是您的评审任务" in response.get_data(as_text=True)
    assert db.session.get(Assignment, b.id).status == "assigned"
