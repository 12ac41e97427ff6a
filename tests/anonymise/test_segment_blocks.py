"""``ner.segment`` cuts a text block by block and keeps each block's words: the words, flags
and offsets are those of jieba's ``posseg.cut`` of the whole text."""

import jieba.posseg

from review_app.anonymise import ner

TEXTS = [
    "",
    "河南宏达智能装备有限公司（以下简称“宏达智能”）由总经理王建国负责。",
    "2023年营业收入12.5亿元，同比增长8%；MES覆盖率100%，设备联网率95.3%。",
    "联系人：李红  电话 0371-12345678\n邮箱 li@example.com\r\n网址 www.example.com",
    "郑州市金水区  洛阳 新乡\t南阳；許昌（繁體）與焦作。C++ & C# 平台._x",
    "本企业建设了智能工厂。本企业建设了智能工厂。刘海涛和赵敏参与了项目。",
]


def test_segment_gives_posseg_cut_of_the_whole_text():
    ner._initialised()
    for text in TEXTS * 2:  # the second pass reads the kept blocks
        expected, pos = [], 0
        for word, flag in jieba.posseg.dt.cut(text):
            expected.append((pos, pos + len(word), word, flag))
            pos += len(word)
        ner.segment.cache_clear()  # the per-text cache: compare the per-block path itself
        assert list(ner.segment(text)) == expected, text
