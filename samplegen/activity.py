"""What happens after a claim: the rep's follow-up activities, and a few reviewer decisions.

Follow-ups vary on purpose: some accepted claims are worked regularly until the end, some go
quiet after a while, some are never touched, so idle-release rules have something to release.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from samplegen.sampling import TimeFormatter, Window, weighted_pool

FOLLOWUP_HEADER = ("activity_id", "claim_id", "rep_id", "activity_at", "activity_type", "note")
DECISION_HEADER = (
    "decision_id", "kind", "claim_id_a", "claim_id_b", "decision", "reviewer", "decided_at", "note",
)
_ACTIVITIES = (
    ("电话", ("电话沟通需求", "确认预算和时间表", "约下次拜访时间")),
    ("拜访", ("上门拜访，见到采购负责人", "现场调研", "拜访技术负责人")),
    ("微信", ("微信发送报价", "微信跟进方案反馈", "拉了项目群")),
    ("邮件", ("发送方案邮件", "邮件发送合同草稿", "邮件答复技术问题")),
    ("演示", ("产品演示", "线上演示，客户反馈积极", "POC环境演示")),
)
_ACTIVITY_POOL = weighted_pool(_ACTIVITIES, (35, 15, 30, 12, 8))
# (regular, brief, none) chances for a company's first claim / a re-registration / other claims
_PATTERNS = {"first": (45, 25, 30), "reclaim": (40, 30, 30), "other": (8, 12, 80)}
_KINDS = ("regular", "brief", "none")
_PATTERN_POOLS = {role: weighted_pool(_KINDS, w) for role, w in _PATTERNS.items()}
_REVIEWERS = ("运营-周敏", "运营-刘洋", "运营-陈静")
_DIFFERENT_NOTES = {
    "sister": "同一集团的不同法人，信用代码不同，按法人区分",
    "near_name": "名称仅一字之差，不是同一家公司",
}
_SAME_NOTES = {
    "english": "英文名与中文全称为同一公司（申诉通过）",
    "typo": "拼音错字，同一公司",
    "traditional": "繁体写法，同一公司",
}


class Followups:
    """Generates follow-up rows for a claim; activity ids run across the whole file."""

    def __init__(self, window: Window, rng: random.Random) -> None:
        self._window = window
        self._times = TimeFormatter(window)
        self._rng = rng
        self._next_id = 1

    def for_claim(
        self, claim_id: str, rep_id: str, moment: int, role: str
    ) -> list[tuple[str, ...]]:
        """Activity rows of one clean claim; `role` is first, reclaim or other."""
        rng = self._rng
        pattern = rng.choice(_PATTERN_POOLS[role])
        if pattern == "none":
            return []
        day = moment // 86400
        last_day = self._window.n_days - 1
        if pattern == "regular":
            gap, count = rng.randint(5, 25), 12
            stop = last_day if rng.random() < 0.6 else day + rng.randint(20, 120)  # goes quiet
        else:
            gap, stop, count = rng.randint(1, 10), last_day, rng.randint(1, 2)
        rows = []
        for _ in range(count):
            day += gap + rng.randrange(3)
            if day > min(stop, last_day):
                break
            kind, notes = rng.choice(_ACTIVITY_POOL)
            when = self._times.iso(self._window.moment_on_day(day, rng))
            rows.append((f"A{self._next_id:07d}", claim_id, rep_id, when, kind, rng.choice(notes)))
            self._next_id += 1
        return rows


@dataclass
class DecisionCandidates:
    """Clean claims worth a reviewer's ruling, collected while the claims stream past."""

    first_of_company: dict[int, tuple[str, int]] = field(default_factory=dict)
    first_kind: dict[int, str] = field(default_factory=dict)
    by_kind: dict[str, dict[int, tuple[str, int]]] = field(default_factory=dict)
    group_members: dict[str, list[int]] = field(default_factory=dict)
    group_kinds: dict[str, str] = field(default_factory=dict)

    def observe(
        self, company: int, claim_id: str, moment: int, kind: str, group: str, group_kind: str
    ) -> None:
        """Note a clean claim; claims must arrive in time order."""
        if company not in self.first_of_company:
            self.first_of_company[company] = (claim_id, moment)
            self.first_kind[company] = kind
            if group:
                self.group_members.setdefault(group, []).append(company)
                self.group_kinds[group] = group_kind
        elif kind in _SAME_NOTES and self.first_kind[company] == "canonical":
            self.by_kind.setdefault(kind, {}).setdefault(company, (claim_id, moment))

    def pairs(self) -> list[tuple[str, str, str, int, str]]:
        """(claim a, claim b, decision, later moment, note) for 3-5 rulings."""
        found = []
        for wanted, note in _DIFFERENT_NOTES.items():
            groups = (g for g, k in self.group_kinds.items() if k == wanted)
            group = next((g for g in groups if len(self.group_members[g]) > 1), None)
            if group is not None:
                a, b = (self.first_of_company[c] for c in self.group_members[group][:2])
                found.append((a[0], b[0], "different", max(a[1], b[1]), note))
        for kind, note in _SAME_NOTES.items():
            seen = self.by_kind.get(kind, {})
            if seen:
                company, (claim_id, moment) = next(iter(seen.items()))
                first_id, first_moment = self.first_of_company[company]
                found.append((first_id, claim_id, "same", max(moment, first_moment), note))
        return found


def decision_rows(
    candidates: DecisionCandidates, window: Window, rng: random.Random
) -> list[tuple[str, ...]]:
    """decisions.csv rows: each ruling one to three days after the later claim, before the run."""
    times = TimeFormatter(window)
    rows = []
    for n, (a, b, decision, later, note) in enumerate(candidates.pairs(), start=1):
        day = min(later // 86400 + rng.randint(1, 3), window.n_days - 1)
        decided = min(max(window.moment_on_day(day, rng), later + 600), window.end_seconds - 1)
        reviewer = rng.choice(_REVIEWERS)
        rows.append((f"D{n:03d}", "pair", a, b, decision, reviewer, times.iso(decided), note))
    return rows
