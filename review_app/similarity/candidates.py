"""The candidate stage (pure): MinHash over the sentences of every text, LSH banding, and the
pairs of texts that share a near-identical sentence.

Each text is cut into its normalised sentences (short ones joined to the next, the form's own
sentences left out); each sentence is a set of character ``SHINGLE``-grams (or of jieba word
pairs, ``mode="words"``, kept for the comparison in the bench), summarised by a MinHash of
``NUM_PERM`` values under datasketch's permutations (scheme ``affine32``); LSH with the bands
and rows datasketch's ``MinHashLSH`` chooses for ``LSH_THRESHOLD`` puts near-identical sentences
in a common bucket. Sentences, not whole sections, are the items: a passage copied into a
long section changes the section's Jaccard similarity little, but its sentences are
near-identical; reordered sentences still meet.

The signatures and the bands are computed with numpy over the whole corpus at once:
datasketch's ``MinHashLSH.insert`` measured about 130 µs an item here, and a program of 5,000
applications has over a million sentences (bench/similarity_bench.py).
"""

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import jieba
import numpy as np
from datasketch import MinHash, MinHashLSH

from .exclusions import is_form_sentence
from .normalise import default_terms, sentences

SHINGLE = 4  # characters per shingle
MIN_ITEM = 12  # a sentence shorter than this is joined to the next
NUM_PERM = 24
LSH_THRESHOLD = 0.7
# A bucket holding more texts than this is wording that everyone uses (a stock phrase the
# stoplist lacks), not a copy between a few: its pairs are not candidates.
MAX_BUCKET = 64
# Near-identical sentences a pair must share to be checked: one sentence is less than a finding.
MIN_HITS = 2
_BLOCK = 4_000_000  # characters hashed at a time (memory)
_SEP = "\x02"


@dataclass(frozen=True)
class Doc:
    """A text to compare, with who wrote it: ``owner`` (texts of one owner are not compared:
    one application's sections) and ``earlier`` (texts of earlier years are compared only with
    this year's)."""

    text: str
    owner: object
    earlier: bool = False


@cache
def _lsh_shape() -> tuple[np.ndarray, np.ndarray, int, int]:
    perms = MinHash(num_perm=NUM_PERM, seed=1).permutations  # affine32: odd a, b, uint32
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    return perms[0].astype(np.uint32), perms[1].astype(np.uint32), lsh.b, lsh.r


def items(text: str, terms: tuple[str, ...]) -> list[str]:
    """The sentences of ``text`` that are candidate items."""
    out, pending = [], ""
    for sentence in sentences(text, terms):
        if is_form_sentence(sentence, terms):
            continue
        pending += sentence
        if len(pending) >= MIN_ITEM:
            out.append(pending)
            pending = ""
    if len(pending) >= SHINGLE and out:
        out[-1] += pending
    elif len(pending) >= MIN_ITEM:
        out.append(pending)
    return out


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _char_shingles(block: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(hash, item index within the block) of every character shingle of the block's items."""
    joined = _SEP.join(block) + _SEP
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    n = len(codes) - SHINGLE + 1
    h = np.zeros(n, dtype=np.uint32)
    for t in range(SHINGLE):
        h = h * np.uint32(0x01000193) + _fmix32(codes[t : t + n] + np.uint32(t))
    is_sep = (codes == ord(_SEP)).astype(np.int32)
    seps_in = np.convolve(is_sep, np.ones(SHINGLE, dtype=np.int32), mode="valid")
    item = np.concatenate(([0], np.cumsum(is_sep)))[:n]
    valid = seps_in == 0
    return _fmix32(h[valid]), item[valid]


def _word_shingles(block: list[str]) -> tuple[np.ndarray, np.ndarray]:
    hashes, owners = [], []
    for k, text in enumerate(block):
        words = jieba.lcut(text)
        grams = ["\x03".join(words[i : i + 2]) for i in range(max(1, len(words) - 1))]
        hashes += [zlib.crc32(g.encode()) for g in grams]
        owners += [k] * len(grams)
    return _fmix32(np.array(hashes, dtype=np.uint32)), np.array(owners, dtype=np.int64)


def signatures(all_items: Sequence[str], mode: str = "chars") -> np.ndarray:
    """The MinHash (``NUM_PERM`` uint32 values) of each item, one row per item."""
    a, b, _, _ = _lsh_shape()
    out = np.empty((len(all_items), NUM_PERM), dtype=np.uint32)
    start = 0
    while start < len(all_items):
        end, size = start, 0
        while end < len(all_items) and (size < _BLOCK or end == start):
            size += len(all_items[end]) + 1
            end += 1
        block = list(all_items[start:end])
        h, owner = (_word_shingles if mode == "words" else _char_shingles)(block)
        if not len(h):  # no item of the block has a shingle: nothing can match them
            out[start:end] = np.uint32(0xFFFFFFFF)
            start = end
            continue
        firsts = np.searchsorted(owner, np.arange(len(block)))
        present = np.isin(np.arange(len(block)), owner)
        for p in range(NUM_PERM):
            values = a[p] * h + b[p]
            mins = np.minimum.reduceat(values, np.minimum(firsts, len(values) - 1))
            out[start:end, p] = np.where(present, mins, np.uint32(0xFFFFFFFF))
        start = end
    return out


def candidate_pairs(docs: Sequence[Doc], terms: tuple[str, ...] | None = None,
                    mode: str = "chars") -> set[tuple[int, int]]:  # fmt: skip
    """Pairs (i < j) of ``docs`` that share ``MIN_HITS`` near-identical sentences: texts of
    different owners, not both earlier."""
    terms = default_terms() if terms is None else terms
    all_items, doc_of = [], []
    for d, doc in enumerate(docs):
        parts = items(doc.text, terms)
        all_items += parts
        doc_of += [d] * len(parts)
    if not all_items:
        return set()
    doc_of = np.array(doc_of, dtype=np.int64)
    owner_ids = {}
    owner = np.array([owner_ids.setdefault(d.owner, len(owner_ids)) for d in docs], np.int64)
    earlier = np.array([d.earlier for d in docs], dtype=bool)
    sig = signatures(all_items, mode).astype(np.uint64)
    _, _, bands, rows = _lsh_shape()
    hits: dict[tuple[int, int], set[int]] = {}
    for band in range(bands):
        key = np.zeros(len(sig), dtype=np.uint64)
        for r in range(rows):
            key = key * np.uint64(0x100000001B3) + sig[:, band * rows + r]
        order = np.argsort(key, kind="stable")
        edges = np.flatnonzero(np.diff(key[order])) + 1
        starts = np.concatenate(([0], edges))
        ends = np.concatenate((edges, [len(order)]))
        size = ends - starts
        for s, e in zip(starts[size > 1], ends[size > 1], strict=True):
            members = order[s:e]
            docs_in = doc_of[members]
            if len(np.unique(docs_in)) < 2 or len(np.unique(docs_in)) > MAX_BUCKET:
                continue
            for x, item in enumerate(members):
                i = docs_in[x]
                for j in docs_in[x + 1 :]:
                    if i != j and owner[i] != owner[j] and not (earlier[i] and earlier[j]):
                        pair = (int(min(i, j)), int(max(i, j)))
                        hits.setdefault(pair, set()).add(int(item))
    return {pair for pair, found in hits.items() if len(found) >= MIN_HITS}
