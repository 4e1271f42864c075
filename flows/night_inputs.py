"""Everything a night reads besides the claim files: sources.yaml, policy.yaml, the data
dictionary, the roster and the side inputs (appeals, decisions, follow-ups, extensions).

`recon run` reads them all before Prefect starts, so a mistake in any of them is reported in a
second, as one line naming the file and the key or row; the flow reads them again through the
same function. Nothing here imports Prefect.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from adapters.data_dictionary import DataDictionary, read_dictionary
from adapters.desk_store import DeskStore
from adapters.ingest import read_roster
from adapters.side_inputs import (
    appeal_rulings_on_customers,
    read_appeals,
    read_decisions,
    read_extensions,
    read_followups,
)
from settings.policy_file import PolicyFile, read_policy_file
from settings.sources import SourcesConfig, load_sources
from transforms.desk_rulings import appeals_with_rulings, decisions_from_desk, extensions_with_rulings


@dataclass(frozen=True)
class NightInputs:
    config: SourcesConfig
    policy: PolicyFile
    dictionary: DataDictionary
    roster: pl.DataFrame
    appeals: pl.DataFrame
    decisions: pl.DataFrame  # reviewer decisions plus same-customer appeal rulings
    followups: pl.DataFrame
    extensions: pl.DataFrame


def read_night_inputs(sources_path: Path, policy_path: Path, desk_path: Path | None = None) -> NightInputs:
    """Read and check the configuration and side inputs, with what the screens decided (the desk
    at `desk_path`, if any) laid over the side files; ConfigError, PolicyError, DictionaryError or
    SourceFileError name the file and what is wrong."""
    config = load_sources(sources_path)
    policy = read_policy_file(policy_path)
    desk = DeskStore(desk_path) if desk_path is not None else None
    appeals = read_appeals(config)
    decisions = read_decisions(config)
    extensions = read_extensions(config)
    if desk is not None:
        appeals = appeals_with_rulings(appeals, desk.appeal_rulings())
        decisions = pl.concat([decisions, decisions_from_desk(desk.decisions())])
        extensions = extensions_with_rulings(extensions, desk.extension_rulings())
    return NightInputs(
        config=config,
        policy=policy,
        dictionary=read_dictionary(),
        roster=read_roster(config),
        appeals=appeals,
        decisions=pl.concat([decisions, appeal_rulings_on_customers(appeals)]),
        followups=read_followups(config),
        extensions=extensions,
    )
