"""An assignment instance as numpy arrays, for the solvers (pure).

Slots are sorted by section id and experts by expert id; each section group is one block: its
slots x the panel's members with spare capacity, with a ``free`` matrix (not conflicted, not
holding another section of the application) and the affinities.

``arcs`` turns the blocks into the candidate arcs of a flow network. Two reductions, both exact
or declared:

- **Merged slots.** The sections of one application in one group whose affinities and
  eligibility are identical for every expert (``affinity.py`` scores depend on the group and the
  application only) are one network slot needing their total: which of them an expert takes
  changes nothing, and the one-section-per-application rule becomes the arc's capacity 1.
  ``spread`` hands the experts back to the sections afterwards.
- **Pruning** (``max_candidates``): each network slot keeps its best candidates by affinity,
  ties broken by a hash of (section, expert, seed) so that no expert is favoured everywhere.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .flow import SCALE

MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on uint64 arrays (wrapping arithmetic)."""
    x = x.astype(np.uint64)
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@dataclass
class Block:
    rows: np.ndarray  # slot indices of the group, ascending
    members: np.ndarray  # expert indices, ascending
    free: np.ndarray  # (rows, members) bool
    value: np.ndarray  # (rows, members) affinity in millionths (int32; clipped to 0..1)


@dataclass
class Arcs:
    need: np.ndarray  # per network slot
    app: np.ndarray  # application index per network slot
    slots: list[np.ndarray]  # the slot indices of each network slot (one unless merged)
    arc_slot: np.ndarray  # network slot of each candidate arc
    arc_expert: np.ndarray
    value: np.ndarray  # affinity of each candidate arc (a multiple of 1e-6)


class Prepared:
    def __init__(self, slots, reviewers, conflicts, existing, affinity):
        by_section = {}
        for s in slots:
            if s.section_id in by_section:
                raise ValueError(f"duplicate slot for section {s.section_id}")
            if s.need < 0:
                raise ValueError(f"negative need for section {s.section_id}")
            by_section[s.section_id] = s
        experts = {}
        for r in reviewers:
            if r.expert_id in experts:
                raise ValueError(f"duplicate reviewer {r.expert_id}")
            experts[r.expert_id] = r
        self.slots = [by_section[k] for k in sorted(by_section)]
        self.experts = [experts[k] for k in sorted(experts)]
        self.kept = defaultdict(int)  # section_id -> kept reviewers
        extra = defaultdict(int)  # expert_id -> kept assignments
        for e in existing:
            self.kept[e.section_id] += 1
            extra[e.expert_id] += 1
        self.remaining = {
            s.section_id: max(0, s.need - self.kept[s.section_id]) for s in self.slots
        }
        self.base = {r.expert_id: r.load + extra[r.expert_id] for r in self.experts}
        self.spare = {
            r.expert_id: max(0, r.capacity - self.base[r.expert_id]) for r in self.experts
        }
        self.section_ids = np.array([s.section_id for s in self.slots], np.int64)
        self.expert_ids = np.array([r.expert_id for r in self.experts], np.int64)
        self.need = np.array([self.remaining[s.section_id] for s in self.slots], np.int64)
        self.base_a = np.array([self.base[r.expert_id] for r in self.experts], np.int64)
        self.spare_a = np.array([self.spare[r.expert_id] for r in self.experts], np.int64)
        app_ids = np.array([s.application_id for s in self.slots], np.int64)
        self.app_ids, self.app = np.unique(app_ids, return_inverse=True)
        self.groups = sorted({s.group for s in self.slots})
        group_of = {g: i for i, g in enumerate(self.groups)}
        self.slot_group = np.array([group_of[s.group] for s in self.slots], np.int64)
        self._blocks(conflicts, existing, affinity)
        self._eligible = None

    @staticmethod
    def index(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Positions of ``values`` in the sorted ``ids`` (-1 where absent)."""
        if len(ids) == 0 or len(values) == 0:
            return np.full(len(values), -1, np.int64)
        lo, hi = int(ids[0]), int(ids[-1])
        if lo >= 0 and hi < 4 * len(ids) + 1_000_000:  # ids small enough for a table
            table = np.full(hi + 2, -1, np.int64)
            table[ids] = np.arange(len(ids))
            return table[np.minimum(np.maximum(values, -1), hi + 1)]
        pos = np.minimum(np.searchsorted(ids, values), len(ids) - 1)
        return np.where(ids[pos] == values, pos, -1)

    def _blocks(self, conflicts, existing, affinity):
        n_e, n_a = len(self.experts), len(self.app_ids)
        pairs = itertools.chain(conflicts, ((x.expert_id, x.application_id) for x in existing))
        flat = np.fromiter(itertools.chain.from_iterable(pairs), np.int64,
                           count=2 * (len(conflicts) + len(existing)))  # fmt: skip
        be, ba = self.index(self.expert_ids, flat[0::2]), self.index(self.app_ids, flat[1::2])
        ok = (be >= 0) & (ba >= 0)
        blocked = np.zeros((n_a, n_e), bool)  # (application, expert)
        blocked[ba[ok], be[ok]] = True
        self.blocks = []
        member_pos = np.full((len(self.groups), max(1, n_e)), -1, np.int64)
        slot_row = np.zeros(len(self.slots), np.int64)
        shapes = []
        for g, group in enumerate(self.groups):
            members = np.array(
                [
                    i
                    for i, r in enumerate(self.experts)
                    if group in r.groups and self.spare_a[i] > 0
                ],
                np.int64,
            )
            rows = np.flatnonzero(self.slot_group == g)
            member_pos[g, members] = np.arange(len(members))
            slot_row[rows] = np.arange(len(rows))
            shapes.append((rows, members))
        # Every block's affinities live in one flat array (the blocks hold views of it), so the
        # mapping is scattered onto all of them at once; missing pairs count 0.
        sizes = [len(rows) * len(members) for rows, members in shapes]
        offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
        flat_value = np.zeros(int(offsets[-1]), np.int32)  # millionths: half of float64's memory
        for (rows, members), lo, hi in zip(shapes, offsets[:-1], offsets[1:], strict=True):
            free = ~blocked[np.ix_(self.app[rows], members)]
            value = flat_value[lo:hi].reshape(len(rows), len(members))
            self.blocks.append(Block(rows, members, free, value))
        n = len(affinity)
        if n and len(flat_value):
            keys = np.fromiter(itertools.chain.from_iterable(affinity), np.int64, count=2 * n)
            vals = np.fromiter(affinity.values(), np.float64, count=n)
            ae = self.index(self.expert_ids, keys[0::2])
            asl = self.index(self.section_ids, keys[1::2])
            hit = (ae >= 0) & (asl >= 0)
            ae, asl, vals = ae[hit], asl[hit], vals[hit]
            g = self.slot_group[asl]
            col = member_pos[g, ae]
            hit = col >= 0
            widths = np.array([len(members) for _, members in shapes], np.int64)
            g, asl, col = g[hit], asl[hit], col[hit]
            millionths = np.rint(np.clip(vals[hit], 0.0, 1.0) * SCALE).astype(np.int32)
            flat_value[offsets[g] + slot_row[asl] * widths[g] + col] = millionths

    @property
    def eligible(self) -> dict[int, list[int]]:
        """section_id -> eligible expert ids, ascending."""
        if self._eligible is None:
            out = {}
            for b in self.blocks:
                for row, free in zip(b.rows.tolist(), b.free, strict=True):
                    out[int(self.section_ids[row])] = self.expert_ids[b.members[free]].tolist()
            self._eligible = out
        return self._eligible

    def eligible_count(self) -> np.ndarray:
        counts = np.zeros(len(self.slots), np.int64)
        for b in self.blocks:
            counts[b.rows] = b.free.sum(axis=1)
        return counts

    def arcs(self, *, merge: bool = True, max_candidates: int | None = None, seed: int = 0) -> Arcs:
        """Candidate arcs of the slots still needing reviewers (see the module docstring)."""
        need, app, groups, arc_slot, arc_expert, value = [], [], [], [], [], []
        count = 0
        for b in self.blocks:
            live = np.flatnonzero(self.need[b.rows] > 0)
            if merge:
                rows, label, heads = _merge(b, live, self.app[b.rows], self.need[b.rows])
            else:
                rows, label, heads = live, np.arange(len(live)), live
            sub_free, sub_value = b.free[heads], b.value[heads]
            if max_candidates is not None and b.free.shape[1] > max_candidates:
                sub_free = sub_free & _best(self.section_ids[b.rows[heads]],
                                            self.expert_ids[b.members], sub_value, sub_free,
                                            max_candidates, seed)  # fmt: skip
            i, j = np.nonzero(sub_free)
            arc_slot.append(count + i)
            arc_expert.append(b.members[j])
            value.append(sub_value[i, j])
            sizes = np.bincount(label, minlength=len(heads))
            need.append(np.bincount(label, self.need[b.rows[rows]], len(heads)).astype(np.int64))
            app.append(self.app[b.rows[heads]])
            groups += np.split(b.rows[rows], np.cumsum(sizes)[:-1]) if len(heads) else []
            count += len(heads)

        def cat(parts, dtype):
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

        return Arcs(cat(need, np.int64), cat(app, np.int64), groups, cat(arc_slot, np.int64),
                    cat(arc_expert, np.int64), cat(value, np.int64) / SCALE)  # fmt: skip


def _merge(b: Block, live: np.ndarray, app_rows: np.ndarray, need_rows: np.ndarray):
    """(the live rows of a block grouped by network slot, each one's network slot, the head row
    of each network slot): the rows of one application with identical affinity and eligibility
    and the same need are one network slot."""
    if len(live) == 0:
        return live, live, live
    order = live[np.lexsort((live, app_rows[live]))]
    apps = app_rows[order]
    start = np.r_[True, apps[1:] != apps[:-1]]
    run = np.cumsum(start) - 1
    head = order[start][run]  # the first row of each row's application
    same = (
        np.all(b.value[order] == b.value[head], axis=1)
        & np.all(b.free[order] == b.free[head], axis=1)
        & (need_rows[order] == need_rows[head])
    )
    run_ok = np.ones(int(run[-1]) + 1, bool)
    np.logical_and.at(run_ok, run, same)
    key = np.where(run_ok[run], head, order)  # the row each row is merged into
    heads, label = np.unique(key, return_inverse=True)
    grouped = np.lexsort((order, label))
    return order[grouped], label[grouped], heads


def _best(section_ids, expert_ids, value, free, k: int, seed: int) -> np.ndarray:
    """A mask keeping each row's ``k`` best free entries: affinity first, then a hash of
    (section, expert, seed)."""
    with np.errstate(over="ignore"):
        h = _mix(section_ids.astype(np.uint64)[:, None] * np.uint64(0x9E3779B97F4A7C15)
                 + expert_ids.astype(np.uint64)[None, :] * np.uint64(0xC2B2AE3D27D4EB4F)
                 + np.uint64(seed & 0xFFFFFFFF))  # fmt: skip
    vint = value.astype(np.int64) + 1
    key = np.where(free, (vint << 40) | (h >> np.uint64(24)).astype(np.int64), -1)
    best = np.argpartition(-key, k - 1, axis=1)[:, :k]
    keep = np.zeros(free.shape, bool)
    np.put_along_axis(keep, best, True, axis=1)
    return keep
