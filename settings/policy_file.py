"""Typed loading of `policy.yaml` (business rules: protection, quotas, templates, cooldown).

Every mistake is reported as a `PolicyError` naming the file and the key, e.g.
`policy.yaml: protection_days.E: Extra inputs are not permitted`. The result is the
`transforms.ownership.OwnershipPolicy` the replay takes and the `matching.links.LinkPolicy` the
matching reads; transforms never read the file. A key left out takes the default those two
objects declare: defaults are written there once, and read here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator

from matching.links import LinkPolicy
from matching.review import ReviewCapacity
from settings.base import Strict, Zone, load_yaml_model
from transforms.ownership.policy import DEFAULT_TEMPLATE, ExtensionRule, OwnershipPolicy

# The largest value each number may take. Without them `protection_days.A: 100000000` (a slip of the
# keyboard) passed validation and crashed the replay with "out-of-range datetime": a date past the
# year 9999 cannot exist. The bounds sit far above any real rule yet keep every date the replay
# computes well inside that range (10 years of protection plus 100 extensions of 10 years each is
# about 1,010 years after the as-of date).
MAX_PERIOD_DAYS = 3650  # protection, extension, idle release, first-night window: nothing real needs over 10 years
MAX_COOLDOWN_DAYS = 365  # a wait before re-registering a customer longer than a year would be a ban
MAX_EXTENSIONS = 100  # extensions of one protection
MAX_QUOTA = 100_000  # active protections per rep (default and per-category caps): more than any sales force holds
MAX_DAILY_CAP = 10_000  # new protections per rep per business day
MAX_REVIEW_ITEMS = 100_000  # pairs in one night's review queue: more than people could ever work through

Days = Annotated[int, Field(ge=1, le=MAX_PERIOD_DAYS)]
Cap = Annotated[int, Field(ge=0, le=MAX_QUOTA)]
_OWNERSHIP, _LINK = OwnershipPolicy(), LinkPolicy()
TemplateField = Literal["company_name", "contact_name", "phone", "email", "website", "credit_code"]


class PolicyError(ValueError):
    """policy.yaml is missing, unreadable or wrong; the message names the key."""


class _Strict(Strict):
    """Policy values are never coerced: a quoted "30" for a number of days is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ProtectionDays(_Strict):
    """Days of protection a registration gives, per category; categories are A-D only."""

    A: Days = _OWNERSHIP.protection_days["A"]
    B: Days = _OWNERSHIP.protection_days["B"]
    C: Days = _OWNERSHIP.protection_days["C"]
    D: Days = _OWNERSHIP.protection_days["D"]


class CategoryCaps(_Strict):
    """Optional caps on a rep's active protections of one category."""

    A: Cap | None = None
    B: Cap | None = None
    C: Cap | None = None
    D: Cap | None = None


class Extension(_Strict):
    max_count: Annotated[int, Field(ge=0, le=MAX_EXTENSIONS)] = _OWNERSHIP.extension.max_count
    days: Days = _OWNERSHIP.extension.days
    requires_approval: bool = _OWNERSHIP.extension.requires_approval


class Quota(_Strict):
    default: Cap = _OWNERSHIP.default_quota
    per_category: CategoryCaps = CategoryCaps()


Probability = Annotated[float, Field(gt=0, lt=1)]


class Matching(_Strict):
    """When two claims count as one customer, and which pairs a person should look at."""

    match_threshold: Probability = _LINK.match_threshold
    review_floor: Probability = _LINK.review_floor
    review_max_items: Annotated[int, Field(ge=1, le=MAX_REVIEW_ITEMS)] = _LINK.review_capacity.max_items
    review_max_share: Probability = _LINK.review_capacity.max_share

    @field_validator("review_floor")
    @classmethod
    def _floor_below_threshold(cls, floor: float, info) -> float:
        threshold = info.data.get("match_threshold", _LINK.match_threshold)
        if floor > threshold:
            raise ValueError(f"review_floor {floor} must not exceed match_threshold {threshold}")
        return floor


class PolicyFile(_Strict):
    """The whole of policy.yaml, as written; `ownership_policy()` gives what the replay takes."""

    protection_days: ProtectionDays = ProtectionDays()
    idle_release_days: Days | None = _OWNERSHIP.idle_release_days
    extension: Extension = Extension()
    quota: Quota = Quota()
    templates: dict[str, list[TemplateField]] = Field(
        default_factory=lambda: {name: list(fields) for name, fields in _OWNERSHIP.templates.items()})
    group_as_one_customer: bool = _OWNERSHIP.group_as_one_customer
    cooldown_days: Annotated[int, Field(ge=0, le=MAX_COOLDOWN_DAYS)] = _OWNERSHIP.cooldown_days
    daily_cap: Annotated[int, Field(ge=1, le=MAX_DAILY_CAP)] | None = _OWNERSHIP.daily_cap
    business_timezone: Zone = _OWNERSHIP.business_timezone
    first_night_window_days: Annotated[int, Field(ge=0, le=MAX_PERIOD_DAYS)] = 1
    matching: Matching = Matching()

    @field_validator("templates")
    @classmethod
    def _has_default(cls, templates: dict[str, list[str]]) -> dict[str, list[str]]:
        if DEFAULT_TEMPLATE not in templates:
            raise ValueError("a 'default' template is required (industries not listed use it)")
        return templates

    def ownership_policy(self) -> OwnershipPolicy:
        """The immutable policy object the ownership replay reads."""
        caps = {k: v for k, v in self.quota.per_category.model_dump().items() if v is not None}
        return OwnershipPolicy(
            protection_days=self.protection_days.model_dump(),
            idle_release_days=self.idle_release_days,
            extension=ExtensionRule(**self.extension.model_dump()),
            default_quota=self.quota.default,
            category_caps=caps,
            templates={k: tuple(v) for k, v in self.templates.items()},
            cooldown_days=self.cooldown_days,
            daily_cap=self.daily_cap,
            business_timezone=self.business_timezone,
            group_as_one_customer=self.group_as_one_customer,
        )


    def link_policy(self) -> LinkPolicy:
        """The thresholds and group rule the matching stage reads."""
        return LinkPolicy(
            match_threshold=self.matching.match_threshold,
            review_floor=self.matching.review_floor,
            group_counts_as_one_customer=self.group_as_one_customer,
            review_capacity=ReviewCapacity(self.matching.review_max_items, self.matching.review_max_share),
        )


def load_policy(path: Path) -> OwnershipPolicy:
    """The OwnershipPolicy in policy.yaml, validated; PolicyError names any bad key."""
    return read_policy_file(path).ownership_policy()


def read_policy_file(path: Path) -> PolicyFile:
    """policy.yaml validated as a whole; PolicyError names any bad key."""
    return load_yaml_model(Path(path), lambda raw: PolicyFile(**raw), PolicyError)

