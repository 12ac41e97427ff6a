"""Security headers on every kind of answer, the production session cookie, and login
throttling (Flask-Limiter on POST /login; the per-name-and-address delays and the account
ceiling of auth/service.py are in tests/auth/test_throttle.py)."""

import re

import pytest
from flask import g

from review_app import create_app
from review_app.audit.models import AuditEvent
from review_app.extensions import db, limiter

from .. import factories as f
from ..conftest import csrf_from, login

PROD_SECRET = "p" * 48


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def _assert_secure_headers(response, url):
    csp = _csp(response)
    script = csp.get("script-src", csp.get("default-src"))
    assert script, f"{url}: no script-src or default-src"
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, url
    assert "*" not in script and not any(s.startswith(("http:", "https:")) for s in script), url
    assert csp.get("object-src") == ["'none'"], url
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    framing = response.headers.get("X-Frame-Options", "").upper() == "DENY"
    assert framing or csp.get("frame-ancestors") == ["'none'"], url


def test_security_headers_on_pages_errors_redirects_and_downloads(app, client):
    f.user("coordinator", "coord")
    db.session.commit()
    anonymous = ["/login", "/applications/", "/healthz", "/no-such-page"]
    for url in anonymous:
        _assert_secure_headers(client.get(url), url)
    login(client, "coord")
    for url in ["/dashboard/", "/applications/", "/admin/users", "/experts/template.xlsx",
                "/intake/template/excellent.docx", "/applications/999999"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        _assert_secure_headers(response, url)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def test_pages_need_no_inline_script_so_the_policy_holds(app, client):
    """script-src 'self' forbids inline code: the pages must not depend on any."""
    f.user("coordinator", "coord")
    db.session.commit()
    pages = {"/login": client.get("/login")}
    login(client, "coord")
    for url in ["/dashboard/", "/dashboard/analysis", "/applications/", "/experts/",
                "/inspections/", "/decision/excellent", "/scoring/progress", "/jobs/"]:  # fmt: skip
        pages[url] = client.get(url)
    for url, response in pages.items():
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html), f"{url} has an inline <script>"
        assert not INLINE_HANDLER.search(html), f"{url} has an inline on… handler"
        assert not JS_URL.search(html), f"{url} has a javascript: URL"


@pytest.fixture()
def prod_app(app, database_url):
    """The app as production builds it (REVIEW_APP_ENV=production), on the test database."""
    production = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"},
        env={"REVIEW_APP_ENV": "production", "SECRET_KEY": PROD_SECRET},
    )
    try:
        yield production
    finally:
        # Flask-Limiter is one object shared by every app: its ``enabled`` flag and counters
        # now belong to production; give the test app back its own (disabled) setting.
        limiter.reset()
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
        with production.app_context():
            db.session.remove()
            db.engine.dispose()


HTTPS = "https://localhost"


def _prod_client(prod_app):
    g.pop("csrf_token", None)
    return prod_app.test_client()


def _prod_login(client, username, password=f.PASSWORD):
    token = csrf_from(client.get("/login", base_url=HTTPS).get_data(as_text=True))
    return client.post(
        "/login",
        base_url=HTTPS,
        data={"username": username, "password": password, "csrf_token": token},
        headers={"Referer": f"{HTTPS}/login"},
    )


def test_production_config_hardens_the_session_cookie(prod_app):
    c = prod_app.config
    assert c["APP_MODE"] == "production" and not c["TESTING"] and not c.get("DEBUG")
    assert c["SECRET_KEY"] == PROD_SECRET
    assert c["SESSION_COOKIE_HTTPONLY"] is True
    assert c["SESSION_COOKIE_SECURE"] is True
    assert c["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert c["REMEMBER_COOKIE_HTTPONLY"] and c["REMEMBER_COOKIE_SECURE"]
    assert c["REMEMBER_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert c["RATELIMIT_ENABLED"] is True
    assert c.get("WTF_CSRF_ENABLED", True) is True


def _cookie_attributes(header: str) -> tuple[str, set[str], dict[str, str]]:
    name_value, *attrs = [p.strip() for p in header.split(";")]
    flags = {a.lower() for a in attrs if "=" not in a}
    values = {a.split("=", 1)[0].lower(): a.split("=", 1)[1] for a in attrs if "=" in a}
    return name_value.split("=", 1)[0], flags, values


def test_login_response_sets_a_secure_httponly_samesite_cookie(app, prod_app):
    f.user("coordinator", "coord")
    db.session.commit()
    client = _prod_client(prod_app)
    response = _prod_login(client, "coord")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    cookies = [_cookie_attributes(h) for h in response.headers.getlist("Set-Cookie")]
    session = [c for c in cookies if c[0] == prod_app.config["SESSION_COOKIE_NAME"]]
    assert session, "login sets no session cookie"
    for _, flags, values in cookies:  # every cookie the login sets, session or remember
        assert {"httponly", "secure"} <= flags
        assert values.get("samesite", "").lower() in ("lax", "strict")
        assert "domain" not in values  # host-only
    _assert_secure_headers(response, "POST /login")
    assert client.get("/dashboard/", base_url=HTTPS).status_code == 200


def test_login_is_throttled_per_client_in_production(app, prod_app):
    """Flask-Limiter: 20 POSTs a minute to /login from one address; the 21st gets 429,
    whatever the account (so no one can guess passwords across many accounts quickly)."""
    for i in range(21):
        f.user("coordinator", f"throttle{i}")
    db.session.commit()
    client = _prod_client(prod_app)
    statuses = [
        _prod_login(client, f"throttle{i}", "wrong-password").status_code for i in range(21)
    ]
    assert statuses[:20] == [401] * 20
    assert statuses[20] == 429
    # even the right password is refused while throttled
    assert _prod_login(client, "throttle0").status_code == 429
    # GET of the login page is not throttled
    assert client.get("/login", base_url=HTTPS).status_code == 200


def test_failures_below_the_throttle_reset_on_success(app, client):
    f.user("coordinator", "coord")
    db.session.commit()
    free = app.config["LOGIN_THROTTLE_FREE_FAILURES"]
    for _ in range(free - 1):
        assert login(client, "coord", "bad-password").status_code == 401
    assert login(client, "coord").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/jobs/").get_data(True))})
    for _ in range(free - 1):
        assert login(client, "coord", "bad-password").status_code == 401
    assert login(client, "coord").status_code == 302  # 4 + 4 failures never throttled it
    assert db.session.query(AuditEvent).filter_by(action="user.locked").count() == 0


def test_unknown_and_locked_accounts_do_not_reveal_which_usernames_exist(app, client):
    f.user("coordinator", "coord")
    db.session.commit()
    unknown = login(client, "nobody-here", "bad-password")
    known = login(client, "coord", "bad-password")
    assert unknown.status_code == known.status_code == 401
    message = re.compile(r"用户名或密码错误")
    assert message.search(unknown.get_data(as_text=True))
    assert message.search(known.get_data(as_text=True))


def test_a_session_cookie_from_before_logout_is_dead_after_it(app, client):
    """Logging out replaces the account's session token, so a copied cookie stops working."""
    f.user("coordinator", "coord")
    db.session.commit()
    login(client, "coord")
    name = app.config["SESSION_COOKIE_NAME"]
    stolen = client.get_cookie(name).value
    token = csrf_from(client.get("/jobs/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    g.pop("_login_user", None)
    replay = app.test_client()
    replay.set_cookie(name, stolen, domain="localhost")
    assert replay.get("/dashboard/").status_code == 302  # to /login
