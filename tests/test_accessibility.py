"""Issue 22 point 9 outside the browser: every page has the skip link (跳到正文) first, every
field error is tied to its field (aria-invalid, aria-describedby naming the error's block).
The browser side (tests/browser/test_menu.py, the journeys' axe audits) checks the rest."""

import re
from pathlib import Path

from flask import g

from review_app.extensions import db

from . import factories as f
from .conftest import csrf_from, login

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
FOCUSABLE = re.compile(r"<(a|button|input|select|textarea|summary)\b(?![^>]*type=\"hidden\")")


def test_every_page_template_extends_base():
    pages = [p for p in TEMPLATES.rglob("*.html") if not p.name.startswith("_")]
    assert len(pages) > 50
    for page in pages:
        if page.name == "base.html":
            continue
        text = page.read_text(encoding="utf-8")
        assert text.startswith('{% extends "base.html" %}'), page.relative_to(TEMPLATES)


def _first_focusable(html: str) -> str:
    body = html[html.index("<body") :]
    start = FOCUSABLE.search(body).start()
    return body[start : body.index(">", start) + 1]


def test_the_skip_link_comes_first_and_targets_main(app, client):
    f.user("coordinator", "coord-skip")
    db.session.commit()
    pages = [client.get("/login").get_data(as_text=True)]
    login(client, "coord-skip")
    pages.append(client.get("/dashboard/").get_data(as_text=True))
    for html in pages:
        assert _first_focusable(html) == '<a class="skip-link" href="#main">'
        assert '<a class="skip-link" href="#main">跳到正文</a>' in html
        assert html.count('<main id="main"') == 1


def test_field_errors_are_tied_to_their_fields(app, client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    html = client.post(
        "/login", data={"csrf_token": token, "username": "", "password": ""}
    ).get_data(as_text=True)
    for field in ("username", "password"):
        tag = re.search(rf'<input[^>]*id="{field}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag and f'aria-describedby="{field}-error"' in tag
        errors = re.search(rf'<div class="field-errors" id="{field}-error">(.*?)</div>', html)
        assert errors and 'class="field-error"' in errors.group(1)
    # a field without an error carries neither
    html = client.get("/login").get_data(as_text=True)
    assert "aria-invalid" not in html and "-error" not in html


def test_no_template_renders_a_field_error_untied():
    """Field errors go through templates/_field.html (field_input + field_errors), or a macro
    that ties them the same way (intake/edit.html ties the format check's problems too)."""
    tied = {"_field.html", "intake/edit.html"}
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        if name not in tied:
            assert 'class="field-error"' not in path.read_text(encoding="utf-8"), name


def _tied(html: str, field: str) -> bool:
    tag = re.search(rf'<input[^>]*id="{field}"[^>]*>', html).group(0)
    errors = re.search(rf'<div class="field-errors" id="{field}-error">(.*?)</div>', html)
    return (
        'aria-invalid="true"' in tag
        and f'aria-describedby="{field}-error"' in tag
        and errors is not None
        and 'class="field-error"' in errors.group(1)
    )


def test_the_password_and_account_forms_tie_their_errors(app, client):
    """The forms that re-render on a refused POST (修改密码, 重设密码, 新建账号) show each error
    beside its field, not as a message at the top; a stale token is still refused in words."""
    user = f.user("expert", "tie-errors")
    admin = f.user("admin", "tie-errors-admin")
    db.session.commit()
    login(client, user.username)
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    response = client.post(
        "/account/password", data={"csrf_token": token, "current": "x", "new": "", "confirm": ""}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _tied(html, "new") and _tied(html, "confirm") and "请再次输入新密码。" in html
    assert 'id="current"' in html and 'aria-invalid="true" aria-describedby="current' not in html
    stale = client.post("/account/password", data={"csrf_token": "stale", "current": "x"})
    assert stale.status_code == 400 and "表单已过期或缺少安全令牌" in stale.get_data(as_text=True)
    g.pop("csrf_token", None)  # the tests share one app context: Flask-WTF's cached token
    client = app.test_client()
    login(client, admin.username)
    g.pop("csrf_token", None)
    token = csrf_from(client.get("/admin/users").get_data(as_text=True))
    html = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "",
            "display_name": "",
            "role": "expert",
            "password": "",
        },  # fmt: skip
    ).get_data(as_text=True)
    assert _tied(html, "username")
