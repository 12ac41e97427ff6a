"""统一社会信用代码 check characters (GB 32100-2015)."""

from review_app.enterprises.uscc import check_char, make_uscc, org_check_char, uscc_problem


def test_published_example_is_valid():
    assert uscc_problem("91350100M000100Y43") is None
    assert check_char("91350100M000100Y4") == "3"
    assert org_check_char("M000100Y") == "4"


def test_made_codes_are_valid_and_carry_the_division():
    code = make_uscc("410300", "12345678")
    assert code[2:8] == "410300" and uscc_problem(code) is None


def test_problems_are_named_in_chinese():
    assert "18位" in uscc_problem("9141")
    assert "无效字符" in uscc_problem("91410300MA0000000O")
    good = make_uscc("410100", "87654321")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert "校验位" in uscc_problem(wrong)
