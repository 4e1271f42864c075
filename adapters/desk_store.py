"""The desk: what people decide on the screens (`recon web`), kept in a SQLite file beside the
warehouse (`desk.sqlite`) that the next night reads, as it reads decisions.csv, appeals.csv and
extensions.csv.

Every ruling is a new row, never an update: the latest row on a pair, an appeal or an extension
request is the one that stands, so a decision is reversed by deciding again and the whole history
stays in the audit list. Ids carry the desk's own random id (`WEB-3f9a1c-D000001`): a desk made
anew never reuses an id the warehouse already recorded (the night skips ids it has seen). SQLite
in WAL mode lets the screens write while a night reads one consistent snapshot. Sign-in
credentials and sessions are kept in the same file (`web.sessions`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

DESK_FILE = "desk.sqlite"
PAIR_ANSWERS = ("same", "different", "skip")
_SCHEMA = """
create table if not exists desk (desk_id text not null);
insert into desk select lower(hex(randomblob(3))) where not exists (select 1 from desk);
create table if not exists decisions (
    seq integer primary key autoincrement,
    kind text not null check (kind in ('pair', 'claim')),
    claim_id_a text not null, claim_id_b text,
    decision text not null check (decision in ('same', 'different', 'skip')),
    reviewer text not null, login text not null, decided_at text not null, note text
);
create table if not exists appeal_rulings (
    seq integer primary key autoincrement,
    appeal_id text not null,
    decision text not null check (decision in ('uphold', 'overturn', 'same', 'different')),
    reviewer text not null, login text not null, decided_at text not null, note text not null
);
create table if not exists extension_rulings (
    seq integer primary key autoincrement,
    request_id text not null, approved integer not null check (approved in (0, 1)),
    approver text not null, login text not null, decided_at text not null, note text not null
);
create table if not exists credentials (login text primary key, password_hash text not null, set_at text not null);
create table if not exists sessions (
    token_sha256 text primary key, login text not null, csrf_token text not null,
    created_at text not null, expires_at text not null
);
"""
UTC_TIME = pl.Datetime("us", "UTC")


def desk_beside(warehouse: Path) -> Path:
    """Where the desk of a warehouse lives unless told otherwise: the same folder, so that
    `recon web` and `recon run` given one --warehouse find one desk."""
    return Path(warehouse).with_name(DESK_FILE)


def now_text(timespec: str = "seconds") -> str:
    return datetime.now(UTC).isoformat(timespec=timespec)


def _ruled_at() -> str:
    """When a ruling is given, to the microsecond: two answers in one second keep their order."""
    return now_text("microseconds")


def _id_sql(letter: str) -> str:
    return f"'WEB-' || (select desk_id from desk) || '-{letter}' || printf('%06d', seq)"


class DeskStore:
    """One SQLite file; a connection per call, so threads and processes can share it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ready = False  # the tables exist (checked once per store: every keystroke checks a session)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            if not self._ready:
                con.execute("pragma journal_mode=wal")  # kept by the file: readers never wait for a writer
                con.executescript(_SCHEMA)
                self._ready = True
            yield con
        finally:
            con.close()

    def _recorded(self, table: str, letter: str, values: dict[str, object]) -> str:
        """One ruling appended to `table` (given now); its id."""
        values = values | {"decided_at": _ruled_at()}
        with self.connect() as con:
            cursor = con.execute(
                f"insert into {table} ({', '.join(values)}) values ({', '.join('?' * len(values))}) "
                f"returning {_id_sql(letter)}", tuple(values.values()))
            return cursor.fetchone()[0]

    def record_pair(self, claim_a: str, claim_b: str, decision: str, reviewer: str, login: str,
                    note: str | None) -> str:
        """A reviewer's answer on two claims (skip: seen, not decided); its decision id."""
        if decision not in PAIR_ANSWERS:
            raise ValueError(f"decision {decision!r} is not one of {', '.join(PAIR_ANSWERS)}")
        low, high = sorted((claim_a, claim_b))
        return self._recorded("decisions", "D", {"kind": "pair", "claim_id_a": low, "claim_id_b": high,
                                                 "decision": decision, "reviewer": reviewer, "login": login,
                                                 "note": note or None})

    def record_appeal(self, appeal_id: str, decision: str, reviewer: str, login: str, note: str) -> str:
        return self._recorded("appeal_rulings", "A", {"appeal_id": appeal_id, "decision": decision,
                                                      "reviewer": reviewer, "login": login, "note": note})

    def record_extension(self, request_id: str, approved: bool, approver: str, login: str, note: str) -> str:
        return self._recorded("extension_rulings", "E", {"request_id": request_id, "approved": int(approved),
                                                         "approver": approver, "login": login, "note": note})

    def _read(self, table: str, letter: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        """`table`'s rows in the order given: its id (the first column of `schema`), then the
        columns of `schema` as stored (times as ISO text, booleans as 0 / 1), typed by `schema`."""
        if not self.path.exists():
            return pl.DataFrame(schema=schema)
        columns = list(schema)[1:]  # after the id
        with self.connect() as con:
            rows = con.execute(f"select {_id_sql(letter)}, {', '.join(columns)} from {table} order by seq").fetchall()
        stored = {column: pl.String if kind == UTC_TIME else pl.Int8 if kind == pl.Boolean else kind
                  for column, kind in schema.items()}
        return pl.DataFrame(rows, schema=stored, orient="row").with_columns(
            pl.col(column).str.to_datetime(time_zone="UTC", time_unit="us") if kind == UTC_TIME
            else pl.col(column).cast(kind) for column, kind in schema.items() if stored[column] != kind)

    def decisions(self) -> pl.DataFrame:
        """Every pair answer in the order given, with its decision id: the audit list's rows."""
        return self._read("decisions", "D", {
            "decision_id": pl.String, "kind": pl.String, "claim_id_a": pl.String, "claim_id_b": pl.String,
            "decision": pl.String, "reviewer": pl.String, "login": pl.String, "decided_at": UTC_TIME,
            "note": pl.String})

    def appeal_rulings(self) -> pl.DataFrame:
        return self._read("appeal_rulings", "A", {
            "ruling_id": pl.String, "appeal_id": pl.String, "decision": pl.String, "reviewer": pl.String,
            "login": pl.String, "decided_at": UTC_TIME, "note": pl.String})

    def extension_rulings(self) -> pl.DataFrame:
        return self._read("extension_rulings", "E", {
            "ruling_id": pl.String, "request_id": pl.String, "approved": pl.Boolean, "approver": pl.String,
            "login": pl.String, "decided_at": UTC_TIME, "note": pl.String})
