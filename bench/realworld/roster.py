"""The sales team: ~80 reps in regional and key-account teams, each team with its manager."""

from __future__ import annotations

import random
from dataclasses import dataclass

from pypinyin import lazy_pinyin

from bench.realworld.people import person_name

TEAMS = ("华北一组", "华北二组", "华东一组", "华东二组", "华东大客户组", "华南一组", "华南二组", "华中组",
         "西南组", "西北组", "东北组", "大客户部")


@dataclass(frozen=True)
class Rep:
    rep_id: str
    rep_name: str
    team: str
    manager: str
    manager_email: str


def roster(rng: random.Random, size: int = 80) -> list[Rep]:
    """`size` reps spread over the teams in turn; a manager (with e-mail) per team."""
    managers = {team: person_name(rng) for team in TEAMS}
    reps = []
    for i in range(size):
        team = TEAMS[i % len(TEAMS)]
        manager = managers[team]
        syllables = lazy_pinyin(manager)
        email = f"{''.join(syllables[1:])}.{syllables[0]}@sales.example.com"
        reps.append(Rep(f"R{i + 1:03d}", person_name(rng), team, manager, email))
    return reps
