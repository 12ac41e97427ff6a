"""Affinity by slot class, and the pruning that never lists a slot's pairs (pure).

``affinity.py``'s score depends on the expert, the section group and the application's 大类
only, so the application passes it per (expert, class) with a class per slot
(``ClassAffinity``) instead of per (expert, section): at 5,000 applications and 3,000 experts
that is some 30 classes per panel member instead of 55 million pairs.

With ``max_candidates`` the solver keeps each network slot's best candidates (``window_best``)
without scoring every panel member for it: the members of a class are ordered once by affinity
(ties by a seeded hash of the expert), and each slot takes the best tiers whole and, in the tier
where its ``k`` run out, a run of the tier's order starting at a seeded offset of its own
(rotated, so the slots of a class spread over the whole tier instead of all taking its first
``k``). Conflicted experts are skipped, so a slot keeps its ``k`` best free candidates, or every
free one when it has fewer. The work is slots × (``k`` + the conflicted experts skipped), not
slots × panel members.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClassAffinity:
    """``slot_class``: section_id -> class key (a slot without one scores 0 for everybody);
    ``table``: (expert_id, class key) -> affinity 0..1 (a missing entry scores 0)."""

    slot_class: Mapping[int, Hashable]
    table: Mapping[tuple[int, Hashable], float]

    def get(self, pair: tuple[int, int], default: float = 0.0) -> float:
        """The affinity of (expert_id, section_id), as a mapping of pairs answers it."""
        expert_id, section_id = pair
        return self.table.get((expert_id, self.slot_class.get(section_id)), default)

    def pairs(self, slots, reviewers) -> dict[tuple[int, int], float]:
        """The same affinities per (expert_id, section_id) for every slot and every reviewer of
        its group (slots in their order, reviewers in theirs): what the solver was given before
        classes, for callers and tests that want the pairs (n · m of them)."""
        out = {}
        for s in slots:
            key = self.slot_class.get(s.section_id)
            for r in reviewers:
                if s.group in r.groups:
                    out[(r.expert_id, s.section_id)] = self.table.get((r.expert_id, key), 0.0)
        return out


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on uint64 arrays (wrapping arithmetic)."""
    x = x.astype(np.uint64)
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def seeded_hash(ids: np.ndarray, seed: int, salt: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return _mix(ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
                    + np.uint64(((seed & 0xFFFFFFFF) << 8) | salt))  # fmt: skip


def window_best(values: np.ndarray, expert_ids: np.ndarray, heads_class: np.ndarray,
                heads_key: np.ndarray, is_free, k: int, seed: int):  # fmt: skip
    """(head, member) index arrays of each head's ``k`` best free members.

    ``values``: (classes, members) affinities; ``heads_class``: the class of each head;
    ``heads_key``: a number per head for its seeded offset (its first section's id);
    ``is_free(head_idx, member_idx)``: elementwise, whether the member may take the head."""
    out_h, out_m = [], []
    tie = seeded_hash(expert_ids, seed, 1)
    for c in np.unique(heads_class).tolist():
        hs = np.flatnonzero(heads_class == c)
        row = values[c]
        order = np.lexsort((tie, -row.astype(np.int64)))  # best first, ties by the hash
        ranked = row[order]
        cuts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1], True])
        need = np.full(len(hs), k, np.int64)
        offset = seeded_hash(heads_key[hs], seed, 2)
        for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            live = np.flatnonzero(need > 0)
            if len(live) == 0:
                break
            tier = order[lo:hi]
            h, m, got = _tier_take(tier, hs[live], need[live], offset[live], is_free)
            out_h.append(h)
            out_m.append(m)
            need[live] -= got
    if not out_h:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_h), np.concatenate(out_m)


def _tier_take(tier: np.ndarray, heads: np.ndarray, need: np.ndarray, offset: np.ndarray,
               is_free):  # fmt: skip
    """Each head's first ``need`` free members of ``tier`` from its own offset on (cyclic); the
    window widens (doubling) for the heads that found too few among conflicted members."""
    n = len(tier)
    start = (offset % np.uint64(n)).astype(np.int64)
    got = np.zeros(len(heads), np.int64)
    out_h, out_m = [], []
    pending = np.arange(len(heads))
    width = min(n, int(need.max()) + 8)
    while len(pending):
        pos = (start[pending, None] + np.arange(width)[None, :]) % n
        members = tier[pos]
        free = is_free(np.broadcast_to(heads[pending, None], pos.shape), members)
        taken = free & (np.cumsum(free, axis=1) <= need[pending, None])
        count = taken.sum(axis=1)
        done = (count >= need[pending]) | (width >= n)
        i, j = np.nonzero(taken[done])
        out_h.append(heads[pending[done]][i])
        out_m.append(members[done][i, j])
        got[pending[done]] = count[done]
        pending = pending[~done]
        width = min(n, 2 * width)
    return np.concatenate(out_h), np.concatenate(out_m), got
