"""Generated narrative text for the bench, the simulation and the tests (pure), and planted
copies with the edits a copier makes: sentences reordered, figures changed, traditional
characters.

Sentences are drawn word by word from a vocabulary of this field, so two generated texts share
words and stock phrases but, like two real 申报书, hardly any long run of characters.
"""

import random
from functools import cache

from .normalise import character_table

OPENERS = ("企业", "公司", "我们", "项目组", "本厂", "工厂", "车间", "集团", "团队", "该基地")
VERBS = ("建设了", "部署了", "升级了", "打通了", "引入了", "优化了", "完善了", "构建了", "改造了",
         "推广了", "整合了", "规划了", "上线了", "研制了", "完成了", "实施了", "搭建了", "提升了")  # fmt: skip
MODIFIERS = ("覆盖全厂的", "面向订单的", "基于模型的", "多品种小批量的", "跨部门的", "自主可控的",
             "柔性的", "高精度的", "在线的", "分布式的", "标准化的", "模块化的", "精细化的",
             "一体化的", "全天候的", "可追溯的", "低能耗的", "轻量化的", "高可靠的", "协同的")  # fmt: skip
OBJECTS = ("排产计划", "工艺路线", "物料配送", "质量检验", "设备点检", "能源计量", "仓储物流",
         "订单交付", "来料检验", "模具管理", "刀具寿命", "焊接工艺", "涂装工序", "装配节拍",
         "试验数据", "备件库存", "安全巡检", "班组绩效", "成本核算", "客户服务", "售后维修",
         "供应商协同", "产品设计", "工装夹具", "热处理", "铸造车间", "机加工", "冲压线",
         "包装环节", "检测平台", "计量器具", "生产看板", "异常处理", "工单流转", "物料编码",
         "工艺文件", "质量档案", "设备台账", "环境监测", "危废管理", "人员培训", "技能认证",
         "配方管理", "批次追踪", "出入库", "计划协同", "采购寻源", "财务共享", "营销渠道")  # fmt: skip
# Nouns are an object of the field with a facet: some 2,000 of them.
FACETS = ("数据", "台账", "流程", "标准", "模型", "看板", "规则", "指标", "接口", "档案", "预警",
          "计划", "报表", "工单", "知识库", "评价", "审核", "调度", "监控", "分析", "追溯",
          "仿真", "配置", "策略", "清单", "日志", "统计", "巡检", "校准", "闭环", "协同", "改善",
          "考核", "编码", "采样", "建模", "诊断", "复盘", "寻优", "排程")  # fmt: skip
RESULTS = ("效率明显提高", "差错率大幅下降", "周期缩短", "成本降低", "交付更加准时",
           "管理更加透明", "响应速度加快", "资源利用率上升", "质量稳定性增强", "人员负荷下降",
           "库存周转加快", "能耗持续下降", "客户满意度提升", "决策更有依据")  # fmt: skip
LINKS = ("同时", "此外", "在此基础上", "通过这些措施", "目前", "下一步", "经过两年建设", "与此同时",
         "为此", "其中", "具体来看", "总体上")  # fmt: skip
UNITS = ("%", "万元", "个", "台套", "天", "小时", "项", "人")


def noun(rng: random.Random) -> str:
    return rng.choice(OBJECTS) + rng.choice(FACETS)


def sentence(rng: random.Random) -> str:
    """One generated sentence (about 30-60 characters)."""
    parts = [rng.choice(LINKS), "，", rng.choice(OPENERS)]
    for k in range(rng.randint(2, 3)):
        if k:
            parts.append(rng.choice(("，并", "，又", "，还", "，进一步")))
        parts += [rng.choice(VERBS), rng.choice(MODIFIERS), noun(rng),
                  rng.choice(("与", "和", "及")), noun(rng)]  # fmt: skip
    parts += ["，", noun(rng), rng.choice(RESULTS)]
    if rng.random() < 0.6:
        parts += [f"{rng.randint(3, 95)}{rng.choice(UNITS)}"]
    parts.append("。")
    return "".join(parts)


def section_text(rng: random.Random, chars: int = 800) -> str:
    """A generated section of about ``chars`` characters, in paragraphs."""
    out, size = [], 0
    while size < chars:
        s = sentence(rng)
        out.append(s)
        size += len(s)
        if rng.random() < 0.15:
            out.append("\n")
    return "".join(out).strip()


def split_sentences(text: str) -> list[str]:
    out, current = [], ""
    for char in text:
        current += char
        if char in "。！？；\n":
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


@cache
def _s2t() -> dict[int, str]:
    return character_table("STCharacters.txt")


def traditional(text: str) -> str:
    """``text`` in traditional characters (character by character)."""
    return text.translate(_s2t())


def change_numbers(text: str, rng: random.Random) -> str:
    """Every figure of ``text`` replaced by another."""
    out, i = [], 0
    while i < len(text):
        if text[i].isdigit():
            j = i
            while j < len(text) and (text[j].isdigit() or text[j] == "."):
                j += 1
            out.append(str(rng.randint(2, 99)))
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def plant(source: str, target: str, rng: random.Random, share: float = 0.5,
          edits: tuple[str, ...] = ()) -> str:  # fmt: skip
    """``target`` with about ``share`` of its sentences replaced by a run of ``source``'s,
    edited by ``edits`` (see ``edit``)."""
    src, dst = split_sentences(source), split_sentences(target)
    n = max(1, min(len(src), round(len(dst) * share)))
    first = rng.randint(0, len(src) - n)
    copied = src[first : first + n]
    text = edit("".join(copied), rng, edits)
    at = rng.randint(0, max(0, len(dst) - n))
    return "".join(dst[:at]) + text + "".join(dst[at + n :])


def reword(text: str, rng: random.Random) -> str:
    """Each sentence of ``text`` with one of its objects of the field replaced by another (a
    copier putting in their own products and processes)."""
    out = []
    for sentence in split_sentences(text):
        present = [o for o in OBJECTS if o in sentence]
        if present:
            sentence = sentence.replace(rng.choice(present), rng.choice(OBJECTS), 1)
        out.append(sentence)
    return "".join(out)


def edit(text: str, rng: random.Random, edits: tuple[str, ...]) -> str:
    """``text`` after a copier's ``edits`` ("reorder", "numbers", "traditional", "reword")."""
    if "reword" in edits:
        text = reword(text, rng)
    if "reorder" in edits:
        parts = split_sentences(text)
        rng.shuffle(parts)
        text = "".join(parts)
    if "numbers" in edits:
        text = change_numbers(text, rng)
    if "traditional" in edits:
        text = traditional(text)
    return text


def insert(passage: str, text: str, rng: random.Random) -> str:
    """``text`` with ``passage`` put in at one of its sentence ends."""
    parts = split_sentences(text)
    at = rng.randint(0, len(parts))
    return "".join(parts[:at]) + passage + "".join(parts[at:])
