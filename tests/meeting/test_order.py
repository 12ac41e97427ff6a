"""The 答辩 order: deterministic for a seed and a list, recomputable, refusing bad input."""

import pytest

from review_app.meeting.order import draw_order, input_hash, verify_order

CODES = [f"L{n:03d}" for n in range(1, 17)]


def test_the_same_seed_and_list_give_the_same_order_whatever_the_input_order():
    a = draw_order(CODES, "8341")
    b = draw_order(list(reversed(CODES)), " 8341 ")
    assert a == b
    assert sorted(a.order) == sorted(CODES) and a.input_hash == input_hash(CODES)


def test_another_seed_gives_another_order():
    assert draw_order(CODES, "8341").order != draw_order(CODES, "8342").order


def test_a_recorded_draw_verifies_and_a_changed_one_does_not():
    drawn = draw_order(CODES, "seed")
    assert verify_order(CODES, "seed", drawn.input_hash, drawn.order) == []
    swapped = list(drawn.order)
    swapped[0], swapped[1] = swapped[1], swapped[0]
    assert verify_order(CODES, "seed", drawn.input_hash, swapped) == [
        "按记录的种子重新抽签，答辩顺序与记录不一致。"
    ]
    problems = verify_order(CODES[:-1], "seed", drawn.input_hash, drawn.order)
    assert "参与抽签的申报名单与记录的哈希值不一致。" in problems


@pytest.mark.parametrize(
    ("codes", "seed", "message"),
    [(CODES, "  ", "抽签种子"), ([], "1", "没有可安排答辩"), (["L001", "L001"], "1", "重复")],
)
def test_bad_input_is_refused(codes, seed, message):
    with pytest.raises(ValueError, match=message):
        draw_order(codes, seed)
