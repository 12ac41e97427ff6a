"""The SVG primitives the charts are drawn with: colours, the per-class presentation defaults
(``STYLE``), escaped text and elements, scales, ticks, grids, legends and the ``<svg>`` frame."""

import math
from collections.abc import Callable

from markupsafe import Markup, escape

RED, BLUE, GREEN, AMBER = "#b42318", "#1570ef", "#12b76a", "#f79009"
GREY, GRID, INK = "#667085", "#eaecf0", "#344054"
SERIES_COLOURS = (BLUE, RED, GREEN, AMBER, GREY)
FONT = "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"
NO_DATA = "暂无数据"
MINUS = "\u2212"  # a true minus sign for printed differences

# The look of each class without a stylesheet; later classes in ``class`` win.
STYLE: dict[str, dict[str, str | float]] = {
    "chart-title": {"font-size": 14, "font-weight": 600},
    "chart-tick": {"fill": GREY, "font-size": 11},
    "chart-stats": {"fill": GREY, "font-size": 11},
    "chart-empty": {"fill": GREY},
    "chart-grid": {"stroke": GRID},
    "chart-axis": {"stroke": GREY},
    "chart-bar": {"fill": BLUE},
    "chart-over": {"fill": AMBER},
    "chart-track": {"fill": GRID},
    "chart-quota": {"stroke": RED, "stroke-width": 2},
    "chart-cut": {"stroke": RED, "stroke-width": 1.5, "stroke-dasharray": "6 4"},
    "chart-cut-label": {"fill": RED},
    "chart-mean": {"stroke": RED, "stroke-dasharray": "4 3"},
    "chart-own-mean": {"stroke": INK, "stroke-width": 2},
    "chart-ref": {"stroke": INK, "stroke-dasharray": "4 3"},
    "chart-ref-label": {"font-size": 11},
    "chart-dot": {"fill": GREY, "fill-opacity": 0.8},
    "chart-admitted": {"fill": GREEN},
    "chart-band": {"fill-opacity": 0.1},
    "chart-lenient": {"fill": AMBER},
    "chart-harsh": {"fill": BLUE},
    "chart-neutral": {"fill": GREY},
    "chart-line": {"fill": "none", "stroke-width": 2},
}

ROOT = {"xmlns": "http://www.w3.org/2000/svg", "width": "100%", "role": "img"}
TEXT = {"fill": INK, "font_family": FONT, "font_size": 12}  # inherited by every text
WIDTH = 640  # viewBox units; the element itself is width="100%"
PAD = 12
TITLE_H = 28  # the visible caption's line
LEGEND_Y = TITLE_H + 14
LABEL_W = 104  # room for about 8 CJK characters at 12 units
SLANTED_H = LABEL_W * 0.71 + 16  # height under an axis for labels turned 45°
ROW_H = 24
BIAS_FLAG = 2  # points of leniency beyond which a reviewer's row is coloured
CODES_UP_TO = 30  # ranking: each item's code under the axis up to this many items
RANK_LABEL_EVERY = 25


# ---- text, numbers and elements ---------------------------------------------------------------


def fmt(x: float) -> str:
    """A number with at most two decimals and no trailing zeros: 3 → "3", 2.50 → "2.5"."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def signed(x: float) -> str:
    """A difference with its sign: "+3.2", "−1.5" (true minus), "0"."""
    s = fmt(abs(x))
    return "0" if s == "0" else ("+" if x > 0 else MINUS) + s


def _esc(s) -> str:
    return str(escape(s))


def _el(tag: str, cls: str | None, content: str = "", **kw) -> str:
    """One element with its classes' STYLE; keyword attributes (``stroke_width`` → stroke-width)
    win. ``content`` must already be escaped markup; attribute values are escaped here."""
    attrs: dict = {"class": cls} if cls else {}
    for name in (cls or "").split():
        attrs.update(STYLE.get(name, {}))
    attrs.update((k.rstrip("_").replace("_", "-"), v) for k, v in kw.items() if v is not None)
    text = "".join(
        f' {k}="{fmt(v) if isinstance(v, int | float) else _esc(v)}"' for k, v in attrs.items()
    )
    return f"<{tag}{text}>{content}</{tag}>" if content else f"<{tag}{text}/>"


def _tip(text) -> str:
    """A tooltip (and accessible name) for the enclosing element."""
    return _el("title", None, _esc(text)) if text else ""


def _text(x, y, s, cls="chart-label", anchor=None, tip=None, **kw) -> str:
    return _el("text", cls, _esc(s) + _tip(tip), x=x, y=y, text_anchor=anchor, **kw)


def _rect(x, y, w, h, cls="chart-bar", tip=None, **kw) -> str:
    return _el("rect", cls, _tip(tip), x=x, y=y, width=max(w, 0), height=max(h, 0), **kw)


def _line(x1, y1, x2, y2, cls, tip=None) -> str:
    return _el("line", cls, _tip(tip), x1=x1, y1=y1, x2=x2, y2=y2)


def _dot(cx, cy, r, cls, tip, **kw) -> str:
    return _el("circle", cls, _tip(tip), cx=cx, cy=cy, r=r, **kw)


def _text_w(s: str) -> float:
    """Estimated width at 12 units: CJK characters are square, others about 0.6 em."""
    return sum(12 if ord(c) >= 0x2E80 else 7.2 for c in s)


def _label(x, y, s, max_w: float, **kw) -> str:
    """A label cut with "…" to fit ``max_w``; a cut label carries the full text as its tooltip."""
    s = cut = str(s)
    while _text_w(cut) > max_w and len(cut) > 1:
        cut = cut.removesuffix("…")[:-1] + "…"
    return _text(x, y, cut, tip=s if cut != s else None, **kw)


def _slanted(x, y, s, cls="chart-label") -> str:
    """A label under an axis, turned 45° so that long labels of narrow bands do not collide."""
    spin = f"rotate(-45 {fmt(x)} {fmt(y)})"
    return _label(x, y, s, LABEL_W, cls=cls, anchor="end", transform=spin)


# ---- scales, axes and the frame ---------------------------------------------------------------


def _scale(d0: float, d1: float, r0: float, r1: float) -> Callable[[float], float]:
    """Linear map of the domain [d0, d1] onto [r0, r1]; values outside are clamped."""
    span = (d1 - d0) or 1
    return lambda v: r0 + (min(max(v, d0), d1) - d0) / span * (r1 - r0)


def _ticks(lo: float, hi: float, *, exact: bool = False, integer: bool = False):
    """Round axis bounds and about five ticks covering [lo, hi]; ``exact`` keeps the bounds,
    ``integer`` keeps the step whole (for counts)."""
    hi = max(hi, lo + 1)
    raw = (hi - lo) / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    step = max(step, 1) if integer else step
    if not exact:
        lo, hi = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
    first = math.ceil(lo / step - 1e-9) * step
    count = int((hi - first) / step + 1e-9) + 1
    return lo, hi, [round(first + i * step, 9) for i in range(count)]


def _whole(values) -> bool:
    return all(float(v).is_integer() for v in values)


def _score_range(lo: float, hi: float) -> tuple[float, float]:
    """Scores widened to whole tens inside 0–100, at least ten points apart."""
    lo, hi = max(0, math.floor(lo / 10) * 10), min(100, math.ceil(hi / 10) * 10)
    return (lo, lo + 10) if hi <= lo else (lo, hi)


def _grid(ticks, pos, a: float, b: float, *, vertical: bool, unit: str = "") -> str:
    """Grid lines at each tick from ``a`` to ``b``, labelled below (vertical lines) or at the
    left (horizontal lines)."""
    out = []
    for t in ticks:
        p = pos(t)
        if vertical:
            out += [_line(p, a, p, b, "chart-grid")]
            out += [_text(p, b + 14, fmt(t) + unit, "chart-tick", "middle")]
        else:
            out += [_line(a, p, b, p, "chart-grid")]
            out += [_text(a - 4, p + 4, fmt(t) + unit, "chart-tick", "end")]
    return "".join(out)


def _legend(entries, y: float, x: float = PAD) -> str:
    """Colour swatches with names in one row."""
    out = []
    for name, colour in entries:
        out += [_rect(x, y - 10, 10, 10, "chart-legend", fill=colour), _text(x + 14, y, name)]
        x += 30 + _text_w(str(name))
    return "".join(out)


def _svg(title: str, desc: str, height: float, body: list[str]) -> Markup:
    """The frame: accessible name, title, description and the visible caption around ``body``."""
    head = _el("title", None, _esc(title)) + _el("desc", None, _esc(desc))
    size = f"0 0 {WIDTH} {fmt(height)}"
    body = head + _text(PAD, 20, title, "chart-title") + "".join(body)
    root = _el("svg", "chart", body, viewBox=size, aria_label=title, **ROOT, **TEXT)
    return Markup(root)  # noqa: S704 - every text and attribute was escaped by _el


def _empty(title: str) -> Markup:
    note = _text(WIDTH / 2, 50, NO_DATA, "chart-empty", "middle")
    return _svg(title, f"{title}：{NO_DATA}", 64, [note])


# ---- the charts -------------------------------------------------------------------------------


def _across(horizontal: bool, u: float, thick: float, s0: float, s1: float, cls, tip=None):
    """A bar ``thick`` wide from ``u`` across the bands, spanning s0–s1 on the value axis."""
    s, size = min(s0, s1), abs(s1 - s0)
    return _rect(s, u, size, thick, cls, tip) if horizontal else _rect(u, s, thick, size, cls, tip)
