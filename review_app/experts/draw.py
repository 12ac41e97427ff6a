"""A pure, reproducible random draw of experts from the expert pool (专家抽取).

No database and no Flask: :class:`Candidate` and :class:`DrawLimits` in, :class:`DrawResult`
out. The result depends on exactly two things, the *seed* and the *pool*:

1. **Snapshot.** :func:`canonical_snapshot` turns the whole candidate list into a list of plain
   dicts sorted by ``expert_id``, holding every field that can affect the draw, already
   normalised the way the draw compares them (unit: whitespace removed and case-folded;
   prefecture: the same, empty = ``None``; specialties: stripped, de-duplicated, sorted).
   :func:`snapshot_hash` is the SHA-256 (hex) of
   ``json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``
   encoded as UTF-8. Input order never matters; any change to any candidate (including one
   that is filtered out) changes the hash and therefore the draw.
2. **Random source.** ``random.Random(int.from_bytes(sha256(f"{seed.strip()}|{hash}"), "big"))``
   (Python's Mersenne Twister). The seed is the number or phrase read out at the review meeting.
3. **Filters**, in this order, each candidate counted under its first failing reason:
   ``unavailable`` (not available for this program), ``specialty`` (none of the required
   specialties), ``prefecture`` (in an excluded prefecture, 回避), ``recent`` (served on this
   panel kind recently, only when ``exclude_recent``). The rest are *eligible*.
4. **Order.** The eligible candidates, sorted by ``expert_id``, are shuffled with Fisher-Yates
   (``for i from n-1 down to 1: j = below(i + 1); swap(i, j)`` where ``below(m)`` draws
   ``getrandbits(m.bit_length())`` until the value is < m) — exactly what ``random.shuffle``
   does, written out so the procedure is pinned independently of the standard library.
5. **Walk.** Go through that order and take each candidate whose unit, and prefecture (a
   ``None`` prefecture never counts), would stay within ``max_per_unit`` /
   ``max_per_prefecture`` — counted over everyone taken so far, drawn *and* backups, so any
   backup can stand in for any drawn expert — **and** after whom the remaining candidates can
   still complete ``count + backups`` within the limits (checked with a small max-flow). The
   second condition only matters when both limits are set and the plain walk would paint itself
   into a corner; whenever the plain walk succeeds, the two walks take the same experts. The
   first ``count`` taken are ``drawn`` (in order), the rest are ``backups`` (in order of use).
6. If the pool cannot supply ``count + backups`` at all, :class:`DrawShortfall` names the
   limit(s) responsible, with the numbers.

**Checking a draw afterwards.** Anyone holding the recorded snapshot (or the same candidate
list), the limits and the seed read out at the meeting can recompute the hash and the draw:
``verify(candidates, limits, seed, recorded)`` returns ``[]`` when the recorded hash, drawn list
and backups all match, otherwise the differences in Chinese. Because the seed is mixed with the
snapshot hash, nobody can pick a seed in advance that favours a given expert without also
fixing the exact pool, and nobody can alter the pool afterwards without changing the hash.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

REASONS = ("unavailable", "specialty", "prefecture", "recent")


@dataclass(frozen=True)
class Candidate:
    expert_id: int
    unit: str  # 工作单位
    prefecture: str | None  # prefecture code or name; None = outside Henan / unknown
    specialties: tuple[str, ...]  # 重点环节 keys ("link.factory") and GB/T 4754 大类 ("C34")
    recent_panels: int = 0  # times on this panel kind in the last K programs
    available: bool = True


@dataclass(frozen=True)
class DrawLimits:
    count: int
    backups: int = 0
    specialties: tuple[str, ...] = ()
    max_per_unit: int | None = None
    max_per_prefecture: int | None = None
    excluded_prefectures: tuple[str, ...] = ()
    exclude_recent: bool = False


@dataclass
class DrawResult:
    drawn: list[int]
    backups: list[int]
    snapshot_hash: str
    eligible: int
    excluded: dict[str, int] = field(default_factory=dict)


@dataclass
class Shortfall:
    limit: str  # "eligible", "max_per_unit", "max_per_prefecture", "combined"
    available: int
    needed: int
    message: str


class DrawShortfall(Exception):
    def __init__(self, shortfalls: list[Shortfall]):
        self.shortfalls = shortfalls
        super().__init__("专家人数不足，无法完成抽取：" + "；".join(s.message for s in shortfalls))


# ---------------------------------------------------------------- normalisation / validation


def normalize_key(text: str) -> str:
    """Unit / prefecture comparison key: all whitespace removed (incl. U+3000), case-folded."""
    return "".join(text.split()).casefold()


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _norm_prefecture(value) -> str | None:
    if value is None:
        return None
    key = normalize_key(value)
    return key or None


def _validate_candidates(candidates: Iterable[Candidate]) -> list[Candidate]:
    cands = list(candidates)
    seen: set[int] = set()
    dupes: list[int] = []
    for c in cands:
        if not _is_int(c.expert_id):
            raise ValueError(f"专家编号必须是整数：{c.expert_id!r}")
        if c.expert_id in seen and c.expert_id not in dupes:
            dupes.append(c.expert_id)
        seen.add(c.expert_id)
        if not isinstance(c.unit, str) or not normalize_key(c.unit):
            raise ValueError(f"专家#{c.expert_id}未填写工作单位，无法执行单位回避与限额。")
        if c.prefecture is not None and not isinstance(c.prefecture, str):
            raise ValueError(f"专家#{c.expert_id}的地市应为文字或空值。")
        if isinstance(c.specialties, str) or not all(isinstance(s, str) for s in c.specialties):
            raise ValueError(f"专家#{c.expert_id}的专业领域应为文字列表。")
        if not _is_int(c.recent_panels) or c.recent_panels < 0:
            raise ValueError(f"专家#{c.expert_id}的近期参评次数应为不小于0的整数。")
        if not isinstance(c.available, bool):
            raise ValueError(f"专家#{c.expert_id}的可参加状态应为是或否。")
    if dupes:
        raise ValueError("专家编号重复：" + "、".join(f"#{i}" for i in sorted(dupes)))
    return cands


def _validate_limits(limits: DrawLimits) -> None:
    if not _is_int(limits.count) or limits.count < 1:
        raise ValueError("抽取人数应为不小于1的整数。")
    if not _is_int(limits.backups) or limits.backups < 0:
        raise ValueError("备选人数应为不小于0的整数。")
    for value, label in (
        (limits.max_per_unit, "同一单位人数上限"),
        (limits.max_per_prefecture, "同一地市人数上限"),
    ):
        if value is not None and (not _is_int(value) or value < 1):
            raise ValueError(f"{label}应为不小于1的整数，或不设上限。")
    for values, label in (
        (limits.specialties, "专业要求"),
        (limits.excluded_prefectures, "回避地市"),
    ):
        if isinstance(values, str) or not all(isinstance(v, str) and v.strip() for v in values):
            raise ValueError(f"{label}应为非空文字列表。")


def _validate_seed(seed) -> str:
    if not isinstance(seed, str) or not seed.strip():
        raise ValueError("随机种子不能为空。")
    return seed.strip()


# ---------------------------------------------------------------------------- snapshot


def _snapshot_row(c: Candidate) -> dict:
    return {
        "expert_id": c.expert_id,
        "unit": normalize_key(c.unit),
        "prefecture": _norm_prefecture(c.prefecture),
        "specialties": sorted({s.strip() for s in c.specialties if s.strip()}),
        "recent_panels": c.recent_panels,
        "available": c.available,
    }


def canonical_snapshot(candidates: Iterable[Candidate]) -> list[dict]:
    """The pool as JSON-safe dicts, sorted by expert_id, normalised as the draw compares them."""
    cands = _validate_candidates(candidates)
    return [_snapshot_row(c) for c in sorted(cands, key=lambda c: c.expert_id)]


def _hash_rows(rows: list[dict]) -> str:
    text = json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot_hash(candidates: Iterable[Candidate]) -> str:
    return _hash_rows(canonical_snapshot(candidates))


# ------------------------------------------------------------------------ randomness


def _rng(seed: str, digest: str) -> random.Random:
    material = hashlib.sha256(f"{seed}|{digest}".encode()).digest()
    return random.Random(int.from_bytes(material, "big"))


def _below(rng: random.Random, n: int) -> int:
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return r


def _shuffle(items: list, rng: random.Random) -> None:
    """Fisher-Yates, identical to ``random.shuffle`` but pinned here for auditability."""
    for i in range(len(items) - 1, 0, -1):
        j = _below(rng, i + 1)
        items[i], items[j] = items[j], items[i]


# ---------------------------------------------------------------------- capacity (max-flow)

_INF = 1 << 30


def _max_selectable(
    pool: Sequence[dict],
    unit_room: Mapping[str, int] | None,
    pref_room: Mapping[str, int] | None,
    target: int,
) -> int:
    """How many of ``pool`` can be taken (up to ``target``) given the room left per unit and
    per prefecture (``None`` room = that limit is not set). Edmonds-Karp on
    source -> unit -> prefecture -> sink, candidates aggregated per (unit, prefecture)."""
    if target <= 0:
        return 0
    pairs = Counter((row["unit"], row["prefecture"]) for row in pool)
    cap: dict[tuple, dict[tuple, int]] = {}

    def add(a, b, c):
        cap.setdefault(a, {})
        cap.setdefault(b, {})
        cap[a][b] = cap[a].get(b, 0) + c
        cap[b].setdefault(a, 0)

    source, sink = ("s",), ("t",)
    for (unit, pref), n in pairs.items():
        u, p = ("u", unit), ("p", pref)
        if u not in cap or source not in cap[u]:
            room = _INF if unit_room is None else unit_room.get(unit, 0)
            add(source, u, room)
        if p not in cap or sink not in cap.get(p, {}):
            room = _INF if pref_room is None or pref is None else pref_room.get(pref, 0)
            add(p, sink, room)
        add(u, p, n)

    flow = 0
    while flow < target:
        parent = {source: None}
        queue = deque([source])
        while queue and sink not in parent:
            a = queue.popleft()
            for b, c in cap.get(a, {}).items():
                if c > 0 and b not in parent:
                    parent[b] = a
                    queue.append(b)
        if sink not in parent:
            break
        path, b = [], sink
        while parent[b] is not None:
            path.append((parent[b], b))
            b = parent[b]
        push = min(min(cap[a][b] for a, b in path), target - flow)
        for a, b in path:
            cap[a][b] -= push
            cap[b][a] += push
        flow += push
    return flow


# ------------------------------------------------------------------------------- draw


def _filter(rows: list[dict], limits: DrawLimits) -> tuple[list[dict], dict[str, int]]:
    required = {s.strip() for s in limits.specialties}
    excluded_prefs = {normalize_key(p) for p in limits.excluded_prefectures}
    excluded = dict.fromkeys(REASONS, 0)
    eligible = []
    for row in rows:
        if not row["available"]:
            excluded["unavailable"] += 1
        elif required and not required.intersection(row["specialties"]):
            excluded["specialty"] += 1
        elif row["prefecture"] is not None and row["prefecture"] in excluded_prefs:
            excluded["prefecture"] += 1
        elif limits.exclude_recent and row["recent_panels"] > 0:
            excluded["recent"] += 1
        else:
            eligible.append(row)
    return eligible, excluded


def _walk(order: list[dict], limits: DrawLimits, needed: int, lookahead: bool) -> list[dict]:
    units: Counter = Counter()
    prefs: Counter = Counter()
    taken: list[dict] = []
    for i, row in enumerate(order):
        if len(taken) >= needed:
            break
        unit, pref = row["unit"], row["prefecture"]
        if limits.max_per_unit is not None and units[unit] >= limits.max_per_unit:
            continue
        if (
            limits.max_per_prefecture is not None
            and pref is not None
            and prefs[pref] >= limits.max_per_prefecture
        ):
            continue
        units[unit] += 1
        if pref is not None:
            prefs[pref] += 1
        if lookahead:
            rest = needed - len(taken) - 1
            unit_room = (
                None
                if limits.max_per_unit is None
                else {
                    u: limits.max_per_unit - units[u] for u in {r["unit"] for r in order[i + 1 :]}
                }
            )
            pref_room = (
                None
                if limits.max_per_prefecture is None
                else {
                    p: limits.max_per_prefecture - prefs[p]
                    for p in {r["prefecture"] for r in order[i + 1 :]}
                    if p is not None
                }
            )
            if _max_selectable(order[i + 1 :], unit_room, pref_room, rest) < rest:
                units[unit] -= 1
                if pref is not None:
                    prefs[pref] -= 1
                continue
        taken.append(row)
    return taken


def _need_text(limits: DrawLimits) -> str:
    needed = limits.count + limits.backups
    if limits.backups:
        return f"需抽取{needed}名（含备选{limits.backups}名）"
    return f"需抽取{needed}名"


def _shortfalls(eligible: list[dict], limits: DrawLimits, feasible: int) -> list[Shortfall]:
    needed = limits.count + limits.backups
    need = _need_text(limits)
    n = len(eligible)
    found: list[Shortfall] = []
    if n < needed:
        quals = []
        if limits.specialties:
            quals.append("符合专业要求")
        if limits.excluded_prefectures:
            quals.append("未回避")
        if limits.exclude_recent:
            quals.append("近期未参加同类评审")
        who = ("、".join(quals) + "且可参加") if quals else "可参加"
        found.append(
            Shortfall("eligible", n, needed, f"{who}的专家只有{n}名，{need}，还差{needed - n}名")
        )
    if limits.max_per_unit is not None:
        per_unit = Counter(row["unit"] for row in eligible)
        bound = sum(min(k, limits.max_per_unit) for k in per_unit.values())
        if bound < needed and bound < n:
            found.append(
                Shortfall(
                    "max_per_unit",
                    bound,
                    needed,
                    f"每个单位最多抽取{limits.max_per_unit}名，符合条件的专家来自{len(per_unit)}个单位，"
                    f"按此限额最多可抽取{bound}名，{need}，还差{needed - bound}名",
                )
            )
    if limits.max_per_prefecture is not None:
        per_pref = Counter(row["prefecture"] for row in eligible if row["prefecture"] is not None)
        unplaced = sum(1 for row in eligible if row["prefecture"] is None)
        bound = sum(min(k, limits.max_per_prefecture) for k in per_pref.values()) + unplaced
        if bound < needed and bound < n:
            extra = f"（含省外或地市不详的{unplaced}名）" if unplaced else ""
            found.append(
                Shortfall(
                    "max_per_prefecture",
                    bound,
                    needed,
                    f"每个地市最多抽取{limits.max_per_prefecture}名，按此限额最多可抽取{bound}名{extra}，"
                    f"{need}，还差{needed - bound}名",
                )
            )
    if not found or feasible < min(s.available for s in found):
        # Neither limit alone accounts for the whole shortfall: the two together bind harder.
        found.append(
            Shortfall(
                "combined",
                feasible,
                needed,
                f"每个单位最多{limits.max_per_unit}名且每个地市最多{limits.max_per_prefecture}名"
                f"两项限额同时适用时，最多可抽取{feasible}名，{need}，还差{needed - feasible}名",
            )
        )
    return found


def _draw_rows(
    rows: list[dict], digest: str, limits: DrawLimits, seed: str
) -> tuple[list[int], list[int], int, dict[str, int]]:
    eligible, excluded = _filter(rows, limits)
    needed = limits.count + limits.backups
    order = sorted(eligible, key=lambda r: r["expert_id"])
    _shuffle(order, _rng(seed, digest))
    taken = _walk(order, limits, needed, lookahead=False)
    if len(taken) < needed:
        feasible = _max_selectable(
            order,
            None
            if limits.max_per_unit is None
            else {r["unit"]: limits.max_per_unit for r in order},
            None
            if limits.max_per_prefecture is None
            else {r["prefecture"]: limits.max_per_prefecture for r in order},
            needed,
        )
        if feasible < needed:
            raise DrawShortfall(_shortfalls(eligible, limits, feasible))
        taken = _walk(order, limits, needed, lookahead=True)
        assert len(taken) == needed  # guaranteed by the look-ahead invariant
    ids = [row["expert_id"] for row in taken]
    return ids[: limits.count], ids[limits.count :], len(eligible), excluded


def draw(candidates: Iterable[Candidate], limits: DrawLimits, seed: str) -> DrawResult:
    """Draw ``limits.count`` experts and ``limits.backups`` backups; see the module docstring.

    Raises ``ValueError`` (Chinese message) on invalid input and :class:`DrawShortfall` when
    the pool cannot supply ``count + backups`` under the limits."""
    seed = _validate_seed(seed)
    _validate_limits(limits)
    rows = canonical_snapshot(candidates)
    digest = _hash_rows(rows)
    drawn, backups, eligible, excluded = _draw_rows(rows, digest, limits, seed)
    return DrawResult(drawn, backups, digest, eligible, excluded)


# ----------------------------------------------------------------------------- verify


def _get(expected, name: str):
    if isinstance(expected, Mapping):
        return expected[name]
    return getattr(expected, name)


def _compare(label: str, recorded: list[int], recomputed: list[int]) -> list[str]:
    if recorded == recomputed:
        return []
    if len(recorded) != len(recomputed):
        return [f"{label}人数不一致（记录为{len(recorded)}名，重算为{len(recomputed)}名）"]
    diffs = [i for i, (a, b) in enumerate(zip(recorded, recomputed, strict=True)) if a != b]
    i = diffs[0]
    more = f"，共{len(diffs)}处不同" if len(diffs) > 1 else ""
    return [f"{label}不一致（第{i + 1}位：记录为#{recorded[i]}，重算为#{recomputed[i]}{more}）"]


def verify(candidates: Iterable[Candidate], limits: DrawLimits, seed: str, expected) -> list[str]:
    """Recompute the draw and compare it with a recorded one (a DrawResult, or any object or
    mapping with ``drawn``, ``backups`` and ``snapshot_hash``). Returns ``[]`` when everything
    matches, otherwise the differences in Chinese."""
    seed = _validate_seed(seed)
    _validate_limits(limits)
    rows = canonical_snapshot(candidates)
    digest = _hash_rows(rows)
    problems: list[str] = []
    recorded_hash = _get(expected, "snapshot_hash")
    if recorded_hash != digest:
        problems.append(f"快照哈希不一致（记录为{recorded_hash}，重算为{digest}）")
    try:
        drawn, backups, _, _ = _draw_rows(rows, digest, limits, seed)
    except DrawShortfall as exc:
        problems.append(f"按当前名单和条件无法重算抽取结果：{exc}")
        return problems
    problems += _compare("抽取结果", list(_get(expected, "drawn")), drawn)
    problems += _compare("备选结果", list(_get(expected, "backups")), backups)
    return problems
