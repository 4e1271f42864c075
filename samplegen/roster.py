"""The sales team: reps grouped into teams, each team with a manager, each rep with a quota.

A few "heavy" reps register far more than the others and have the smallest quota, so that
quota limits bite even in the 400-claim samples.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from samplegen.contact_people import make_person
from samplegen.phonetics import Phonetics

TEAM_NAMES = (
    "华北一组", "华东大客户组", "华南一组", "西南组", "华中组", "华东一组", "华北二组",
    "华南大客户组", "东北组", "西北组", "华东二组", "华南二组", "华北大客户组", "华中二组",
    "西南二组", "华东三组", "华南三组", "华北三组", "海外组", "政企大客户组",
)
MAX_REPS = 200
_HEAVY_WEIGHT = 14


@dataclass(frozen=True, slots=True)
class Rep:
    rep_id: str
    rep_name: str
    team: str
    manager: str
    manager_email: str
    quota: int
    weight: int  # relative number of claims this rep files


def roster_size(n_claims: int) -> tuple[int, int]:
    """(reps, teams): 28 reps in 5 teams for the 400-claim samples, 200 in 20 from 20k claims."""
    n_reps = min(MAX_REPS, max(20, round(1.4 * math.sqrt(n_claims))))
    n_teams = min(len(TEAM_NAMES), max(4, round(n_reps / 6)))
    return n_reps, n_teams


def build_roster(n_claims: int, rng: random.Random, phonetics: Phonetics) -> tuple[Rep, ...]:
    """Reps S001.. spread over teams; ~7% heavy reps (quota 30), others mostly quota 50."""
    n_reps, n_teams = roster_size(n_claims)
    used_names: set[str] = set()
    used_emails: set[str] = set()

    def _unique_person() -> tuple[str, str]:
        while True:
            person = make_person(rng, phonetics)
            if person.name not in used_names:
                used_names.add(person.name)
                email = f"{person.surname_pinyin}.{person.given_pinyin}"
                suffix = 2
                while email in used_emails:  # two managers may share a reading
                    email = f"{person.surname_pinyin}.{person.given_pinyin}{suffix}"
                    suffix += 1
                used_emails.add(email)
                return person.name, f"{email}@example-corp.cn"

    managers = [_unique_person() for _ in range(n_teams)]
    n_heavy = max(2, round(n_reps * 0.07))
    heavy = set(rng.sample(range(n_reps), n_heavy))
    reps = []
    for i in range(n_reps):
        team = i % n_teams
        if i in heavy:
            quota, weight = 30, _HEAVY_WEIGHT
        else:
            quota = rng.choice((50, 50, 50, 50, 50, 50, 50, 30, 30, 80))
            weight = rng.randint(2, 5)
        name, _ = _unique_person()
        manager, manager_email = managers[team]
        rep_id = f"S{i + 1:03d}"
        reps.append(Rep(rep_id, name, TEAM_NAMES[team], manager, manager_email, quota, weight))
    return tuple(reps)
