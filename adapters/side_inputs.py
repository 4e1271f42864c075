"""The small files sales-ops keep beside the claims: follow-ups, extension requests, appeals,
reviewer decisions.

Each is read as text, its times parsed (ISO 8601 with offset), its coded values checked; a row
that cannot be understood stops the run with the file, row and column named. A source that is
not configured yields an empty, correctly typed frame.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from adapters.readers import SourceFileError, read_table
from settings.sources import FileRef, SourcesConfig
from transforms.schema import APPEAL_DECISIONS, DECISION_COLUMNS

UTC = pl.Datetime("us", "UTC")

FOLLOWUP_COLUMNS = ("activity_id", "claim_id", "rep_id", "activity_at", "activity_type", "note")
EXTENSION_COLUMNS = ("request_id", "claim_id", "rep_id", "requested_at", "approved", "approver", "note")
APPEAL_COLUMNS = (
    "appeal_id", "claim_id", "rep_id", "appealed_at", "kind", "other_claim_id", "reason",
    "decision", "reviewer", "decided_at", "decision_note",
)
DECISION_VALUES = {"pair": ("same", "different"), "claim": ("different",)}
_APPROVED = {"true": True, "yes": True, "是": True, "1": True, "false": False, "no": False, "否": False, "0": False}


def _iso(column: pl.Series) -> pl.Series:
    return column.str.replace(r"Z$", "+00:00").str.strptime(UTC, "%Y-%m-%dT%H:%M:%S%.f%z", strict=False)


def _read(ref: FileRef | None, config: SourcesConfig, columns: tuple[str, ...], times: tuple[str, ...],
          key: str, *, optional_times: tuple[str, ...] = (), claim: str = "claim_id") -> tuple[pl.DataFrame, object]:
    schema = {c: pl.String for c in columns} | {t: UTC for t in times}
    if ref is None:
        return pl.DataFrame(schema=schema), None
    path = config.resolve(ref.path)
    table = read_table(path, required=columns).select(columns).with_columns(
        pl.col(c).str.strip_chars().replace("", None) for c in columns
    )
    for column in times:
        parsed = _iso(table[column])
        bad = table.with_row_index("row", offset=2).filter(
            parsed.is_null() & (pl.col(column).is_not_null() | pl.lit(column not in optional_times))
        )
        if bad.height:
            row = bad.row(0, named=True)
            raise SourceFileError(path, f"row {row['row']}, column {column}: {row[column]!r} is not an ISO time "
                                        "with offset such as 2026-11-26T10:00:00+08:00")
        table = table.with_columns(parsed.alias(column))
    missing_key = table.filter(pl.col(key).is_null() | pl.col(claim).is_null())
    if missing_key.height:
        raise SourceFileError(path, f"{missing_key.height} row(s) without {key} or {claim}")
    doubled = table.filter(pl.col(key).is_duplicated())[key].unique().sort().to_list()
    if doubled:
        raise SourceFileError(path, f"column {key}: repeated id(s) {', '.join(doubled[:5])}")
    return table.sort(key), path


def read_followups(config: SourcesConfig) -> pl.DataFrame:
    """One row per follow-up activity (`activity_at` UTC). The file is read once per version
    (`_version`) in a process: `recon run` checks it before Prefect starts and the
    flow reads it again; at 1M claims it holds 1.6M activities, 2.1 s a read."""
    version = _version(config.resolve(config.followups.path)) if config.followups is not None else None
    if version is None:
        return _read(config.followups, config, FOLLOWUP_COLUMNS, ("activity_at",), "activity_id")[0]
    if version not in _FOLLOWUPS_READ:
        _FOLLOWUPS_READ.clear()
        _FOLLOWUPS_READ[version] = _read(config.followups, config, FOLLOWUP_COLUMNS, ("activity_at",),
                                         "activity_id")[0]
    return _FOLLOWUPS_READ[version]


_FOLLOWUPS_READ: dict[tuple[str, int, int, int, int], pl.DataFrame] = {}


def forget_followups() -> None:
    """Let go of the follow-ups read (a long-lived process whose nights run elsewhere)."""
    _FOLLOWUPS_READ.clear()


def _version(path: Path) -> tuple[str, int, int, int, int] | None:
    """(path, inode, size, modification and change times in ns) of a file — a copy that keeps the
    modification time (`cp -p`, `rsync -t`) still changes the inode or the change time — or None
    if it cannot be read (the reader then says why)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def read_extensions(config: SourcesConfig) -> pl.DataFrame:
    """One row per extension request; `approved` true / false / null (awaiting approval)."""
    table, path = _read(config.extensions, config, EXTENSION_COLUMNS, ("requested_at",), "request_id")
    approved = table["approved"].str.to_lowercase().replace_strict(_APPROVED, default=None, return_dtype=pl.Boolean)
    unreadable = table.filter(approved.is_null() & pl.col("approved").is_not_null())
    if unreadable.height:
        raise SourceFileError(path, f"column approved: {unreadable['approved'][0]!r} is not true / false / empty")
    return table.with_columns(approved.alias("approved"))


def read_appeals(config: SourcesConfig) -> pl.DataFrame:
    """One row per appeal; `decision` empty while the appeal is open."""
    table, path = _read(config.appeals, config, APPEAL_COLUMNS, ("appealed_at", "decided_at"), "appeal_id",
                        optional_times=("decided_at",))
    for row in table.iter_rows(named=True):
        allowed = APPEAL_DECISIONS.get(row["kind"] or "")
        problem = (
            f"kind {row['kind']!r} is not one of {', '.join(APPEAL_DECISIONS)}" if allowed is None
            else f"decision {row['decision']!r} is not one of {', '.join(allowed)}"
            if row["decision"] is not None and row["decision"] not in allowed
            else "a decision needs decided_at" if row["decision"] is not None and row["decided_at"] is None
            else "other_claim_id is needed for a same_customer appeal"
            if row["kind"] == "same_customer" and not row["other_claim_id"]
            else None
        )
        if problem:
            raise SourceFileError(path, f"appeal {row['appeal_id']}: {problem}")
    return table


def read_decisions(config: SourcesConfig) -> pl.DataFrame:
    """Reviewer decisions on claims (pair same / different, claim different)."""
    table, path = _read(config.decisions, config, DECISION_COLUMNS, ("decided_at",), "decision_id",
                        claim="claim_id_a")
    for row in table.iter_rows(named=True):
        allowed = DECISION_VALUES.get(row["kind"] or "")
        problem = (
            f"kind {row['kind']!r} is not one of {', '.join(DECISION_VALUES)}" if allowed is None
            else f"decision {row['decision']!r} is not one of {', '.join(allowed)}" if row["decision"] not in allowed
            else "claim_id_b is needed for a pair" if row["kind"] == "pair" and not row["claim_id_b"]
            else None
        )
        if problem:
            raise SourceFileError(path, f"decision {row['decision_id']}: {problem}")
    return table


def appeal_rulings_on_conflicts(appeals: pl.DataFrame) -> pl.DataFrame:
    """Decided conflict appeals, in the shape the ownership replay takes."""
    return appeals.filter((pl.col("kind") == "conflict") & pl.col("decision").is_not_null()).select(
        pl.col("appeal_id").alias("decision_id"), "claim_id", "decision", "reviewer", "decided_at",
        pl.col("decision_note").alias("note"),
    )


def appeal_rulings_on_customers(appeals: pl.DataFrame) -> pl.DataFrame:
    """Decided same-customer appeals, as pair decisions for matching."""
    return appeals.filter((pl.col("kind") == "same_customer") & pl.col("decision").is_not_null()).select(
        pl.col("appeal_id").alias("decision_id"), pl.lit("pair").alias("kind"), pl.col("claim_id").alias("claim_id_a"),
        pl.col("other_claim_id").alias("claim_id_b"), "decision", "reviewer", "decided_at",
        pl.col("decision_note").alias("note"),
    )
