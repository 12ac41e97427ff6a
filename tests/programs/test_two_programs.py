"""A new year's program runs next to a finished one (issue 18 point 1).

The earlier program (the shipped one) is taken to a confirmed decision; then ``create_program``
opens the next year and applications are filed into it. The coordinator switches between the
two in the top bar and sees each one's lists, dashboard, API results and exports; the earlier
program's data stay as they were; quotas count per program.

Decided: a page about one object (an application) shows that object's own program, whichever
is selected; a program page acting on an object of another program (confirming a decision
run, releasing a notice, an outbox message, a draw panel) refuses it as not found (404).
"""

import dataclasses
import io

import openpyxl
import pytest
from flask import g
from sqlalchemy import select

from review_app.applications.models import Application
from review_app.dashboard.service import quota_rows
from review_app.decision import service as decision
from review_app.decision.models import DecisionRun
from review_app.extensions import db
from review_app.intake.service import import_docx
from review_app.intake.template import filled_template
from review_app.programs.create import create_program
from review_app.programs.selection import SESSION_KEY, selected_program
from review_app.programs.service import current_program
from review_app.programs.years import code_year, figure_years
from review_app.workflow.service import fire

from .. import factories as f
from ..api.helpers import call, token_for
from ..conftest import BEFORE_DEADLINE, csrf_from, login
from ..intake.conftest import valid_sample


def _snapshot(program) -> dict:
    """Everything of ``program`` a later program must leave alone."""
    apps = db.session.execute(
        select(Application).where(Application.program_id == program.id).order_by(Application.id)
    ).scalars()
    runs = db.session.execute(
        select(DecisionRun).where(DecisionRun.program_id == program.id).order_by(DecisionRun.id)
    ).scalars()
    return {
        "program": (program.code, program.name, program.year, program.deadline),
        "tracks": [(t.code, t.capacity, t.rubric_file) for t in program.tracks],
        "quotas": sorted((q.prefecture_id, q.track_code, q.quota) for q in program.quotas),
        "apps": [
            (a.id, a.anon_code, a.state, a.prefecture_id, sorted(x.year for x in a.figures))
            for a in apps
        ],
        "runs": [
            (r.id, r.status, sorted((e.application_id, e.outcome) for e in r.entries)) for r in runs
        ],
    }


@pytest.fixture()
def two(app, tmp_path):
    """(old program, new program, old applications, new applications, actors, old run)."""
    actors = f.Actors()
    old = current_program()
    old_apps, experts = [], None
    for i, fraction in enumerate((0.9, 0.8, 0.7)):
        a = f.application(pref=("郑州市", "洛阳市", "郑州市")[i], name=f"往年企业{i}有限公司")
        experts = f.scored(a, actors, fraction, experts)
        old_apps.append(a)
    params = dataclasses.replace(decision.default_params(old, "excellent"), capacity=2)
    run = decision.stage(old, "excellent", params, actors.coordinator)
    assert decision.confirm(run, actors.coordinator) is True
    db.session.commit()
    before = _snapshot(old)

    new = create_program(old.year + 1, old.year, tmp_path)
    db.session.commit()
    officer = actors.officer("郑州市")
    # One filed from a 申报书 of the new year (figures of its three years), one by the factory.
    sample = valid_sample(pref="郑州市", n=1, name="新年度智能装备有限公司")
    shifted = dataclasses.replace(
        sample,
        figure_years=tuple(str(y) for y in figure_years(new.year)),
        figures={str(int(y) + 1): v for y, v in sample.figures.items()},
    )
    filed = import_docx(new, officer.prefecture, filled_template("excellent", shifted),
                        "申报书.docx", officer)  # fmt: skip
    made = f.application(pref="郑州市", name="新年度精密制造有限公司")
    f.write_opinion(filed)
    fire(filed, "endorse", officer, now=BEFORE_DEADLINE)
    db.session.commit()
    return old, new, old_apps, [filed, made], actors, run, before


def test_new_applications_carry_the_new_year(two):
    old, new, old_apps, new_apps, *_ = two
    assert new.year == old.year + 1 and current_program() == new
    for a in new_apps:
        assert a.program == new
        assert a.anon_code.split("-")[1] == code_year(new.year) != code_year(old.year)
    filed = new_apps[0]
    assert sorted(x.year for x in filed.figures) == list(figure_years(new.year))
    last = next(x for x in filed.figures if x.year == new.year - 1)
    assert float(last.revenue) == 125600.0  # the sample's latest revenue, under the new year
    assert not [p for p in filed.format_report if p["severity"] == "blocking"]
    for a in old_apps:
        assert a.anon_code.split("-")[1] == code_year(old.year)


def test_the_finished_program_is_left_as_it_was(two):
    old, new, old_apps, new_apps, actors, run, before = two
    assert _snapshot(old) == before
    assert {a.state for a in old_apps} == {"proposed", "not_selected"}
    assert new.settings["quotas_to_confirm"] is True
    assert {t.rubric_file for t in new.tracks}.isdisjoint({t.rubric_file for t in old.tracks})


def test_quotas_count_per_program(two, app):
    old, new, *_ = two
    zhengzhou = f.prefecture("郑州市")

    def used(program):
        return next(r.endorsed for r in quota_rows(program, zhengzhou.id) if r.track == "excellent")

    assert used(old) == 2  # both 郑州市 applications of the finished program
    assert used(new) == 1  # only this year's recommendation
    token = token_for(f.user("coordinator", "apicoord"), "read")
    for program, count in ((old, 2), (new, 1), (None, 1)):
        query = f"?program={program.code}" if program else ""
        body = call(app, "GET", f"/api/v1/prefectures{query}", token).get_json()
        row = next(p for p in body if p["id"] == zhengzhou.id)
        assert next(q for q in row["quotas"] if q["track"] == "excellent")["used"] == count


def _switch(client, program_id) -> object:
    g.pop("csrf_token", None)  # the tests share one app context: this client's own token
    page = client.get("/dashboard/")
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        "/programs/select",
        data={"program_id": program_id, "back": "/applications/", "csrf_token": token},
    )


def test_the_coordinator_switches_and_sees_each_program(two, app, client):
    old, new, old_apps, new_apps, actors, run, _ = two
    login(client, actors.coordinator.username)
    home = client.get("/dashboard/").get_data(as_text=True)
    assert f"工作台 · {new.name}" in home  # the program in force by default
    assert f'<option value="{new.id}" selected>' in home and f'value="{old.id}"' in home
    listing = client.get("/applications/").get_data(as_text=True)
    assert all(a.enterprise.name in listing for a in new_apps)
    assert not any(a.enterprise.name in listing for a in old_apps)

    response = _switch(client, old.id)
    assert response.status_code == 302 and response.location.endswith("/applications/")
    home = client.get("/dashboard/").get_data(as_text=True)
    assert f"工作台 · {old.name}" in home and f'<option value="{old.id}" selected>' in home
    listing = client.get("/applications/").get_data(as_text=True)
    assert all(a.enterprise.name in listing for a in old_apps)
    assert not any(a.enterprise.name in listing for a in new_apps)
    # the choice is the session's, not the program in force for anyone else
    assert current_program() == new
    officer = app.test_client()
    g.pop("csrf_token", None)  # the tests share one app context: a new client, a new token
    login(officer, actors.officer("郑州市").username)
    page = officer.get("/dashboard/").get_data(as_text=True)
    assert f"截止日期 {new.deadline}" in page and str(old.deadline) not in page

    back = _switch(client, new.id)
    assert back.status_code == 302
    assert f"工作台 · {new.name}" in client.get("/dashboard/").get_data(as_text=True)


def test_exports_follow_the_selected_program(two, client):
    old, new, old_apps, new_apps, actors, run, _ = two
    login(client, actors.coordinator.username)
    _switch(client, old.id)
    ranking = client.get("/decision/excellent/export/ranking.xlsx")
    assert ranking.status_code == 200
    cells = _cells(ranking.data)
    assert all(a.anon_code in cells for a in old_apps)
    summary = _cells(client.get("/intake/summary.xlsx").data)
    assert f"{old.year - 1}年营收（万元）" in summary
    assert old_apps[0].enterprise.name in summary and new_apps[0].enterprise.name not in summary

    _switch(client, new.id)
    nothing = client.get("/decision/excellent/export/ranking.xlsx")
    assert nothing.status_code == 302  # no ranking staged in the new program yet
    summary = _cells(client.get("/intake/summary.xlsx").data)
    assert f"{new.year - 1}年营收（万元）" in summary
    assert new_apps[0].enterprise.name in summary and old_apps[0].enterprise.name not in summary


def _cells(data: bytes) -> set[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value}


def test_the_api_answers_per_program(two, app):
    old, new, old_apps, new_apps, actors, run, _ = two
    token = token_for(actors.coordinator, "read")

    def ids(query=""):
        body = call(app, "GET", f"/api/v1/applications{query}", token).get_json()
        return sorted(a["id"] for a in body["items"])

    assert ids() == sorted(a.id for a in new_apps)  # default: the program in force
    assert ids(f"?program={old.code}") == sorted(a.id for a in old_apps)
    assert ids(f"?program={new.code}") == sorted(a.id for a in new_apps)
    unknown = call(app, "GET", "/api/v1/applications?program=nope", token)
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "unknown_program"
    for odd in ("%00", "a%00b", "%C3%86%5B%C3%A9%00"):  # no query on PostgreSQL with a NUL byte
        answer = call(app, "GET", f"/api/v1/tracks/excellent/ranking?program={odd}", token)
        assert answer.status_code == 404 and answer.get_json()["code"] == "unknown_program"
    assert call(app, "GET", "/api/v1/tracks/excellent/decision", token).status_code == 404
    confirmed = call(app, "GET", f"/api/v1/tracks/excellent/decision?program={old.code}", token)
    assert confirmed.status_code == 200 and confirmed.get_json()["run_id"] == run.id
    spec = call(app, "GET", "/api/v1/openapi.json", token).get_json()
    params = spec["paths"]["/api/v1/applications"]["get"]["parameters"]
    assert any(p["name"] == "program" and p["in"] == "query" for p in params)


def test_another_programs_object_in_a_url(two, client):
    """An application page shows the application's own program; a decision run of another
    program than the selected one is not confirmed from this page (404)."""
    old, new, old_apps, new_apps, actors, run, before = two
    login(client, actors.coordinator.username)
    page = client.get(f"/applications/{old_apps[0].id}")  # the new program is selected
    assert page.status_code == 200 and old.name in page.get_data(as_text=True)
    token = csrf_from(client.get("/decision/excellent").get_data(as_text=True))
    refused = client.post(f"/decision/runs/{run.id}/confirm", data={"csrf_token": token})
    assert refused.status_code == 404
    _switch(client, old.id)
    token = csrf_from(client.get("/decision/excellent").get_data(as_text=True))
    again = client.post(f"/decision/runs/{run.id}/confirm", data={"csrf_token": token})
    assert again.status_code == 302  # its own program: "已确认，未作改动"
    db.session.expire_all()
    assert _snapshot(old) == before


def test_only_coordinators_and_admins_switch(two, app, client):
    old, new, *_ = two
    officer = f.user("prefecture", "zzofficer2", prefecture="郑州市")
    db.session.commit()
    login(client, officer.username)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "/programs/select" not in page  # no switcher in the top bar
    token = csrf_from(page)
    refused = client.post("/programs/select", data={"program_id": old.id, "csrf_token": token})
    assert refused.status_code == 403
    with app.test_request_context():
        from flask import session

        session[SESSION_KEY] = [officer.id, old.id]  # even a forged choice is not read
        assert selected_program(officer) == new


def test_a_bad_choice_is_refused(two, client):
    old, new, _, _, actors, *_ = two
    login(client, actors.coordinator.username)
    for value in ("999999", "abc", ""):
        response = _switch(client, value)
        assert response.status_code == 400
    assert f"工作台 · {new.name}" in client.get("/dashboard/").get_data(as_text=True)
