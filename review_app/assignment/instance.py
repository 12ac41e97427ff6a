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
  With affinities by class (``classes.ClassAffinity``: one row of scores per class, not per
  slot) the pruning is ``classes.window_best``, which never scores a slot's every member.

A block's eligibility is not stored per (slot, member): it is the instance's (application,
expert) ``blocked`` matrix read at the block's applications and members.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .classes import ClassAffinity, _mix, window_best
from .flow import SCALE


@dataclass
class Block:
    rows: np.ndarray  # slot indices of the group, ascending
    members: np.ndarray  # expert indices, ascending
    row_app: np.ndarray  # application index of each row
    row_class: np.ndarray  # each row's row of ``class_value`` (its own one without classes)
    class_value: np.ndarray  # (classes, members) affinity in millionths (int32; clipped to 0..1)
    blocked: np.ndarray  # the instance's (application, expert) matrix: conflicted or holding
    canon: np.ndarray | None = None  # by class: classes with equal scores share a number

    def free_rows(self, idx: np.ndarray) -> np.ndarray:
        """(rows ``idx``, members) bool: not conflicted, not holding another section."""
        return ~self.blocked[np.ix_(self.row_app[idx], self.members)]

    def value_rows(self, idx: np.ndarray) -> np.ndarray:
        return self.class_value[self.row_class[idx]]

    def free_counts(self) -> np.ndarray:
        """Free members of each row, counted once per application."""
        apps, inverse = np.unique(self.row_app, return_inverse=True)
        return (~self.blocked[np.ix_(apps, self.members)]).sum(axis=1)[inverse]

    def same_value(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether rows ``a`` and ``b`` (elementwise) score every member alike."""
        if self.canon is not None:
            return self.canon[self.row_class[a]] == self.canon[self.row_class[b]]
        return np.all(self.value_rows(a) == self.value_rows(b), axis=1)


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
        self.blocked = blocked = np.zeros((n_a, n_e), bool)  # (application, expert)
        blocked[ba[ok], be[ok]] = True
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
        if isinstance(affinity, ClassAffinity):
            self.blocks = [self._class_block(rows, members, affinity) for rows, members in shapes]
            return
        # Every block's affinities live in one flat array (the blocks hold views of it), so the
        # mapping is scattered onto all of them at once; missing pairs count 0.
        sizes = [len(rows) * len(members) for rows, members in shapes]
        offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
        flat_value = np.zeros(int(offsets[-1]), np.int32)  # millionths: half of float64's memory
        self.blocks = []
        for (rows, members), lo, hi in zip(shapes, offsets[:-1], offsets[1:], strict=True):
            value = flat_value[lo:hi].reshape(len(rows), len(members))
            self.blocks.append(Block(rows, members, self.app[rows], np.arange(len(rows)), value,
                                     blocked))  # fmt: skip
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

    def _class_block(self, rows, members, affinity: ClassAffinity) -> Block:
        """A block whose affinities are one row per class: (classes, members), not (slots,
        members)."""
        keys: dict = {}
        row_class = np.array(
            [keys.setdefault(affinity.slot_class.get(int(self.section_ids[r])), len(keys))
             for r in rows.tolist()], np.int64,
        )  # fmt: skip
        expert_ids = self.expert_ids[members].tolist()
        scores = [[affinity.table.get((e, key), 0.0) for e in expert_ids] for key in keys]
        value = np.rint(
            np.clip(np.array(scores, np.float64).reshape(len(keys), len(members)), 0.0, 1.0) * SCALE
        ).astype(np.int32)
        canon = np.unique(value, axis=0, return_inverse=True)[1].reshape(-1)
        return Block(rows, members, self.app[rows], row_class, value, self.blocked, canon)

    @property
    def eligible(self) -> dict[int, list[int]]:
        """section_id -> eligible expert ids, ascending."""
        if self._eligible is None:
            out = {}
            for b in self.blocks:
                apps, inverse = np.unique(b.row_app, return_inverse=True)
                free = ~b.blocked[np.ix_(apps, b.members)]
                lists = [self.expert_ids[b.members[f]].tolist() for f in free]
                for row, k in zip(b.rows.tolist(), inverse.reshape(-1).tolist(), strict=True):
                    out[int(self.section_ids[row])] = list(lists[k])
            self._eligible = out
        return self._eligible

    def eligible_count(self) -> np.ndarray:
        counts = np.zeros(len(self.slots), np.int64)
        for b in self.blocks:
            counts[b.rows] = b.free_counts()
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
            if (
                max_candidates is not None
                and len(b.members) > max_candidates
                and b.canon is not None
            ):
                i, j = window_best(
                    b.class_value, self.expert_ids[b.members], b.row_class[heads],
                    self.section_ids[b.rows[heads]],
                    lambda h, m, heads=heads, b=b: ~b.blocked[b.row_app[heads[h]], b.members[m]],
                    max_candidates, seed,
                )  # fmt: skip
                order = np.lexsort((j, i))
                i, j = i[order], j[order]
                arc_value = b.class_value[b.row_class[heads[i]], j]
            else:
                sub_free, sub_value = b.free_rows(heads), b.value_rows(heads)
                if max_candidates is not None and len(b.members) > max_candidates:
                    sub_free = sub_free & _best(self.section_ids[b.rows[heads]],
                                                self.expert_ids[b.members], sub_value, sub_free,
                                                max_candidates, seed)  # fmt: skip
                i, j = np.nonzero(sub_free)
                arc_value = sub_value[i, j]
            arc_slot.append(count + i)
            arc_expert.append(b.members[j])
            value.append(arc_value)
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
    # The rows of one application are free for the same members (eligibility is per
    # application and expert), so the scores and the need decide.
    same = b.same_value(order, head) & (need_rows[order] == need_rows[head])
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
