"""The ownership rules as one typed, immutable object.

`settings/policy_file.py` builds it from `config/policy.yaml` and checks every value; transforms only
read it. Durations are whole days; a `None` turns the rule off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import TypeVar

from transforms.schema import BUSINESS_ZONE

TEMPLATE_FIELDS: tuple[str, ...] = (
    "company_name",
    "contact_name",
    "phone",
    "email",
    "website",
    "credit_code",
)
DEFAULT_TEMPLATE = "default"
_K = TypeVar("_K")
_V = TypeVar("_V")


def _frozen(mapping: Mapping[_K, _V]) -> Mapping[_K, _V]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class ExtensionRule:
    """延期: an active protection may be extended `max_count` times by `days` each."""

    max_count: int = 1
    days: int = 30
    requires_approval: bool = True


@dataclass(frozen=True)
class OwnershipPolicy:
    """Everything `replay` needs to decide ownership.

    `templates` maps an industry to the claim fields it requires; `default` covers the rest.
    `group_as_one_customer` is read by the matching stage; the replay ignores it.
    """

    protection_days: Mapping[str, int] = field(
        default_factory=lambda: _frozen({"A": 90, "B": 60, "C": 30, "D": 30})
    )
    idle_release_days: int | None = 30
    extension: ExtensionRule = ExtensionRule()
    default_quota: int = 50
    category_caps: Mapping[str, int] = field(default_factory=lambda: _frozen({}))
    templates: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: _frozen({DEFAULT_TEMPLATE: ("company_name",)})
    )
    cooldown_days: int = 7
    daily_cap: int | None = None
    business_timezone: str = BUSINESS_ZONE
    group_as_one_customer: bool = False

    def __post_init__(self) -> None:
        # Callers may pass plain dicts; freeze them so the policy cannot change under a replay.
        object.__setattr__(self, "protection_days", _frozen(self.protection_days))
        object.__setattr__(self, "category_caps", _frozen(self.category_caps))
        object.__setattr__(
            self, "templates", _frozen({k: tuple(v) for k, v in self.templates.items()})
        )
        if DEFAULT_TEMPLATE not in self.templates:
            raise ValueError("templates must include a 'default' template")

    def __reduce__(self) -> tuple[object, tuple[dict[str, object]]]:
        """Pickled with its mappings as plain dicts (a mapping proxy does not pickle): the night
        may replay in a process of its own (`flows.background.in_process`)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return _policy_of, ({name: dict(v) if isinstance(v, Mapping) else v for name, v in values.items()},)


def _policy_of(values: dict[str, object]) -> OwnershipPolicy:
    return OwnershipPolicy(**values)  # type: ignore[arg-type]
