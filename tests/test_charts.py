"""Server-side SVG charts (``review_app.charts``): every output is one well-formed, accessible,
scalable ``<svg>``; the marks map the data; user text is escaped; the same input gives the same
bytes."""

import re
import xml.etree.ElementTree as ET

import pytest

from review_app import charts
from review_app.charts import (
    bar_chart,
    fmt,
    histogram,
    line_chart,
    ranking_chart,
    reviewer_strip,
    signed,
    stacked_progress,
)

NS = "{http://www.w3.org/2000/svg}"
CJK = re.compile(r"[\u4e00-\u9fff]")
EVIL = "<script>alert('x')</script>&"
SERIES = [("submitted", "已提交", charts.GREEN), ("draft", "草稿", charts.AMBER)]


def parse(markup) -> ET.Element:
    root = ET.fromstring(str(markup))  # noqa: S314 - our own output
    assert root.tag.endswith("svg")
    return root


def find(root, tag: str, cls: str | None = None) -> list[ET.Element]:
    """Elements of ``tag`` whose class list holds ``cls``, in document order."""
    return [e for e in root.iter(NS + tag) if cls is None or cls in e.get("class", "").split()]


def texts(root) -> list[str]:
    return ["".join(e.itertext()) for e in find(root, "text")]


def num(element, attr: str) -> float:
    return float(element.get(attr))


def scores_200() -> list[tuple[str, float, bool]]:
    """Scores 100, 99.75 … 50.25 (axis 50–100), the first 60 admitted."""
    return [(f"HN2026-{i:04d}", 100 - i * 0.25, i < 60) for i in range(200)]


# One typical call per chart, with user text in every place a label can come from.
SAMPLES = {
    "bar": lambda label: bar_chart(
        [(label, 7), ("洛阳市", 12)], title="各地市推荐数", unit="家", marks={label: 8}
    ),
    "bar_vertical": lambda label: bar_chart(
        [(label, 7), ("洛阳市", 12)], title="各地市", horizontal=False
    ),
    "stacked": lambda label: stacked_progress(
        [(label, {"submitted": 3, "draft": 1})], title="评审进度", series=SERIES
    ),
    "histogram": lambda label: histogram([60, 70, 80], title="总分分布"),
    "groups": lambda label: histogram(
        [], title="分组分布", groups={label: [60, 65], "第二组": [80, 90, 95]}
    ),
    "reviewers": lambda label: reviewer_strip(
        [(label, [70, 80], 3.2), ("专家B", [60, 75], -1.5)], title="专家宽严", overall_mean=72
    ),
    "line": lambda label: line_chart(
        [(label, [("2026-04-01", 3), ("2026-04-10", 9)])], title="进度", unit="份"
    ),
    "ranking": lambda label: ranking_chart(
        [(label, 90, True), ("HN2026-0002", 80, False)], title="排名", cut_rank=1, cut_score=90
    ),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_every_chart_is_an_accessible_scalable_svg(name):
    markup = SAMPLES[name]("郑州市")
    root = parse(markup)
    title, desc = root.find(NS + "title"), root.find(NS + "desc")
    assert title is not None and CJK.search(title.text)
    assert desc is not None and CJK.search(desc.text)
    assert root.get("role") == "img" and root.get("aria-label") == title.text
    assert root.get("width") == "100%" and "height" not in root.attrib
    assert re.fullmatch(r"0 0 640 [\d.]+", root.get("viewBox"))
    assert "Noto Sans CJK SC" in root.get("font-family")
    # The Content-Security-Policy forbids inline styles and scripts.
    assert all("style" not in e.attrib for e in root.iter())
    assert "<script" not in str(markup)


@pytest.mark.parametrize("name", SAMPLES)
def test_user_text_comes_out_escaped(name):
    markup = str(SAMPLES[name](EVIL))
    root = parse(markup)
    assert not [e for e in root.iter() if e.tag.lower().endswith("script")]
    assert "<script" not in markup
    if name != "histogram":  # the single histogram has no label
        assert "&lt;script&gt;" in markup


def test_title_is_escaped_too():
    markup = str(bar_chart([("甲", 1)], title=EVIL))
    root = parse(markup)
    assert root.get("aria-label") == root.find(NS + "title").text == EVIL
    assert "<script" not in markup


@pytest.mark.parametrize("name", SAMPLES)
def test_output_is_deterministic(name):
    assert SAMPLES[name]("郑州市") == SAMPLES[name]("郑州市")


@pytest.mark.parametrize(
    "chart",
    [
        lambda: bar_chart([], title="空"),
        lambda: stacked_progress([], title="空", series=SERIES),
        lambda: histogram([], title="空"),
        lambda: histogram([], title="空", groups={}),
        lambda: reviewer_strip([], title="空"),
        lambda: line_chart([], title="空"),
        lambda: line_chart([("已提交", [])], title="空"),
        lambda: ranking_chart([], title="空"),
    ],
)
def test_empty_input_says_no_data(chart):
    root = parse(chart())
    assert root.find(NS + "title").text == "空"
    assert "暂无数据" in texts(root)


def test_numbers_have_at_most_two_decimals():
    assert [fmt(3), fmt(2.50), fmt(1 / 3), fmt(-0.001), fmt(80.0)] == [
        "3",
        "2.5",
        "0.33",
        "0",
        "80",
    ]
    assert [signed(3.2), signed(-1.5), signed(0.001)] == ["+3.2", "\u22121.5", "0"]


def test_widest_bar_belongs_to_largest_value():
    root = parse(bar_chart([("甲", 3), ("乙", 12), ("丙", 7)], title="t"))
    widths = [num(r, "width") for r in find(root, "rect", "chart-bar")]
    assert widths.index(max(widths)) == 1
    assert widths[0] < widths[2] < widths[1]
    assert widths[1] / widths[0] == pytest.approx(4, rel=0.01)
    assert {"3", "12", "7"} <= set(texts(root))


def test_vertical_bars_rank_by_height():
    root = parse(bar_chart([("甲", 3), ("乙", 12)], title="t", horizontal=False))
    low, high = find(root, "rect", "chart-bar")
    assert num(high, "height") == pytest.approx(4 * num(low, "height"), rel=0.01)
    assert num(high, "y") < num(low, "y")  # taller bars rise from the same baseline


def test_many_vertical_bars_turn_their_labels():
    items = [(f"第{i}地市名称", i) for i in range(18)]
    root = parse(bar_chart(items, title="t", horizontal=False))
    labels = [t for t in find(root, "text", "chart-label") if t.text.startswith("第")]
    assert len(labels) == 18 and all(
        t.get("transform", "").startswith("rotate(-45") for t in labels
    )


def test_quota_marks_draw_a_track_a_tick_and_flag_an_overrun():
    items = [("郑州市", 12), ("洛阳市", 5)]
    root = parse(bar_chart(items, title="t", unit="家", max_value=20, marks={"郑州市": 10}))
    bars = find(root, "rect", "chart-bar")
    assert "chart-over" in bars[0].get("class") and bars[0].get("fill") == charts.AMBER
    assert "chart-over" not in bars[1].get("class")
    (track,), (tick,) = find(root, "rect", "chart-track"), find(root, "line", "chart-quota")
    assert num(track, "width") == pytest.approx(num(bars[0], "width") * 10 / 12, rel=0.01)
    assert num(tick, "x1") == pytest.approx(num(track, "x") + num(track, "width"), abs=0.01)
    assert "12/10家" in texts(root) and "5家" in texts(root)
    # max_value fixes the axis: 20 ends it even though the data stop at 12.
    assert "20" in texts(root) and "25" not in texts(root)


def test_long_labels_are_cut_with_the_full_text_as_tooltip():
    label = "济源产城融合示范区管理委员会"
    root = parse(bar_chart([(label, 1)], title="t"))
    (cut,) = [t for t in find(root, "text") if t.find(NS + "title") is not None]
    assert cut.text.endswith("…") and cut.find(NS + "title").text == label


def test_stacked_progress_splits_each_bar_and_prints_the_first_share():
    items = [("第一组", {"submitted": 40, "draft": 3, "assigned": 10}), ("第二组", {})]
    series = [*SERIES, ("assigned", "未开始", charts.GREY)]
    root = parse(stacked_progress(items, title="进度", series=series))
    segments = find(root, "rect", "chart-seg")
    assert [s.get("fill") for s in segments] == [charts.GREEN, charts.AMBER, charts.GREY]
    widths = [num(s, "width") for s in segments]
    assert widths[0] / widths[2] == pytest.approx(4, rel=0.01)
    (track, _) = find(root, "rect", "chart-track")
    assert sum(widths) == pytest.approx(num(track, "width"), abs=0.05)
    assert "75.5% (40/53)" in texts(root) and "— (0/0)" in texts(root)
    assert {"已提交", "草稿", "未开始"} <= set(texts(root))  # the legend


def test_histogram_counts_values_into_bins():
    root = parse(histogram([5, 15, 15, 95], title="总分分布", bins=10))
    heights = [num(r, "height") for r in find(root, "rect", "chart-bar")]
    assert len(heights) == 10
    assert heights[1] > heights[0] == heights[9] > 0
    assert heights[1] == pytest.approx(2 * heights[0])
    assert all(h == 0 for h in heights[2:9])
    desc = root.find(NS + "desc").text
    assert "n=4" in desc and "均值32.5分" in desc


def test_histogram_puts_top_and_out_of_range_values_in_the_end_bins():
    root = parse(histogram([100, 120, -5], title="t", bins=4))
    heights = [num(r, "height") for r in find(root, "rect", "chart-bar")]
    assert heights[3] == pytest.approx(2 * heights[0]) and heights[1] == heights[2] == 0


def test_histogram_groups_draw_one_row_per_group_on_a_shared_axis():
    groups = {"第一组": [61, 62, 63], "第二组": [85], "第三组": []}
    root = parse(histogram([1, 2, 3], title="分组", groups=groups, lo=60, bins=4))
    bars = find(root, "rect", "chart-bar")
    assert len(bars) == 12  # three rows of four bins; ``values`` is ignored
    rows = [bars[i : i + 4] for i in (0, 4, 8)]
    assert [[num(b, "x") for b in row] for row in rows[1:]] == [[num(b, "x") for b in rows[0]]] * 2
    assert num(rows[0][0], "height") == pytest.approx(3 * num(rows[1][2], "height"), abs=0.05)
    desc = root.find(NS + "desc").text
    assert "第一组：n=3 均值62分" in desc and "第三组：n=0" in desc
    assert {"第一组", "第二组", "第三组", "n=1 均值85分"} <= set(texts(root))


def test_reviewer_strip_marks_bias_by_sign_beyond_two_points():
    reviewers = [("专家A", [80, 90], 3.2), ("专家B", [70], -1.5), ("专家C", [55, 60], -4)]
    root = parse(reviewer_strip(reviewers, title="宽严", overall_mean=75))
    assert [signed(b) for *_, b in reviewers] == ["+3.2", "\u22121.5", "\u22124"]
    assert {"+3.2", "\u22121.5", "\u22124"} <= set(texts(root))
    dots = find(root, "circle", "chart-dot")
    assert [d.get("fill") for d in dots] == [charts.AMBER] * 2 + [charts.GREY] + [charts.BLUE] * 2
    assert len(find(root, "rect", "chart-lenient")) == len(find(root, "rect", "chart-harsh")) == 1
    # The axis spans whole tens around the data (50–90); the reference line sits at 75.
    x = {d.find(NS + "title").text: num(d, "cx") for d in dots}
    (ref,) = find(root, "line", "chart-ref")
    assert num(ref, "x1") == pytest.approx((x["专家A：80分"] + x["专家B：70分"]) / 2)
    ticks = [t.text for t in find(root, "text", "chart-tick")]
    assert ticks == ["50", "60", "70", "80", "90"]
    assert "总均值 75" in texts(root)
    desc = root.find(NS + "desc").text
    assert "偏宽" in desc and "专家A" in desc and "偏严" in desc and "专家C" in desc


def test_reviewer_rows_stay_in_the_given_order():
    root = parse(reviewer_strip([("乙", [70], 0), ("甲", [80], 0)], title="t"))
    labels = [t for t in texts(root) if t in ("甲", "乙")]
    assert labels == ["乙", "甲"]


def test_line_chart_spaces_dates_by_the_calendar():
    series = [
        ("已提交", [("2026-04-11", 30), ("2026-04-01", 0), ("2026-04-02", 10)]),
        ("已分配", [("2026-04-01", 50)]),
    ]
    root = parse(line_chart(series, title="进度", unit="份"))
    lines = find(root, "polyline", "chart-line")
    assert len(lines) == 2
    points = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
    (x1, y1), (x2, y2), (x3, y3) = points  # sorted by date
    assert x3 - x1 == pytest.approx(10 * (x2 - x1))
    assert y1 > y2 > y3  # larger values higher up
    assert len(find(root, "circle", "chart-dot")) == 4
    assert {"4/1", "4/11", "已提交", "已分配"} <= set(texts(root))


def test_ranking_chart_stays_readable_for_200_items():
    root = parse(ranking_chart(scores_200(), title="排名", cut_rank=60, cut_score=85.25))
    dots = find(root, "circle", "chart-dot")
    assert len(dots) == 200
    assert len(find(root, "circle", "chart-admitted")) == 60
    assert [d.get("fill") for d in dots[59:61]] == [charts.GREEN, charts.GREY]
    assert not any(t.startswith("HN2026") for t in texts(root))  # no per-item labels
    (axis,) = find(root, "line", "chart-axis")
    under = [t.text for t in find(root, "text", "chart-tick") if num(t, "y") > num(axis, "y1") + 8]
    assert under == ["1", "25", "50", "75", "100", "125", "150", "175", "200"]


def test_ranking_cut_line_sits_at_the_cut_score_on_a_known_scale():
    root = parse(ranking_chart(scores_200(), title="排名", cut_rank=60, cut_score=75))
    dots = find(root, "circle", "chart-dot")
    grid = [num(g, "y1") for g in find(root, "line", "chart-grid")]  # 50, 60 … 100
    assert len(grid) == 6
    (line,) = [c for c in find(root, "line", "chart-cut") if c.get("class") == "chart-cut"]
    assert num(line, "y1") == num(line, "y2") == pytest.approx((grid[0] + grid[-1]) / 2)
    assert num(line, "y1") == pytest.approx(num(dots[100], "cy"))  # the 101st scores exactly 75
    assert num(dots[0], "cy") == pytest.approx(grid[-1])
    (rank,) = find(root, "line", "chart-cut-rank")
    assert num(dots[59], "cx") < num(rank, "x1") < num(dots[60], "cx")
    assert "入库线 第60位 75分" in texts(root)


def test_small_ranking_labels_every_item_with_its_code():
    scores = [(f"HN-{i}", 90 - i, i < 2) for i in range(5)]
    root = parse(ranking_chart(scores, title="排名", cut_rank=2))
    assert {f"HN-{i}" for i in range(5)} <= set(texts(root))
    assert "入库线 第2位" in texts(root) and not find(root, "line", "chart-cut-rank")[1:]
