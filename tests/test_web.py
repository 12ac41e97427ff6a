"""``local_path``: the one check behind every ``next``/``back`` redirect."""

import pytest

from review_app.web import local_path


@pytest.mark.parametrize(
    "target",
    ["/dashboard/", "/expert/assignments/3/score?", "/applications/?state=scored&q=%E4%B8%AD"],
)
def test_paths_of_this_site_pass(target):
    assert local_path(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "dashboard",
        "//evil.example/x",
        "/\\evil.example/x",
        "https://evil.example/",
        "javascript:alert(1)",
        "\\\\evil.example",
    ],  # fmt: skip
)
def test_anything_else_is_refused(target):
    assert local_path(target) is None
