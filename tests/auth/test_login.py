"""Login, role checks (403) and object scope (throttling: test_throttle.py)."""

from review_app.extensions import db

from .. import factories as f
from ..conftest import csrf_from, login, post_form


def test_login_page_is_chinese_and_carries_csrf(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "登录" in html and csrf_from(html)


def test_login_success_then_logout(app, client):
    f.user("coordinator", "coord")
    db.session.commit()
    response = login(client, "coord")
    assert response.status_code == 302
    assert client.get("/applications/").status_code == 200
    out = post_form(client, "/logout")
    assert out.status_code == 302
    assert client.get("/applications/").status_code == 302  # back to login


def test_wrong_password_is_refused_with_chinese_message(app, client):
    f.user("coordinator", "coord")
    db.session.commit()
    response = login(client, "coord", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/applications/").status_code == 302


def test_unknown_user_gets_the_same_message(app, client):
    response = login(client, "nobody", "whatever1")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(app, client):
    f.user("coordinator", "coord")
    db.session.commit()
    response = client.post("/login", data={"username": "coord", "password": f.PASSWORD})
    assert response.status_code == 400
    assert client.get("/applications/").status_code == 302


def test_passwords_are_hashed(app):
    account = f.user("coordinator", "coord")
    assert f.PASSWORD not in account.password_hash
    assert account.check_password(f.PASSWORD)
    assert not account.check_password("other")


def test_anonymous_is_sent_to_login(client):
    response = client.get("/applications/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_role_denied_gets_403(app, client):
    f.user("expert", "exp")
    db.session.commit()
    login(client, "exp")
    assert client.get("/applications/").status_code == 403
    assert client.get("/admin/users").status_code == 403
    assert client.get("/inspections/").status_code == 403


def test_admin_sees_users_but_no_applications(app, client):
    f.user("admin", "root")
    db.session.commit()
    login(client, "root")
    assert client.get("/admin/users").status_code == 200
    assert client.get("/applications/").status_code == 403


def test_prefecture_reaches_only_its_own_applications(app, client):
    own = f.application(pref="郑州市", name="郑州自家企业有限公司")
    other = f.application(pref="洛阳市", name="洛阳别家企业有限公司")
    f.user("prefecture", "zzofficer", prefecture="郑州市")
    db.session.commit()
    login(client, "zzofficer")
    listing = client.get("/applications/").get_data(as_text=True)
    assert "郑州自家企业有限公司" in listing
    assert "洛阳别家企业有限公司" not in listing
    assert client.get(f"/applications/{own.id}").status_code == 200
    assert client.get(f"/applications/{other.id}").status_code == 403


def test_prefecture_cannot_fire_on_another_prefectures_application(app, client):
    other = f.application(pref="洛阳市")
    f.user("prefecture", "zzofficer", prefecture="郑州市")
    db.session.commit()
    login(client, "zzofficer")
    response = post_form(client, f"/applications/{other.id}/transition/endorse")
    assert response.status_code == 403
    db.session.refresh(other)
    assert other.state == "submitted"


def test_applicant_sees_only_its_enterprise(app, client):
    own = f.application(name="自家企业有限公司")
    other = f.application(name="别家企业有限公司")
    f.user("applicant", "ent", enterprise_id=own.enterprise_id)
    db.session.commit()
    login(client, "ent")
    assert client.get(f"/applications/{own.id}").status_code == 200
    assert client.get(f"/applications/{other.id}").status_code == 403
    assert "别家企业有限公司" not in client.get("/applications/").get_data(as_text=True)


def test_expert_reaches_only_own_assignments_and_never_identities(app, client):
    application = f.application(name="保密企业股份有限公司")
    experts = f.staff(application)
    mine, theirs = experts[0], experts[1]
    db.session.commit()
    login(client, mine.user.username)
    from sqlalchemy import select

    from review_app.assignment.models import Assignment

    own = db.session.execute(select(Assignment).where(Assignment.expert_id == mine.id)).scalar_one()
    other = db.session.execute(
        select(Assignment).where(Assignment.expert_id == theirs.id)
    ).scalar_one()
    listing = client.get("/expert/assignments")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert application.anon_code in html
    assert "保密企业" not in html
    assert client.get(f"/expert/assignments/{own.id}").status_code == 200
    assert client.get(f"/expert/assignments/{other.id}").status_code == 403
    assert client.get(f"/applications/{application.id}").status_code == 403


def test_inspector_sees_only_assigned_inspections(app, client):
    inspector = f.user("inspector", "insp")
    sampled = f.application(name="抽中企业有限公司")
    not_mine = f.application(name="他人抽查企业有限公司")
    mine = f.sample_for_inspection(sampled, inspector)
    theirs = f.sample_for_inspection(not_mine, f.user("inspector"))
    db.session.commit()
    login(client, "insp")
    assert client.get(f"/inspections/{mine.id}").status_code == 200
    assert client.get(f"/inspections/{theirs.id}").status_code == 403
    assert client.get(f"/applications/{sampled.id}").status_code == 200
    assert client.get(f"/applications/{not_mine.id}").status_code == 403
    listing = client.get("/inspections/").get_data(as_text=True)
    assert "抽中企业有限公司" in listing and "他人抽查企业" not in listing


def test_open_redirect_is_refused(app, client):
    f.user("coordinator", "coord")
    db.session.commit()
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/login?next=//evil.example/",
        data={"username": "coord", "password": f.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
