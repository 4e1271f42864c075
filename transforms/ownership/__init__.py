"""Customer ownership (客户保护): a pure, deterministic replay of claims, follow-ups, extensions
and appeal decisions under an `OwnershipPolicy`, and a side-by-side comparison of two policies."""

from transforms.ownership.compare import compare_policies
from transforms.ownership.policy import ExtensionRule, OwnershipPolicy
from transforms.ownership.replay import OwnershipResult, replay

__all__ = ["ExtensionRule", "OwnershipPolicy", "OwnershipResult", "compare_policies", "replay"]
