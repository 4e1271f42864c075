"""The replay loop: every event once, in the total order of `inputs.event_order`, over light state.

A protection's end is never scheduled eagerly: it is worked out when it matters (an event on the
customer, a quota check of its rep, the as-of instant), from its own valid_to and last follow-up.
Per rep, a heap keyed by a lower bound of each protection's end finds the expired ones cheaply.
"""

from __future__ import annotations

import gc
import heapq
from itertools import count

import polars as pl

from transforms.ownership.inputs import CLAIM, DECISION, EXTENSION, FOLLOWUP
from transforms.ownership.policy import OwnershipPolicy

DAY_US = 86_400_000_000
# (granting claim row, valid_from, valid_to, end_reason, decision_id, ended_by_decision_id)
Interval = tuple[int, int, int, str | None, str | None, str | None]
CONFLICT_CODES = frozenset({"conflict", "conflict_upheld", "conflict_after_appeal"})


class Protection:
    """One ownership interval of one customer by one rep, open until `end_reason` is set."""

    __slots__ = (
        "category",
        "customer",
        "day",
        "decision_id",
        "extensions",
        "last_activity",
        "live",
        "rep",
        "row",
        "valid_from",
        "valid_to",
    )

    def __init__(self, row: int, customer: str, rep: str, category: str, start: int, valid_to: int,
                 decision_id: str | None, day: int) -> None:
        self.row, self.customer, self.rep, self.category = row, customer, rep, category
        self.valid_from, self.valid_to, self.last_activity = start, valid_to, start
        self.decision_id, self.day = decision_id, day
        self.extensions, self.live = 0, True


class Replay:
    """Mutable state of one replay; `run` fills the lists `transforms.ownership.frames` reads."""

    def __init__(self, claims: pl.DataFrame, followups: pl.DataFrame, extensions: pl.DataFrame,
                 decisions: pl.DataFrame, quotas: dict[str, int], policy: OwnershipPolicy) -> None:
        self.policy, self.quotas = policy, quotas
        self.days_us = {k: v * DAY_US for k, v in policy.protection_days.items()}
        idle_days = policy.idle_release_days
        self.idle_us = None if idle_days is None else idle_days * DAY_US
        self.cooldown_us = policy.cooldown_days * DAY_US
        self.caps, self.daily_cap = dict(policy.category_caps), policy.daily_cap
        cols = ("claim_id", "customer_id", "rep_id", "category", "t", "day", "missing_fields")
        self.c_id, self.c_cust, self.c_rep, self.c_cat, self.c_t, self.c_day, self.c_missing = (
            claims[c].to_list() for c in cols)
        self.f_cust, self.f_rep, self.f_t = (
            followups[c].to_list() for c in ("customer_id", "rep_id", "t"))
        self.e_cust, self.e_rep, self.e_t, self.e_ok = (
            extensions[c].to_list() for c in ("customer_id", "rep_id", "t", "approved"))
        self.d_id, self.d_claim, self.d_kind, self.d_t, self.d_day = (
            decisions[c].to_list() for c in ("decision_id", "claim_id", "decision", "t", "day"))
        self.claim_row = {cid: i for i, cid in enumerate(self.c_id)}
        n = claims.height
        # Per claim: reason code, owner, protection end, decision, and a number/text/instant detail.
        self.code: list[str | None] = [None] * n
        self.owner: list[str | None] = [None] * n
        self.end: list[int | None] = [None] * n
        self.decision: list[str | None] = [None] * n
        self.n: list[int | None] = [None] * n
        self.text: list[str | None] = [None] * n
        self.at: list[int | None] = [None] * n
        m = extensions.height
        self.e_code: list[str | None] = [None] * m
        self.e_before: list[int | None] = [None] * m
        self.e_after: list[int | None] = [None] * m
        self.history: list[Interval] = []
        self.active: dict[str, Protection] = {}
        self.last_end: dict[str, tuple[str, int]] = {}
        self.held: dict[str, int] = {}
        self.held_in: dict[tuple[str, str], int] = {}
        self.granted_on: dict[tuple[str, int], int] = {}
        # per rep: (lower bound of the end, tie-break, protection)
        self.heaps: dict[str, list[tuple[int, int, Protection]]] = {}
        self.seq = count()

    def run(self, kinds: list[int], rows: list[int], cut_us: int) -> None:
        """Replay the events, then close what has ended by the as-of instant `cut_us`."""
        by_kind = {DECISION: self._decision, EXTENSION: self._extension, FOLLOWUP: self._followup, CLAIM: self._claim}
        handlers = [by_kind[kind] for kind in range(len(by_kind))]
        # The loop allocates millions of acyclic objects; cyclic GC passes over them only cost time.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for kind, row in zip(kinds, rows, strict=True):
                handlers[kind](row)
            for customer in sorted(self.active):
                self._settled(customer, cut_us)
        finally:
            if was_enabled:
                gc.enable()

    def scheduled_end(self, p: Protection) -> tuple[int, str]:
        """(instant, reason) at which `p` ends if nothing else happens: expiry or idle release."""
        if self.idle_us is not None and p.last_activity + self.idle_us < p.valid_to:
            return p.last_activity + self.idle_us, "idle"
        return p.valid_to, "expired"

    def _settled(self, customer: str, t: int) -> Protection | None:
        p = self.active.get(customer)
        if p is None:
            return None
        end, reason = self.scheduled_end(p)
        if end <= t:
            self._close(p, end, reason)
            return None
        return p

    def _settle_rep(self, rep: str, t: int) -> None:
        heap = self.heaps.get(rep)
        while heap and heap[0][0] <= t:
            p = heapq.heappop(heap)[2]
            if p.live:
                end, reason = self.scheduled_end(p)
                if end <= t:
                    self._close(p, end, reason)
                else:
                    heapq.heappush(heap, (end, next(self.seq), p))

    def _close(self, p: Protection, end: int, reason: str, ended_by: str | None = None) -> None:
        p.live = False
        del self.active[p.customer]
        self.held[p.rep] -= 1
        self.held_in[p.rep, p.category] -= 1
        if reason != "superseded":
            self.last_end[p.customer] = (p.rep, end)
        self.history.append((p.row, p.valid_from, end, reason, p.decision_id, ended_by))

    def _open(self, i: int, start: int, day: int, decision_id: str | None) -> Protection:
        rep, category = self.c_rep[i], self.c_cat[i]
        p = Protection(i, self.c_cust[i], rep, category, start, start + self.days_us[category],
                       decision_id, day)
        self.active[p.customer] = p
        self.held[rep] = self.held.get(rep, 0) + 1
        self.held_in[rep, category] = self.held_in.get((rep, category), 0) + 1
        heap = self.heaps.setdefault(rep, [])
        heapq.heappush(heap, (self.scheduled_end(p)[0], next(self.seq), p))
        return p

    def _blocked(self, i: int, t: int, suffix: str = "", *, count_total: bool = True) -> bool:
        """Record over_quota on claim `i` and return True when its rep has no room at `t`.

        `count_total` is False for a renewal into another category: it needs room under that
        category's cap only, as the customer is already counted in the rep's quota.
        """
        rep, category = self.c_rep[i], self.c_cat[i]
        self._settle_rep(rep, t)
        quota = self.quotas.get(rep, self.policy.default_quota)
        if count_total and self.held.get(rep, 0) >= quota:
            self.code[i], self.n[i] = "over_quota" + suffix, quota
            return True
        cap = self.caps.get(category)
        if cap is not None and self.held_in.get((rep, category), 0) >= cap:
            self.code[i], self.n[i], self.text[i] = "over_category_cap" + suffix, cap, category
            return True
        return False

    def _claim(self, i: int) -> None:
        if self.c_missing[i] is not None:
            self.code[i] = "incomplete"
            return
        t, rep = self.c_t[i], self.c_rep[i]
        p = self._settled(self.c_cust[i], t)
        if p is not None:
            if p.rep == rep:
                self._renew(i, p, t)
            else:
                self.code[i], self.owner[i], self.end[i] = "conflict", p.rep, p.valid_to
            return
        last = self.last_end.get(self.c_cust[i])
        if last is not None and last[0] == rep and t < last[1] + self.cooldown_us:
            self.code[i], self.at[i] = "cooldown", last[1] + self.cooldown_us
            return
        if self._blocked(i, t):
            return
        cap, today = self.daily_cap, (rep, self.c_day[i])
        if cap is not None and self.granted_on.get(today, 0) >= cap:
            self.code[i], self.n[i] = "over_daily_cap", cap
            return
        self.granted_on[today] = self.granted_on.get(today, 0) + 1
        p = self._open(i, t, self.c_day[i], None)
        self.code[i], self.owner[i], self.end[i] = "granted", rep, p.valid_to

    def _renew(self, i: int, p: Protection, t: int) -> None:
        if self.c_day[i] == p.day:
            self.code[i], self.end[i], self.text[i] = "duplicate", p.valid_to, self.c_id[p.row]
        elif t + self.days_us[self.c_cat[i]] <= p.valid_to:
            self.code[i], self.end[i] = "renewed_unchanged", p.valid_to
        elif self.c_cat[i] != p.category and self._blocked(i, t, count_total=False):
            return
        else:
            self._close(p, t, "superseded")
            self.code[i], self.end[i] = "renewed", self._open(i, t, self.c_day[i], None).valid_to
        self.owner[i] = p.rep

    def _followup(self, j: int) -> None:
        p = self._settled(self.f_cust[j], self.f_t[j])
        if p is not None and p.rep == self.f_rep[j]:
            p.last_activity = self.f_t[j]

    def _extension(self, k: int) -> None:
        customer = self.e_cust[k]
        if customer is None:
            self.e_code[k] = "unknown_claim"
            return
        p = self._settled(customer, self.e_t[k])
        if p is None or p.rep != self.e_rep[k]:
            self.e_code[k] = "not_owner"
            return
        self.e_before[k] = self.e_after[k] = p.valid_to
        approved = self.e_ok[k]
        if approved is False:
            self.e_code[k] = "refused"
        elif approved is None and self.policy.extension.requires_approval:
            self.e_code[k] = "awaiting_approval"
        elif p.extensions >= self.policy.extension.max_count:
            self.e_code[k] = "over_max_count"
        else:
            p.valid_to += self.policy.extension.days * DAY_US
            p.extensions += 1
            self.e_code[k], self.e_after[k] = "extended", p.valid_to

    def _decision(self, d: int) -> None:
        i = self.claim_row.get(self.d_claim[d])
        if i is None or self.code[i] not in CONFLICT_CODES:
            return  # only a standing conflict can be appealed; anything else is left as it is
        self.decision[i] = self.d_id[d]
        if self.d_kind[d] == "uphold":
            self.code[i] = "conflict_upheld"
            return
        t = self.d_t[d]
        p = self._settled(self.c_cust[i], t)
        if p is not None and p.rep == self.owner[i] and p.rep != self.c_rep[i]:
            self._close(p, t, "released_on_appeal", self.d_id[d])
            p = None
        if p is not None:
            self.code[i], self.owner[i], self.end[i] = "conflict_after_appeal", p.rep, p.valid_to
            return
        self.owner[i] = self.end[i] = None
        if self._blocked(i, t, "_on_appeal"):
            return
        p = self._open(i, t, self.d_day[d], self.d_id[d])
        self.code[i], self.owner[i], self.end[i] = "granted_on_appeal", p.rep, p.valid_to
        self.at[i] = t
