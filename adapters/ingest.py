"""Finding and reading input files: which are new tonight, their rows as text with lineage,
and the reps roster. Follow-ups, extensions, appeals and decisions: `adapters/side_inputs.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from adapters.readers import ROW_NUMBER, SourceFileError, file_sha256, read_source_file, read_table
from settings.policy_file import MAX_QUOTA
from settings.sources import SourceConfig, SourcesConfig
from transforms.mapping import MissingColumnsError, raw_claims_from_rows
from transforms.schema import REQUIRED_ROSTER_FIELDS, ROSTER_FIELDS


@dataclass(frozen=True)
class SourceFile:
    source: SourceConfig
    path: Path
    sha256: str
    name: str  # the path relative to the source's folder: the file's identity from night to night


def new_source_files(config: SourcesConfig, known: set[tuple[str, str, str]]) -> list[SourceFile]:
    """Files the sources match that are not yet ingested in this exact version, in config order."""
    found = []
    for source in config.sources:
        for path in config.files_of(source):
            sha, name = file_sha256(path), file_name_in_source(config, source, path)
            if (source.name, name, sha) not in known:
                found.append(SourceFile(source, path, sha, name))
    return found


def file_name_in_source(config: SourcesConfig, source: SourceConfig, path: Path) -> str:
    """`path` relative to the source's folder (its pattern up to the first wildcard), so that
    `in/*/leads.csv` keeps `m1/leads.csv` and `m2/leads.csv` apart; a plain `leads.csv` for a
    pattern like `form/*.csv`."""
    fixed = []
    for part in Path(source.path).parts[:-1]:
        if any(mark in part for mark in "*?["):
            break
        fixed.append(part)
    folder = (config.base_dir / Path(*fixed)).resolve()
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:  # reached through a link that leaves the folder
        return path.name


def sources_matching_nothing(config: SourcesConfig) -> list[str]:
    """One line per source whose path matches no file at all. Files stay where the night read them,
    so this is a wrong path or a share not mounted, not a night without new files."""
    return [f"source {source.name}: {source.path!r} matches no file (is the path right, the share mounted?)"
            for source in config.sources if not config.files_of(source)]


def read_new_files(
    files: list[SourceFile], *, first_seq: int, ingested_at: datetime
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(raw claim rows with lineage, one ingested_files row per file). Raises SourceFileError
    naming the file (and column) when any file cannot be read: then nothing is ingested."""
    raws, metas = [], []
    for seq, item in enumerate(files, start=first_seq):
        read = read_source_file(item.path, item.source)
        if read.sha256 != item.sha256:
            raise SourceFileError(item.path, "changed while it was being read; run again")
        try:
            mapped = raw_claims_from_rows(read.rows, item.source.columns, row_number_column=ROW_NUMBER)
        except MissingColumnsError as exc:
            raise SourceFileError(item.path, str(exc)) from exc
        lineage = {
            "source": item.source.name,
            "source_kind": item.source.kind,
            "file_name": item.name,
            "file_sha256": item.sha256,
        }
        raws.append(
            mapped.with_columns(
                *(pl.lit(v).alias(k) for k, v in lineage.items()),
                pl.lit(ingested_at).alias("ingested_at"),
                pl.format("{}-{}", pl.lit(seq), pl.col("row_number")).alias("raw_row_id"),
            )
        )
        metas.append(
            lineage
            | {
                "ingest_seq": seq,
                "file_path": str(item.path),
                "ingested_at": ingested_at,
                "rows_read": mapped.height,
                "blank_rows_skipped": read.blank_rows,
            }
        )
    raw = pl.concat(raws, how="vertical") if raws else pl.DataFrame()
    return raw, pl.DataFrame(metas)


def read_roster(config: SourcesConfig) -> pl.DataFrame:
    """The reps roster, one row per rep, its headers mapped by `roster.columns`; optional fields
    missing from the file are empty. A bad row stops the run, naming the row."""
    path = config.resolve(config.roster.path)
    mapping = config.roster.columns
    required = tuple(next((h for h, f in mapping.items() if f == field), field) for field in REQUIRED_ROSTER_FIELDS)
    table = read_table(path, required=required).rename(
        {header: field for header, field in mapping.items() if header != field}, strict=False
    )
    roster = table.select(
        (pl.col(f).str.strip_chars().replace("", None) if f in table.columns else pl.lit(None, pl.String)).alias(f)
        for f in ROSTER_FIELDS
    ).with_row_index("row", offset=2)
    _check_roster_rows(path, roster)
    doubled = roster.filter(pl.col("rep_id").is_duplicated())["rep_id"].unique().sort().to_list()
    if doubled:
        raise SourceFileError(path, f"column rep_id: repeated rep id(s) {', '.join(doubled)}")
    addresses = roster.filter(pl.col("manager").is_not_null()).group_by("manager").agg(
        pl.col("manager_email").drop_nulls().unique().sort()
    ).filter(pl.col("manager_email").list.len() > 1).sort("manager")
    if addresses.height:
        # reports go per manager name: two people of one name would get each other's teams
        manager, emails = addresses.row(0)
        raise SourceFileError(path, f"column manager_email: manager {manager} has {len(emails)} addresses "
                                    f"({', '.join(emails)}); give each manager one address, or tell two "
                                    "managers of the same name apart in the manager column")
    return roster.drop("row").with_columns(pl.col("quota").cast(pl.Int64)).sort("rep_id")


def _check_roster_rows(path: Path, roster: pl.DataFrame) -> None:
    """The first row with a missing required field, a quota that is not a whole number from 0 to
    MAX_QUOTA (the policy's bound), or an
    e-mail without @ stops the run, named by its row number in the file."""
    quota = pl.col("quota").cast(pl.Int64, strict=False)
    problems = [
        *((pl.col(f).is_null(), f"{f} is empty") for f in REQUIRED_ROSTER_FIELDS),
        (pl.col("quota").is_not_null() & (quota.is_null() | (quota < 0) | (quota > MAX_QUOTA)),
         pl.format(f"quota {{}} is not a whole number from 0 to {MAX_QUOTA:,} (leave it empty for the policy's "
                   "default)", pl.col("quota"))),
        (pl.col("manager_email").is_not_null() & ~pl.col("manager_email").str.contains("@", literal=True),
         pl.format("manager_email {} is not an e-mail address", pl.col("manager_email"))),
    ]
    for bad, message in problems:
        rows = roster.filter(bad)
        if rows.height:
            row = rows.select("row", "rep_id", (message if isinstance(message, pl.Expr) else pl.lit(message))
                              .alias("problem")).row(0, named=True)
            rep = f" (rep {row['rep_id']})" if row["rep_id"] else ""
            raise SourceFileError(path, f"row {row['row']}{rep}: {row['problem']}")
