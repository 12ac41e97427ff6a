"""The 答辩 order, drawn with a recorded seed (pure).

The order depends on two things only: the seed (the number or phrase read out when the meeting
is scheduled) and the list drawn from (the applications' codes). ``input_hash`` is the sha256 of
the codes sorted and joined by newlines; the random source is ``random.Random`` seeded with the
sha256 of ``"<seed>|<input_hash>"``, which shuffles the sorted codes. Anyone holding the codes
and the seed recomputes the hash and the order (``verify_order``), as for the expert draw
(experts/draw.py)."""

import hashlib
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class DrawnOrder:
    order: tuple[str, ...]
    input_hash: str
    seed: str


def input_hash(codes) -> str:
    text = "\n".join(sorted(codes))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def draw_order(codes, seed: str) -> DrawnOrder:
    """The codes in their 答辩 order for ``seed``; ValueError on an empty seed or list, or a
    code given twice."""
    seed = (seed or "").strip()
    if not seed:
        raise ValueError("请填写抽签种子（现场宣读的数字或短语）。")
    codes = sorted(codes)
    if not codes:
        raise ValueError("没有可安排答辩的申报。")
    if len(set(codes)) != len(codes):
        raise ValueError("申报编号重复。")
    digest = input_hash(codes)
    material = hashlib.sha256(f"{seed}|{digest}".encode()).digest()
    rng = random.Random(int.from_bytes(material, "big"))  # noqa: S311 - reproducible by design
    rng.shuffle(codes)
    return DrawnOrder(tuple(codes), digest, seed)


def verify_order(codes, seed: str, recorded_hash: str, recorded_order) -> list[str]:
    """The differences (Chinese) between a recorded draw and its recomputation; [] if none."""
    again = draw_order(codes, seed)
    problems = []
    if again.input_hash != recorded_hash:
        problems.append("参与抽签的申报名单与记录的哈希值不一致。")
    if list(again.order) != list(recorded_order):
        problems.append("按记录的种子重新抽签，答辩顺序与记录不一致。")
    return problems
