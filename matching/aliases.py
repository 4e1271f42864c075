"""Known short and former names of real companies, as a key shared by every name of one company.

People register a listed company under its stock short name (证券简称: 汇川技术, 瓦轴B) or a
former one (国农科技 for 深圳中国农大科技); none of its characters need to match the full name's.
`transforms/reference_data/listed_company_names.csv` (A-share listings: code, short name, full name,
former short names; source in README, "Reference data") gives every such name of a company. Each
name is reduced to its core the way claims are (legal form, region and share-class letter removed),
and `alias_key` maps every core of one company to the core of its full name. A core that two
companies both claim is left out: a key that could mean either says nothing.

Deriving the table parses 14,000 names (over a second); a lookup must answer in about one, so the
table is derived once into `listed_company_aliases.csv` beside its source (`python -m
matching.aliases` rewrites it; a test checks it matches what the rules derive today).
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources
from pathlib import Path

import polars as pl

from transforms.names import name_structure, normalise_name

_CSV = "listed_company_names.csv"
ALIAS_CSV = "listed_company_aliases.csv"
# risk and share-class markers around a stock short name: *ST 瓦轴, 万科A, 深赤湾Ｂ, 中集B
_RISK_MARKER = r"^\*?st|^pt"
_SHARE_CLASS = r"([\u4e00-\u9fff])[ab]$"
# a stock short name of two characters (美丽, 神城) is a common word; it needs other evidence
MIN_ALIAS_CHARS = 2


def _unmarked(core: str) -> str:
    """`core` without its stock markers (the same patterns `_unmarked_column` applies)."""
    return re.sub(_SHARE_CLASS, r"\1", re.sub(_RISK_MARKER, "", core))


def _keyed_core(core: str | None) -> str | None:
    stripped = _unmarked(core) if core else ""
    return stripped if len(stripped) >= MIN_ALIAS_CHARS else None


def alias_core(name: str | None) -> str | None:
    """The core a claim's name is keyed by: `core_name` without stock markers."""
    return _keyed_core(name_structure(normalise_name(name)).core_name) if name else None


def placed_alias_core(name: str | None) -> str | None:
    """The region and core of a name, as one key (铜陵有色: the core 有色 alone is several
    companies' short name, the region says which), or None for a name without a region."""
    if not name:
        return None
    structure = name_structure(normalise_name(name))
    core = _keyed_core(structure.core_name)
    return structure.region + core if structure.region and core else None


@cache
def alias_keys() -> dict[str, str]:
    """core of any known name → core of the company's full name (the derived table)."""
    with resources.files("transforms.reference_data").joinpath(ALIAS_CSV).open(encoding="utf-8") as f:
        return {row["alias_core"]: row["full_core"] for row in csv.DictReader(f)}


def derived_alias_keys() -> dict[str, str]:
    """core of any known name → core of the company's full name (itself for the full name)."""
    owners: dict[str, set[str]] = {}
    with resources.files("transforms.reference_data").joinpath(_CSV).open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            full = alias_core(row["full_name"])
            if full is None:
                continue
            names = [row["full_name"], row["short_name"], *(row["former_short_names"] or "").split("|")]
            for name in names:
                for core in {alias_core(name.strip()), placed_alias_core(name.strip())} if name.strip() else ():
                    if core is not None:
                        owners.setdefault(core, set()).add(full)
    return {core: next(iter(fulls)) for core, fulls in owners.items() if len(fulls) == 1}


def alias_key(core_name: str | None) -> str | None:
    """The full-name core of the listed company `core_name` is a name of, or None."""
    if core_name is None:
        return None
    return with_alias_key(pl.DataFrame({"core_name": [core_name], "region": [None]},
                                       schema={"core_name": pl.String, "region": pl.String}))["alias_key"][0]


def with_alias_key(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` plus `alias_key`: the full-name core of the listed company its `core_name` is a
    name of, else the one its `region` and core together are (`placed_alias_core`: 铜陵有色), else
    null. By joins on the table made once (`replace_strict` hashed its 11k names on every call,
    ~4 ms for a lookup's few rows)."""
    table = _alias_table()
    own = table.rename({"alias_core": "_own", "full_core": "_own_key"})
    placed = table.rename({"alias_core": "_placed", "full_core": "_placed_key"})
    return (
        frame.with_columns(_unmarked_column(pl.col("core_name")).alias("_own"),
                           _unmarked_column(pl.concat_str("region", "core_name")).alias("_placed"))
        .join(own, on="_own", how="left", maintain_order="left")
        .join(placed, on="_placed", how="left", maintain_order="left")
        .with_columns(pl.coalesce("_own_key", "_placed_key").alias("alias_key"))
        .drop("_own", "_placed", "_own_key", "_placed_key")
    )


def _unmarked_column(core_names: pl.Expr) -> pl.Expr:
    """`_unmarked` over a column."""
    return core_names.str.replace(_RISK_MARKER, "").str.replace(_SHARE_CLASS, "${1}")


@cache
def _alias_table() -> pl.DataFrame:
    """`alias_keys` as a frame (one row per alias core), made once."""
    table = alias_keys()
    return pl.DataFrame({"alias_core": list(table), "full_core": list(table.values())},
                        schema={"alias_core": pl.String, "full_core": pl.String})


def main() -> None:
    target = Path(str(resources.files("transforms.reference_data").joinpath(ALIAS_CSV)))
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["alias_core", "full_core"])
        writer.writerows(sorted(derived_alias_keys().items()))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
