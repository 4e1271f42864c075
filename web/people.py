"""Who may sign in and what each may see and decide.

Every rep of the roster signs in with their rep id (role rep); every manager with a
`manager_email` signs in with it (role manager, for the teams the roster gives them);
config/web.yaml adds reviewers (sales-ops), admins and anyone the roster does not list.

- a rep sees only the lookup, which never shows a contact detail;
- a reviewer or an admin works the review desk, the audit list, appeals and extensions, and sees
  every claim's contact details (sales-ops see all teams);
- a manager sees and rules on the appeals and extension requests of their own teams' reps, and
  sees contact details of their own teams' claims only.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from settings.web import WebConfig

DESK_ROLES = frozenset({"reviewer", "admin"})
RULING_ROLES = frozenset({"reviewer", "admin", "manager"})


@dataclass(frozen=True)
class Person:
    login: str
    name: str
    role: str  # rep, manager, reviewer, admin
    rep_id: str | None = None
    teams: frozenset[str] = frozenset()

    @property
    def works_the_desk(self) -> bool:
        return self.role in DESK_ROLES

    @property
    def rules(self) -> bool:
        """Sees the appeals and extensions pages (a manager only their teams' items)."""
        return self.role in RULING_ROLES

    def may_rule_for(self, team: str | None) -> bool:
        """Whether this person may rule on an appeal or request by a rep of `team`."""
        return self.role in DESK_ROLES or (self.role == "manager" and team is not None and team in self.teams)

    def sees_contacts_of(self, team: str | None) -> bool:
        """Whether a claim by a rep of `team` may show its contact person, phone and e-mail."""
        return self.may_rule_for(team)


def normal_login(text: str) -> str:
    """A login as typed or sent by a proxy, as people_from keys it: e-mail addresses in lower case
    (Guo.Bowen@… is guo.bowen@…), rep ids and other logins as they are."""
    text = text.strip()
    return text.lower() if "@" in text else text


def people_from(roster: pl.DataFrame, config: WebConfig) -> dict[str, Person]:
    """Everyone who may sign in, by login; a web.yaml entry replaces a roster person of its login
    (keeping the roster's teams for a manager)."""
    people = {
        rep["rep_id"]: Person(rep["rep_id"], rep["rep_name"] or rep["rep_id"], "rep", rep["rep_id"],
                              frozenset({rep["team"]} if rep["team"] else ()))
        for rep in roster.iter_rows(named=True)
    }
    managers = (
        roster.filter(pl.col("manager_email").is_not_null())
        .group_by("manager_email").agg(pl.col("manager").first(), pl.col("team").drop_nulls().unique().sort())
        .sort("manager_email")
    )
    for email, name, teams in managers.iter_rows():
        login = normal_login(email)
        people[login] = Person(login, name or login, "manager", None, frozenset(teams))
    for user in config.users:
        login = normal_login(user.login)
        known = people.get(login)
        teams = frozenset(user.teams) | (known.teams if known is not None and user.role == "manager" else frozenset())
        rep_id = known.rep_id if known is not None and user.role == "rep" else None
        people[login] = Person(login, user.name, user.role, rep_id, teams)
    return people
