"""用户管理's list: 50 accounts a page with the total, filtered by role, status and a search,
ordered from the URL, the filters combined; unknown arguments ignored; creating an account
returns to the same filtered list; the administrator's page only."""

import re
from datetime import datetime, timedelta
from urllib.parse import unquote

from review_app.auth.models import User
from review_app.clock import utcnow
from review_app.extensions import db

from .. import factories as f
from ..security.world import client_as


def _accounts():
    """60 experts (every fifth disabled, every seventh locked), 5 prefecture officers."""
    for i in range(60):
        u = f.user("expert", f"ex-{i:02d}", display_name=f"专家账号{i:02d}")
        u.is_active_account = i % 5 != 0
        u.locked_until = utcnow() + timedelta(hours=1) if i % 7 == 3 else None
        u.last_login_at = datetime(2026, 3, 1) + timedelta(days=i) if i < 10 else None
    for i in range(5):
        f.user("prefecture", f"pref-{i}", display_name=f"地市账号{i}")
    f.user("admin", "root")
    db.session.commit()


def _names(html: str) -> list[str]:
    return re.findall(r'<td class="mono"><a href="/admin/users/\d+">([^<]+)</a>', html)


def _admin(app):
    return client_as(app, "root")


def test_accounts_are_paged_by_fifty_with_the_total(app):
    _accounts()
    admin = _admin(app)
    total = db.session.query(User).count()
    first = admin.get("/admin/users?sort=username").get_data(as_text=True)
    second = admin.get("/admin/users?sort=username&page=2").get_data(as_text=True)
    assert f"共 {total} 个账号" in first and "第 1 / 2 页" in first
    assert len(_names(first)) == 50 and len(_names(second)) == total - 50
    assert _names(first) + _names(second) == sorted(_names(first) + _names(second))
    assert "sort=username" in re.search(r'<nav class="pager".*?</nav>', first, re.S).group(0)


def test_filters_and_order_come_from_the_url_and_combine(app):
    _accounts()
    admin = _admin(app)

    def names(query: str) -> list[str]:
        return _names(admin.get(f"/admin/users?{query}").get_data(as_text=True))

    assert names("role=prefecture") == [f"pref-{i}" for i in range(5)]
    assert set(names("role=expert&status=disabled")) == {f"ex-{i:02d}" for i in range(0, 60, 5)}
    locked = {f"ex-{i:02d}" for i in range(60) if i % 7 == 3}
    assert set(names("status=locked")) == locked
    html = admin.get("/admin/users?role=expert&status=active").get_data(as_text=True)
    active = {f"ex-{i:02d}" for i in range(60) if i % 5 and i % 7 != 3}
    assert set(_names(html)) == active and f"共 {len(active)} 个账号" in html
    assert names("q=专家账号07") == ["ex-07"]
    assert names("q=pref-3&role=prefecture") == ["pref-3"]
    assert names("q=pref-3&role=expert") == []
    # the last sign-in first, then the never signed in
    assert names("role=expert&sort=login")[:10] == [f"ex-{i:02d}" for i in range(9, -1, -1)]
    assert names("role=prefecture&sort=newest") == [f"pref-{i}" for i in range(4, -1, -1)]
    html = admin.get("/admin/users?q=%25").get_data(as_text=True)
    assert _names(html) == [] and "没有符合筛选条件的账号" in html


def test_unknown_arguments_are_ignored(app):
    _accounts()
    admin = _admin(app)
    plain = _names(admin.get("/admin/users").get_data(as_text=True))
    html = admin.get("/admin/users?role=boss&status=x&sort=y&page=z").get_data(as_text=True)
    assert _names(html) == plain and len(plain) == 50


def test_creating_an_account_returns_to_the_filtered_list(app):
    _accounts()
    admin = _admin(app)
    url = "/admin/users?role=expert&q=ex-&page=2"
    response = admin.post(url, data={
        "username": "ex-new", "display_name": "", "role": "expert", "prefecture": "",
        "password": "Initial-2026x", "csrf_token": admin.csrf})  # fmt: skip
    assert response.status_code == 302
    assert unquote(response.headers["Location"]).endswith(url)
    assert db.session.query(User).filter_by(username="ex-new").one().role == "expert"


def test_only_the_administrator_lists_accounts(app):
    _accounts()
    f.user("coordinator", "coord")
    db.session.commit()
    for name in ("coord", "pref-0", "ex-01"):
        assert client_as(app, name).get("/admin/users?role=expert").status_code == 403, name


def test_an_expired_lock_is_not_shown_as_one(app):
    """锁定至 only while the lock lasts: a lock whose time has passed reads 正常 on the list and
    on the account's page, as the 锁定 filter already counts it."""
    past, future = "lock-past", "lock-future"
    f.user("expert", past).locked_until = utcnow() - timedelta(minutes=1)
    f.user("expert", future).locked_until = utcnow() + timedelta(minutes=10)
    f.user("admin", "root")
    db.session.commit()
    admin = _admin(app)
    html = admin.get("/admin/users?q=lock-").get_data(as_text=True)
    row = {n: re.search(rf">{n}</a>.*?</tr>", html, re.S).group(0) for n in (past, future)}
    assert "锁定至" not in row[past] and "正常" in row[past] and "锁定至" in row[future]
    ids = dict(db.session.query(User.username, User.id).filter(User.username.in_([past, future])))
    assert "锁定至" not in admin.get(f"/admin/users/{ids[past]}").get_data(as_text=True)
    assert "锁定至" in admin.get(f"/admin/users/{ids[future]}").get_data(as_text=True)
    assert _names(admin.get("/admin/users?status=locked").get_data(as_text=True)) == [future]


def test_unlock_is_offered_only_while_the_lock_lasts(app):
    """解除锁定 on the account's page only while the lock lasts; posted for a lock whose time has
    passed, it is refused in Chinese and nothing changes (the column keeps the old time)."""
    past, future = "unlock-past", "unlock-future"
    f.user("expert", past).locked_until = utcnow() - timedelta(minutes=1)
    f.user("expert", future).locked_until = utcnow() + timedelta(minutes=10)
    f.user("admin", "root")
    db.session.commit()
    admin = _admin(app)
    ids = dict(db.session.query(User.username, User.id).filter(User.username.in_([past, future])))
    assert 'value="unlock"' not in admin.get(f"/admin/users/{ids[past]}").get_data(as_text=True)
    assert 'value="unlock"' in admin.get(f"/admin/users/{ids[future]}").get_data(as_text=True)
    before = db.session.get(User, ids[past]).locked_until
    response = admin.post(
        f"/admin/users/{ids[past]}", data={"acct-csrf_token": admin.csrf, "acct-action": "unlock"}
    )
    assert response.status_code == 400 and "该账号未被锁定。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, ids[past]).locked_until == before
    response = admin.post(
        f"/admin/users/{ids[future]}", data={"acct-csrf_token": admin.csrf, "acct-action": "unlock"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, ids[future]).locked_until is None
