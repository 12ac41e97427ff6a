"""Charts drawn on the server as inline SVG (图表). No JavaScript and no ``style`` attributes, so
the Content-Security-Policy (script-src and style-src 'self') needs no exception; each CSS class
carries default presentation attributes (``STYLE``) that a stylesheet may override.

Every function takes plain data and returns one ``<svg>`` as Markup that scales to its container
(``viewBox``, ``width="100%"``). Labels come from users and are always escaped. The same input
gives the same bytes: coordinates are rounded to two decimals and nothing depends on set order."""

import math
from datetime import date

from markupsafe import Markup

from .svg import (  # noqa: F401 - the palette, for the callers' series
    AMBER,
    BIAS_FLAG,
    BLUE,
    CODES_UP_TO,
    GREEN,
    GREY,
    LABEL_W,
    LEGEND_Y,
    MINUS,
    PAD,
    RANK_LABEL_EVERY,
    RED,
    ROW_H,
    SERIES_COLOURS,
    SLANTED_H,
    TITLE_H,
    WIDTH,
    _across,
    _dot,
    _el,
    _empty,
    _grid,
    _label,
    _legend,
    _line,
    _rect,
    _scale,
    _score_range,
    _slanted,
    _svg,
    _text,
    _text_w,
    _ticks,
    _whole,
    fmt,
    signed,
)


def bar_chart(
    items: list[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    max_value: float | None = None,
    marks: dict[str, float] | None = None,
    horizontal: bool = True,
) -> Markup:
    """Labelled bars (条形图), e.g. applications per prefecture. ``marks`` gives a per-label
    value such as the prefecture's quota (名额): a grey track up to it, a red tick at it, and
    the bar turns amber where it passes it. Bars start at 0; values past the axis are clipped."""
    if not items:
        return _empty(title)
    marks, n = marks or {}, len(items)
    values = [v for _, v in items] + [marks[k] for k, _ in items if k in marks]
    top_value = max(values) if max_value is None else max_value
    lo, hi, ticks = _ticks(0, top_value, exact=max_value is not None, integer=_whole(values))
    if horizontal:
        a0, top, band, rotate = PAD + LABEL_W, TITLE_H + 8, ROW_H, False
        bottom = top + n * band
        pos, height = _scale(lo, hi, a0, WIDTH - 96), bottom + 24
        out = [_grid(ticks, pos, top, bottom, vertical=True)]
    else:
        a0, top, bottom = PAD + 44, TITLE_H + 20, TITLE_H + 220
        pos, band = _scale(lo, hi, bottom, top), (WIDTH - PAD - a0) / n
        rotate = any(_text_w(str(k)) > band - 4 for k, _ in items)
        height = bottom + (SLANTED_H if rotate else 24)
        out = [_grid(ticks, pos, a0, WIDTH - PAD, vertical=False)]
    base, thick, parts = pos(lo), band * 0.64, []
    for i, (label, value) in enumerate(items):
        u = (top if horizontal else a0) + i * band + (band - thick) / 2  # the bar's near edge
        mid, mark, end = u + thick / 2, marks.get(label), pos(value)
        text = fmt(value) + ("" if mark is None else "/" + fmt(mark)) + unit
        parts.append(f"{label} {text}")
        over = mark is not None and value > mark
        if mark is not None:
            out.append(_across(horizontal, u, thick, base, pos(mark), "chart-track"))
        cls = "chart-bar chart-over" if over else "chart-bar"
        out.append(_across(horizontal, u, thick, base, end, cls, f"{label}：{text}"))
        if mark is not None:
            m, a, b = pos(mark), u - 3, u + thick + 3
            out.append(_line(*((m, a, m, b) if horizontal else (a, m, b, m)), "chart-quota"))
            end = max(end, pos(mark)) if horizontal else min(end, pos(mark))
        if horizontal:
            out.append(_label(a0 - 6, mid + 4, label, LABEL_W - 6, anchor="end"))
            out.append(_text(end + 6, mid + 4, text, "chart-value"))
            continue
        out.append(_text(mid, end - 6, text, "chart-value", "middle"))
        flat = _label(mid, bottom + 14, label, band - 2, anchor="middle")
        out.append(_slanted(mid, bottom + 12, label) if rotate else flat)
    axis = (base, top, base, bottom) if horizontal else (a0, base, WIDTH - PAD, base)
    out.append(_line(*axis, "chart-axis"))
    return _svg(title, f"{title}，共{n}项：" + "；".join(parts) + "。", height, out)


def stacked_progress(
    items: list[tuple[str, dict[str, int]]], *, title: str, series: list[tuple[str, str, str]]
) -> Markup:
    """Progress per label as 100% stacked bars (进度), e.g. a panel's reviews split into
    submitted / draft / assigned. ``series`` is (key, Chinese name, colour) in stacking order;
    the first series' share and count are printed at the right."""
    if not items or not series:
        return _empty(title)
    top, a0, a1 = LEGEND_Y + 12, PAD + LABEL_W, WIDTH - 128
    out, parts = [_legend([(name, colour) for _, name, colour in series], LEGEND_Y)], []
    for i, (label, counts) in enumerate(items):
        y, x = top + i * ROW_H + 4, a0
        got = [(key, name, colour, max(counts.get(key, 0), 0)) for key, name, colour in series]
        total, first = sum(c for *_, c in got), got[0][3]
        share = f"{fmt(round(100 * first / total, 1))}%" if total else "—"
        out.append(_label(a0 - 6, y + 12, label, LABEL_W - 6, anchor="end"))
        out.append(_rect(a0, y, a1 - a0, ROW_H - 8, "chart-track"))
        for key, name, colour, count in got:
            if count:
                w, cls = (a1 - a0) * count / total, f"chart-seg chart-seg-{key}"
                out.append(_rect(x, y, w, ROW_H - 8, cls, f"{label} {name}：{count}", fill=colour))
                x += w
        out.append(_text(a1 + 6, y + 12, f"{share} ({first}/{total})", "chart-value"))
        split = "，".join(f"{name}{count}" for _, name, _, count in got)
        parts.append(f"{label}：{split}，{series[0][1]}{share}")
    height = top + len(items) * ROW_H + 8
    return _svg(title, f"{title}：" + "；".join(parts) + "。", height, out)


def _bin_counts(values: list[float], bins: int, lo: float, hi: float) -> list[int]:
    """Counts per equal-width bin of [lo, hi]; the last bin includes ``hi``, values outside the
    range fall into the end bins."""
    counts, width = [0] * bins, (hi - lo) / bins
    for v in values:
        counts[min(max(int((v - lo) // width), 0), bins - 1)] += 1
    return counts


def histogram(
    values: list[float],
    *,
    title: str,
    bins: int = 10,
    lo: float = 0,
    hi: float = 100,
    unit: str = "分",
    groups: dict[str, list[float]] | None = None,
) -> Markup:
    """Score distribution (分数分布) with n and mean (dashed red line). With ``groups`` (e.g. per
    panel) one small histogram per group replaces ``values``; rows share both axes."""
    rows = list(groups.items()) if groups is not None else [("", values)]
    if not any(vs for _, vs in rows) or bins < 1 or hi <= lo:
        return _empty(title)
    many = groups is not None
    a0, a1 = PAD + (LABEL_W if many else 8), WIDTH - PAD - 8
    top, row_h = TITLE_H + (8 if many else 22), 64 if many else 180
    bottom, pos, bw = top + len(rows) * row_h, _scale(lo, hi, a0, a1), (a1 - a0) / bins
    counts = [_bin_counts(vs, bins, lo, hi) for _, vs in rows]
    peak = max(max(c) for c in counts)
    edges = [lo + (hi - lo) * i / bins for i in range(bins + 1)]
    out, parts = [_grid(edges[:: math.ceil((bins + 1) / 11)], pos, top, bottom, vertical=True)], []
    for r, ((name, vs), row) in enumerate(zip(rows, counts, strict=True)):
        base = top + (r + 1) * row_h - 2
        mean = sum(vs) / len(vs) if vs else None
        stats = f"n={len(vs)}" + ("" if mean is None else f" 均值{fmt(mean)}{unit}")
        for b, count in enumerate(row):
            h = (row_h - 20) * count / peak
            tip = f"{fmt(edges[b])}–{fmt(edges[b + 1])}{unit}：{count}"
            out.append(_rect(a0 + b * bw + 1, base - h, bw - 2, h, "chart-bar", tip))
            if count:
                out.append(_text(a0 + (b + 0.5) * bw, base - h - 3, count, "chart-tick", "middle"))
        out.append(_line(a0, base, a1, base, "chart-axis"))
        if mean is not None:
            out.append(_line(pos(mean), base - row_h + 10, pos(mean), base, "chart-mean", stats))
        if many:
            out.append(_label(PAD, base - row_h / 2, name, LABEL_W - 8))
            out.append(_text(PAD, base - row_h / 2 + 16, stats, "chart-stats"))
        else:
            out.append(_text(a0, TITLE_H + 10, stats, "chart-stats"))
        parts.append(f"{name}：{stats}" if many else stats)
    return _svg(title, f"{title}，" + "；".join(parts) + "。", bottom + 22, out)


def reviewer_strip(
    reviewers: list[tuple[str, list[float], float]],
    *,
    title: str,
    overall_mean: float | None = None,
) -> Markup:
    """Each reviewer's scores as dots in one row (评分宽严), their own mean as a tick and their
    leniency bias in points at the right; rows beyond ±2 points are amber (lenient) or blue
    (harsh). Rows stay in the order given; the axis spans the scores in whole tens."""
    if not reviewers:
        return _empty(title)
    scores = [s for _, own, _ in reviewers for s in own]
    scores += [] if overall_mean is None else [overall_mean]
    lo, hi = _score_range(min(scores), max(scores)) if scores else (0, 100)
    a0, a1, top = PAD + LABEL_W, WIDTH - 64, TITLE_H + 22
    bottom, pos = top + len(reviewers) * ROW_H, _scale(lo, hi, a0, a1)
    out = [_grid(_ticks(lo, hi, exact=True)[2], pos, top, bottom, vertical=True)]
    flagged: dict[str, list[str]] = {"chart-lenient": [], "chart-harsh": []}
    for i, (label, own, bias) in enumerate(reviewers):
        y, kind = top + i * ROW_H, "chart-neutral"
        if abs(bias) > BIAS_FLAG:
            kind = "chart-lenient" if bias > 0 else "chart-harsh"
            flagged[kind].append(str(label))
            out.append(_rect(a0, y + 1, WIDTH - PAD - a0, ROW_H - 2, f"chart-band {kind}"))
        out.append(_label(a0 - 6, y + 16, label, LABEL_W - 6, anchor="end"))
        for s in own:
            out.append(_dot(pos(s), y + ROW_H / 2, 4, f"chart-dot {kind}", f"{label}：{fmt(s)}分"))
        if own:
            m = sum(own) / len(own)
            tip = f"{label} 均值{fmt(m)}分"
            out.append(_line(pos(m), y + 4, pos(m), y + ROW_H - 4, "chart-own-mean", tip))
        out.append(_text(WIDTH - PAD, y + 16, signed(bias), f"chart-value {kind}", "end"))
    desc = f"{title}，共{len(reviewers)}位专家"
    if overall_mean is not None:
        x = pos(overall_mean)
        out.append(_line(x, top - 4, x, bottom, "chart-ref"))
        out.append(_text(x, top - 8, f"总均值 {fmt(overall_mean)}", "chart-ref-label", "middle"))
        desc += f"，总均值{fmt(overall_mean)}分"
    for kind, words in (
        ("chart-lenient", f"偏宽（高于+{BIAS_FLAG}分）"),
        ("chart-harsh", f"偏严（低于{MINUS}{BIAS_FLAG}分）"),
    ):
        names = flagged[kind]
        desc += f"；{words}{len(names)}位" + (f"：{'、'.join(names)}" if names else "")
    return _svg(title, desc + "。", bottom + 24, out)


def _date_positions(days: list[str]) -> tuple[dict[str, float], dict[str, str]]:
    """Position and short label ("4/10") of each ISO date; if any string is not an ISO date,
    all are evenly spaced and shown as given."""
    try:
        parsed = {d: date.fromisoformat(d) for d in days}
    except ValueError:
        return {d: i for i, d in enumerate(days)}, {d: d for d in days}
    where = {d: p.toordinal() for d, p in parsed.items()}
    return where, {d: f"{p.month}/{p.day}" for d, p in parsed.items()}


def line_chart(
    series: list[tuple[str, list[tuple[str, float]]]], *, title: str, unit: str = ""
) -> Markup:
    """Progress over time (进度曲线): x is dates (ISO strings, shown as "4/10", spaced by the
    calendar), y the values; several named series with points, a line and a legend."""
    points = [p for _, pts in series for p in pts]
    if not points:
        return _empty(title)
    days = sorted({d for d, _ in points})
    where, short = _date_positions(days)
    values = [v for _, v in points]
    lo, hi, ticks = _ticks(min(0, *values), max(values), integer=_whole(values))
    a0, a1, top, bottom = PAD + 44, WIDTH - PAD - 8, LEGEND_Y + 16, LEGEND_Y + 216
    x, y = _scale(where[days[0]], where[days[-1]], a0, a1), _scale(lo, hi, bottom, top)
    out = [_grid(ticks, y, a0, a1, vertical=False, unit=unit)]
    for d in days[:: math.ceil(len(days) / 8)]:
        out.append(_text(x(where[d]), bottom + 16, short[d], "chart-tick", "middle"))
    out.append(_line(a0, bottom, a1, bottom, "chart-axis"))
    legend, parts = [], []
    for k, (name, pts) in enumerate(series):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        legend.append((name, colour))
        pts = sorted(pts, key=lambda p: where[p[0]])
        if not pts:
            continue
        line = " ".join(f"{fmt(x(where[d]))},{fmt(y(v))}" for d, v in pts)
        out.append(_el("polyline", "chart-line", points=line, stroke=colour))
        for d, v in pts:
            tip = f"{name} {short[d]}：{fmt(v)}{unit}"
            out.append(_dot(x(where[d]), y(v), 3, "chart-dot", tip, fill=colour, fill_opacity=1))
        (d0, v0), (d1, v1) = pts[0], pts[-1]
        parts.append(f"{name}：{short[d0]} {fmt(v0)}{unit} 至 {short[d1]} {fmt(v1)}{unit}")
    out.append(_legend(legend, LEGEND_Y))
    return _svg(title, f"{title}，" + "；".join(parts) + "。", bottom + 24, out)


def ranking_chart(
    scores: list[tuple[str, float, bool]],
    *,
    title: str,
    cut_rank: int | None = None,
    cut_score: float | None = None,
) -> Markup:
    """Scores by rank (排名) in the order given (descending): one dot per item, admitted green,
    others grey; a dashed line at ``cut_score`` (入库线) and/or after rank ``cut_rank``. Up to
    30 items each has its code under the axis; beyond, every 25th rank is labelled."""
    if not scores:
        return _empty(title)
    n, plain = len(scores), [s for _, s, _ in scores]
    lo, hi = _score_range(min(plain + ([] if cut_score is None else [cut_score])), max(plain))
    codes = n <= CODES_UP_TO  # room at the left for the first rotated code
    a0, a1, top, bottom = PAD + (64 if codes else 32), WIDTH - PAD, LEGEND_Y + 16, LEGEND_Y + 236
    band, y = (a1 - a0) / n, _scale(lo, hi, bottom, top)
    out = [_legend([("入库", GREEN), ("未入库", GREY)], LEGEND_Y)]
    out.append(_grid(_ticks(lo, hi, exact=True)[2], y, a0, a1, vertical=False))
    r = min(5, max(1.5, band * 0.35))
    for i, (code, score, admitted) in enumerate(scores):
        cx, cls = a0 + (i + 0.5) * band, "chart-dot chart-admitted" if admitted else "chart-dot"
        tip = f"第{i + 1}位 {code}：{fmt(score)}分" + ("（入库）" if admitted else "")
        out.append(_dot(cx, y(score), r, cls, tip))
        if codes:
            out.append(_slanted(cx, bottom + 12, code, "chart-tick"))
        elif i == 0 or (i + 1) % RANK_LABEL_EVERY == 0:
            out.append(_text(cx, bottom + 16, i + 1, "chart-tick", "middle"))
    out.append(_line(a0, bottom, a1, bottom, "chart-axis"))
    words = "入库线" + (f" 第{cut_rank}位" if cut_rank else "")
    words += "" if cut_score is None else f" {fmt(cut_score)}分"
    if cut_rank and cut_rank <= n:
        xc = a0 + cut_rank * band
        out.append(_line(xc, top, xc, bottom, "chart-cut chart-cut-rank"))
        if cut_score is None:
            out.append(_text(xc + 4, top + 12, words, "chart-cut-label"))
    if cut_score is not None:
        out.append(_line(a0, y(cut_score), a1, y(cut_score), "chart-cut"))
        out.append(_text(a1, y(cut_score) - 5, words, "chart-cut-label", "end"))
    admitted = sum(1 for *_, ok in scores if ok)
    desc = f"{title}，共{n}项，入库{admitted}项；最高{fmt(max(plain))}分，最低{fmt(min(plain))}分"
    desc += "" if words == "入库线" else f"；{words}"
    height = bottom + (SLANTED_H if codes else 24)
    return _svg(title, desc + "。", height, out)
