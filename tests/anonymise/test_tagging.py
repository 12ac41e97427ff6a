"""``tagging.cut_block`` gives jieba's own part-of-speech tagging of a block (``jieba.posseg.dt
.cut``): the same words and flags, on the redaction corpus, generated 申报书 texts, and random
runs of characters (mostly ones jieba's dictionary does not know, the HMM's work), and its Viterbi
search the same route as jieba's."""

import random

import jieba.posseg

from review_app.anonymise import ner, tagging
from review_app.similarity import textgen

from .corpus import build_corpus


def _jieba(block: str) -> list[tuple[str, str]]:
    return [(word, flag) for word, flag in jieba.posseg.dt.cut(block)]


def _blocks(texts) -> list[str]:
    return list(dict.fromkeys(b for t in texts for b in ner.BLOCKS.split(t) if b))


def test_the_corpus_and_generated_texts_are_tagged_as_jieba_tags_them():
    ner.prepare()
    rng = random.Random(7)
    texts = [t for app in build_corpus() for t in app.sections.values()]
    texts += [textgen.section_text(rng, 800) for _ in range(40)]
    blocks = _blocks(texts)
    assert len(blocks) > 2000
    for block in blocks:
        assert tagging.cut_block(block) == _jieba(block), block


def test_random_characters_are_tagged_as_jieba_tags_them():
    ner.prepare()
    rng = random.Random(11)
    common = "".join(chr(c) for c in range(0x4E00, 0x9FA5))
    mixed = common[:3000] + "abcXYZ0123456789.+#&_"
    for _ in range(200):
        block = "".join(rng.choice(common if rng.random() < 0.5 else mixed)
                        for _ in range(rng.randint(1, 8)))  # fmt: skip
        for piece in ner.BLOCKS.split(block):
            if piece:
                assert tagging.cut_block(piece) == _jieba(piece), piece


def test_viterbi_route_is_jiebas():
    rng = random.Random(5)
    p = jieba.posseg
    for _ in range(150):
        obs = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(1, 6)))
        expected = p.viterbi(obs, p.char_state_tab_P, p.start_P, p.trans_P, p.emit_P)[1]
        assert tagging.viterbi(obs) == expected, obs
