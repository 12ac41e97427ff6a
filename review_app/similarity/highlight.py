"""A text cut into segments for the side-by-side page: plain, or a shared passage (its number).
The template escapes every segment; nothing here is markup."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    text: str
    passage: int | None  # 1-based number of the shared passage, None for plain text


def segments(text: str, spans: list[tuple[int, int]]) -> list[Segment]:
    """``text`` cut at ``spans`` ((start, length) of each passage, in passage order); spans
    outside the text or overlapping an earlier one are clipped."""
    marks = sorted(((s, n, k + 1) for k, (s, n) in enumerate(spans)), key=lambda t: t[0])
    out, position = [], 0
    for start, length, number in marks:
        end = min(len(text), start + max(0, length))
        start = max(start, position)
        if end <= start:
            continue
        if start > position:
            out.append(Segment(text[position:start], None))
        out.append(Segment(text[start:end], number))
        position = end
    if position < len(text):
        out.append(Segment(text[position:], None))
    return out
