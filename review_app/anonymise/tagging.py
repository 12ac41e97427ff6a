"""jieba's part-of-speech tagging of one block, the same words and flags as
``jieba.posseg.dt.cut(block)``, in about a third of the time (tests/anonymise/test_tagging.py
compares the two on the test corpus, generated 申报书 texts and random characters).

jieba cuts a block with its dictionary (``get_DAG``, ``calc``: used as they are) and hands each run
of characters it does not know to an HMM whose Viterbi search is most of the anonymisation's time
(2 characters a run on average, over up to 256 states each). jieba's search computes, for each
state of a character, the best of ALL the previous character's states, adding ``-inf`` for the
pairs that have no transition; the search here only visits the pairs that have one. A ``-inf``
candidate never beats the finite one that always exists (the state is one some previous state
leads to), so the maximum, its tie-break (the greater state) and every sum (added in the same
order) are the same. Everything else is jieba's own code path, restated for a block: its block,
number and letter patterns, its word-tag table and dictionary frequencies.
"""

from collections.abc import Iterator

import jieba
import jieba.posseg as posseg
from jieba.posseg.viterbi import MIN_FLOAT

_STATES = posseg.char_state_tab_P
_START = posseg.start_P
_TRANS = posseg.trans_P
_EMIT = posseg.emit_P
_ALL_STATES = _TRANS.keys()
# state -> [(previous state, log transition probability)]: the pairs with a transition
_PREVIOUS: dict = {}
for _before, _nexts in _TRANS.items():
    for _state, _p in _nexts.items():
        _PREVIOUS.setdefault(_state, []).append((_before, _p))


def cut_block(block: str) -> list[tuple[str, str]]:
    """(word, flag) of ``block``, one of the pieces ``posseg.re_han_internal`` splits a text into
    (as ``jieba.posseg.dt.cut(block)``)."""
    if not posseg.re_han_internal.match(block):
        return [(word, flag) for word, flag in posseg.dt.cut(block)]
    posseg.dt.makesure_userdict_loaded()
    return list(_cut_dag(block))


def _cut_dag(sentence: str) -> Iterator[tuple[str, str]]:
    """jieba.posseg's ``__cut_DAG``."""
    tokenizer = posseg.dt.tokenizer
    tags = posseg.dt.word_tag_tab
    dag = tokenizer.get_DAG(sentence)
    route: dict = {}
    tokenizer.calc(sentence, dag, route)
    x, buf, n = 0, "", len(sentence)
    while x < n:
        y = route[x][1] + 1
        word = sentence[x:y]
        if y - x == 1:
            buf += word
        else:
            if buf:
                yield from _unknown_run(buf, tokenizer, tags)
                buf = ""
            yield word, tags.get(word, "x")
        x = y
    if buf:
        yield from _unknown_run(buf, tokenizer, tags)


def _unknown_run(buf: str, tokenizer: jieba.Tokenizer, tags) -> Iterator[tuple[str, str]]:
    if len(buf) == 1:
        yield buf, tags.get(buf, "x")
    elif not tokenizer.FREQ.get(buf):
        yield from _cut_detail(buf)
    else:
        for char in buf:
            yield char, tags.get(char, "x")


def _cut_detail(sentence: str) -> Iterator[tuple[str, str]]:
    """jieba.posseg's ``__cut_detail``."""
    for blk in posseg.re_han_detail.split(sentence):
        if posseg.re_han_detail.match(blk):
            yield from _cut_hmm(blk)
        else:
            for x in posseg.re_skip_detail.split(blk):
                if x:
                    if posseg.re_num.match(x):
                        yield x, "m"
                    elif posseg.re_eng.match(x):
                        yield x, "eng"
                    else:
                        yield x, "x"


def _cut_hmm(sentence: str) -> Iterator[tuple[str, str]]:
    """jieba.posseg's ``__cut``."""
    route = viterbi(sentence)
    begin, nexti = 0, 0
    for i, char in enumerate(sentence):
        pos = route[i][0]
        if pos == "B":
            begin = i
        elif pos == "E":
            yield sentence[begin : i + 1], route[i][1]
            nexti = i + 1
        elif pos == "S":
            yield char, route[i][1]
            nexti = i + 1
    if nexti < len(sentence):
        yield sentence[nexti:], route[nexti][1]


def viterbi(obs: str) -> list[tuple[str, str]]:
    """The most likely (BMES position, tag) state of each character: jieba.posseg.viterbi's
    route, visiting only the state pairs that have a transition (see the module's docstring)."""
    first = obs[0]
    scores = {
        y: _START[y] + _EMIT[y].get(first, MIN_FLOAT) for y in _STATES.get(first, _ALL_STATES)
    }
    back: list[dict] = [dict.fromkeys(scores, "")]
    for char in obs[1:]:
        expected: set = set()
        for state in scores:
            expected.update(_TRANS[state])
        if not expected:  # no way on (jieba's model never gets here): jieba's own search
            return posseg.viterbi(obs, _STATES, _START, _TRANS, _EMIT)[1]
        candidates = set(_STATES.get(char, _ALL_STATES)) & expected or expected
        new_scores, pointers = {}, {}
        for y in candidates:
            emit = _EMIT[y].get(char, MIN_FLOAT)
            new_scores[y], pointers[y] = max(
                [(scores[y0] + p + emit, y0) for y0, p in _PREVIOUS[y] if y0 in scores]
            )
        scores = new_scores
        back.append(pointers)
    _prob, state = max((score, y) for y, score in scores.items())
    route = [state] * len(obs)
    for i in range(len(obs) - 1, -1, -1):
        route[i] = state
        state = back[i][state]
    return route
