"""The four footnotes of the notice's 附件1 (企业类型, 所属行业, 所属产业链, 事故), in its words,
printed under the basic-information table of the blank 申报书."""

from .reference import chains

HEADING = "注："


def footnotes() -> tuple[str, ...]:
    """The footnotes, numbered; the chain list comes from the same data file the check uses."""
    by_list: dict[str, list[str]] = {}
    for name, category in chains().items():
        by_list.setdefault(category, []).append(name)
    lists = "。".join(f"{category}：{'、'.join(names)}" for category, names in by_list.items())
    return (
        "1. 企业类型：根据《统计上大中小微型企业划分办法（2017）》《关于印发中小企业划型标准规定的"
        "通知》规定，工业企业大、中、小、微企业划分标准如下：从业人员1000人及以上，且营业收入40000"
        "万元及以上的为大型企业；从业人员300人及以上1000人以下，且营业收入2000万元及以上40000万元"
        "以下的为中型企业；从业人员20人及以上300人以下，且营业收入300万元及以上2000万元以下的为小型"
        "企业；从业人员20人以下或营业收入300万元以下的为微型企业。",
        "2. 所属行业大类和中类，根据《国民经济行业分类与代码（GB/T 4754-2017）》进行选填。",
        "3. 所属产业链从“7+28+N”中选择所属的重点产业链或第一批专精特新细分领域产业链中选择。"
        f"{lists}。",
        "4. 较大及以上安全生产事故认定标准见《生产安全事故报告和调查处理条例》（中华人民共和国国务院令"
        "第493号），较大及以上环境事故认定标准见《国家突发环境事件应急预案》（国办函〔2014〕119号）"
        "附件1。",
    )
