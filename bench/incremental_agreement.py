"""Incremental nights against full rebuilds, night after night, on a real-world batch.

A benchmark, not a test: it asserts nothing.

    python bench/incremental_agreement.py --claims 20000 --seed 1 --nights 4 --out DIR

Builds one labelled batch from real public reference data (`bench/realworld`, not the project's
own generator) and replays it as sales-ops receive it:

- night 0 (full, the model trained): every claim submitted before the last `nights - 1` days;
- nights 1 … nights-1: one more day each, as a NEW export file per CSV source
  (`form/webform_export_<day>.csv`, `crm/crm_leads_<day>.csv`); the assistant's workbook
  (`sheet/报备登记表.xlsx`) is saved again under its name with that day's rows appended;
- tonight's hostile changes, in turn: (1) new claims bridging two existing customers (a credit code
  of one and the name of another; a mobile and contact of one and the name of another), and a rep
  taken off the roster (all their claims refused from then on); (2) edited
  re-exports: yesterday's web-form file, the history CRM export and the workbook replaced under the
  same name with rows edited (phone, contact, a typo in the company name fixed, a credit code filled
  in) and a few rows deleted, and reviewers' decisions added to the decisions file (`same` and
  `different` on the top of the review queue, `different` on links inside big customers, claims
  made customers of their own); (3) new claims joining the biggest existing customers, others
  bridging a big customer to another one, edits and decisions again, two earlier decisions
  reversed; then again (1), (2), (3) if more nights;
- the last night: no new file at all.

`--as-of` advances one day per night. Each night k runs once incrementally on the warehouse of
night k-1 (the incremental chain) and once with `--full` on a copy of the same warehouse, each
as a separate `recon run` process from the repository, one after the other. Per night it prints
the incremental run's `matching_runs` row (it must say `incremental`), the share of claims whose
customer holds the same claims in both warehouses, the claims whose `customer_id` differs, the
`claim_outcomes` (claim_id, outcome) and `review_queue` pairs that differ, and examples of the
claims that differ (also written to `<out>/night<k>/differences.md` and `.csv`). Exits non-zero
only when a night fails to run.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.incremental_bench import agreement, matching_run, partition
from bench.realworld.batch import LAST_DAY, build
from bench.realworld.writers import _datetime_cell, _text_cell

CSV_FILES = {"form": ("form", "webform_export", "utf-8-sig", "\r\n"),
             "crm": ("crm", "crm_leads", "gb18030", "\n")}
SHEET_FILE = "sheet/报备登记表.xlsx"
GLOBS = {"form": "form/*.csv", "crm": "crm/*.csv", "sheet": "sheet/*.xlsx"}
NEW_ID = {"form": "WEB9{:05d}", "crm": "CRM-9{:06d}"}
EVENTS = (("bridges", "leaves"), ("edits", "decisions"), ("big", "edits", "decisions"))
DECISION_FIELDS = ("decision_id", "kind", "claim_id_a", "claim_id_b", "decision", "reviewer", "decided_at", "note")
EXAMPLES = 8


# ---------------------------------------------------------------- the files, as rows of cells

@dataclass
class CsvFile:
    """One CSV export: its header and rows of text cells, written as the batch writes them."""
    kind: str
    path: str                      # relative to the inputs folder
    header: list[str]
    rows: list[list[str]]

    def write(self, inputs: Path) -> None:
        _, _, encoding, newline = CSV_FILES[self.kind]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator=newline)
        writer.writerow(self.header)
        writer.writerows(self.rows)
        (inputs / self.path).parent.mkdir(parents=True, exist_ok=True)
        (inputs / self.path).write_bytes(buffer.getvalue().encode(encoding))


@dataclass
class SheetFile:
    """The assistant's workbook: a title row, the header, rows of values (datetime or text)."""
    sheet_name: str
    title: str
    header: list[str]
    rows: list[list[object]]

    def write(self, inputs: Path) -> None:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(self.sheet_name)
        sheet.append([self.title])
        sheet.append(self.header)
        for row in self.rows:
            sheet.append([_datetime_cell(sheet, v) if isinstance(v, datetime)
                          else _text_cell(sheet, v) if isinstance(v, str) and v else None for v in row])
        (inputs / SHEET_FILE).parent.mkdir(parents=True, exist_ok=True)
        book.save(inputs / SHEET_FILE)


def _read_csv(batch: Path, kind: str) -> CsvFile:
    sub, stem, encoding, _ = CSV_FILES[kind]
    text = (batch / sub / f"{stem}.csv").read_bytes().decode(encoding)
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    return CsvFile(kind, f"{sub}/{stem}.csv", header, rows)


def _read_sheet(batch: Path, sheet_name: str) -> SheetFile:
    from openpyxl import load_workbook

    book = load_workbook(batch / SHEET_FILE, read_only=True)
    title, header, *rows = [list(r) for r in book[sheet_name].iter_rows(values_only=True)]
    book.close()
    width = len(header)
    return SheetFile(sheet_name, title[0], header, [(r + [None] * width)[:width] for r in rows])


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    text = str(value)
    return date.fromisoformat(text[:10].replace("/", "-"))


# ---------------------------------------------------------------- the batch replayed as nights

@dataclass
class Replay:
    """Every row of the batch, the files of the inputs folder as they stand tonight, and how the
    fields map to each file's columns."""
    batch: Path
    inputs: Path
    rng: random.Random
    n_claims: int
    config: dict
    pending: dict[str, list[list]] = field(default_factory=dict)   # kind -> rows not yet exported
    files: dict[str, CsvFile | SheetFile] = field(default_factory=dict)
    labels: dict[str, dict] = field(default_factory=dict)
    entity_codes: dict[str, str] = field(default_factory=dict)
    contacts: list[str] = field(default_factory=list)
    reps: list[tuple[str, str]] = field(default_factory=list)
    decisions: list[dict] = field(default_factory=list)  # reviewers' rows added to the batch's decisions file
    departed: set[str] = field(default_factory=set)  # reps taken off the roster
    next_id: int = 0

    def column(self, kind: str, claim_field: str) -> int:
        source = next(s for s in self.config["sources"] if s["kind"] == kind)
        header = list(source["columns"])
        return header.index(next(h for h, f in source["columns"].items() if f == claim_field))

    @classmethod
    def start(cls, batch: Path, inputs: Path, n_claims: int, seed: int) -> Replay:
        config = yaml.safe_load((batch / "sources.yaml").read_text(encoding="utf-8"))
        replay = cls(batch, inputs, random.Random(seed * 7919 + 1), n_claims, config)
        sheet_name = next(s["sheet_name"] for s in config["sources"] if s["kind"] == "sheet")
        for kind in CSV_FILES:
            replay.files[kind] = _read_csv(batch, kind)
        replay.files["sheet"] = _read_sheet(batch, sheet_name)
        with (batch / "labels.csv").open(encoding="utf-8") as f:
            replay.labels = {r["claim_id"]: r for r in csv.DictReader(f)}
        for kind, file in replay.files.items():
            cid, code, contact = (replay.column(kind, f) for f in ("claim_id", "credit_code", "contact_name"))
            for row in file.rows:
                entity = replay.labels.get(str(row[cid]), {}).get("entity")
                if row[code] and entity:
                    replay.entity_codes.setdefault(entity, str(row[code]))
                if row[contact]:
                    replay.contacts.append(str(row[contact]))
        with (batch / "reps.csv").open(encoding="utf-8") as f:
            replay.reps = [(r["rep_id"], r["rep_name"]) for r in csv.DictReader(f)]
        return replay

    def split(self, history_end: date) -> None:
        """Keep the rows up to `history_end` in the files; the later ones wait for their night."""
        for kind, file in self.files.items():
            t = self.column(kind, "submitted_at")
            self.pending[kind] = [r for r in file.rows if _day(r[t]) > history_end]
            file.rows = [r for r in file.rows if _day(r[t]) <= history_end]

    def write_all(self) -> None:
        for file in self.files.values():
            file.write(self.inputs)
        sources = self.config | {"sources": [s | {"path": GLOBS[s["kind"]]} for s in self.config["sources"]]}
        for side in ("roster", "followups", "extensions", "appeals", "decisions"):
            name = Path(self.config[side]["path"]).name
            shutil.copy(self.batch / name, self.inputs / name)
        if self.departed:
            roster = self.inputs / Path(self.config["roster"]["path"]).name
            with roster.open(encoding="utf-8", newline="") as f:
                rows = list(csv.DictReader(f))
            with roster.open("w", encoding="utf-8", newline="") as f:
                writer = csv.DictWriter(f, list(rows[0]))
                writer.writeheader()
                writer.writerows(r for r in rows if r["rep_id"] not in self.departed)
        if self.decisions:
            with (self.inputs / Path(self.config["decisions"]["path"]).name).open("a", encoding="utf-8",
                                                                                   newline="") as f:
                csv.DictWriter(f, DECISION_FIELDS).writerows(self.decisions)
        (self.inputs / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True, sort_keys=False),
                                                  encoding="utf-8")

    # -- a night's additions

    def add_day(self, day: date) -> tuple[dict[str, CsvFile], int]:
        """That day's rows: a new export file per CSV source, appended to the workbook; and how many."""
        daily, added = {}, 0
        for kind, rows in self.pending.items():
            t = self.column(kind, "submitted_at")
            today = [r for r in rows if _day(r[t]) == day]
            self.pending[kind] = [r for r in rows if _day(r[t]) != day]
            added += len(today)
            if kind == "sheet":
                self.files["sheet"].rows.extend(today)
                continue
            sub, stem, _, _ = CSV_FILES[kind]
            file = CsvFile(kind, f"{sub}/{stem}_{day:%Y%m%d}.csv", self.files[kind].header, today)
            self.files[f"{kind}:{day}"] = daily[kind] = file
        return daily, added

    def new_row(self, kind: str, day: date, fields: dict[str, str]) -> list[str]:
        """A row of a CSV source for a claim invented tonight (a new id, a random rep and time)."""
        self.next_id += 1
        rep_id, rep_name = self.rng.choice(self.reps)
        when = datetime.combine(day, datetime.min.time()) + timedelta(seconds=self.rng.randrange(8 * 3600, 20 * 3600))
        source = next(s for s in self.config["sources"] if s["kind"] == kind)
        labels = {v: k for k, v in source.get("values", {}).get("category", {}).items()}
        values = fields | {
            "claim_id": NEW_ID[kind].format(self.next_id), "rep_id": rep_id, "rep_name": rep_name,
            "category": labels[self.rng.choice("ABCD")],
            "submitted_at": when.strftime("%Y-%m-%d %H:%M:%S") if kind == "form" else when.isoformat() + "+08:00"}
        return [values.get(f) or "" for f in source["columns"].values()]

    def bridges(self, day: date, daily: dict[str, CsvFile], warehouse: Path, big: bool) -> list[dict]:
        """New claims tying existing customers (from last night's warehouse) together or onto a big one."""
        with duckdb.connect(str(warehouse), read_only=True) as con:
            claims = con.sql(
                "select c.claim_id, cc.customer_id, c.company_name, c.contact_name, c.phone, c.email, c.website, "
                "c.credit_code, c.industry, c.credit_code_norm is not null and not c.has_invalid_credit_code as "
                "valid_code, c.phone_type = 'mobile' and not c.is_shared_phone as own_mobile, "
                "count(*) over (partition by cc.customer_id) as size "
                "from claims c join claim_customer cc using (claim_id) order by c.claim_id").pl()
        by_customer: dict[str, list[dict]] = defaultdict(list)
        for row in claims.iter_rows(named=True):
            by_customer[row["customer_id"]].append(row)
        with_code = sorted(c for c, rows in by_customer.items() if any(r["valid_code"] for r in rows))
        codeless = sorted(c for c, rows in by_customer.items()
                          if len(rows) >= 2 and not any(r["valid_code"] for r in rows))
        with_mobile = sorted(c for c, rows in by_customer.items() if any(r["own_mobile"] for r in rows))
        several = sorted(c for c, rows in by_customer.items() if len(rows) >= 2)
        biggest = sorted(by_customer, key=lambda c: (-len(by_customer[c]), c))[:3]
        split: dict[str, set[str]] = defaultdict(set)
        for row in claims.iter_rows(named=True):
            entity = self.labels.get(row["claim_id"], {}).get("entity")
            if entity:
                split[entity].add(row["customer_id"])
        split_entities = [e for e in sorted(split) if len(split[e]) >= 2]
        self.rng.shuffle(split_entities)
        n = max(4, self.n_claims // 1000)
        rng, events = self.rng, []

        def name_of(customer: str) -> dict:
            rows = by_customer[customer]
            common = Counter(r["company_name"] for r in rows).most_common(1)[0][0]
            return next(r for r in rows if r["company_name"] == common)

        def emit(kind: str, what: str, fields: dict, customers: list[str]) -> None:
            row = self.new_row(kind, day, fields)
            daily[kind].rows.append(row)
            events.append({"event": what, "claim_id": row[self.column(kind, "claim_id")], "customers": customers,
                           "company_name": fields["company_name"], "phone": fields.get("phone", ""),
                           "credit_code": fields.get("credit_code", "")})

        def copy_of(row: dict, **changes: str) -> dict:
            keep = ("company_name", "contact_name", "phone", "email", "website", "credit_code", "industry")
            return {k: row[k] or "" for k in keep} | changes

        for i in range(n):
            kind = ("form", "crm")[i % 2]
            if not big:
                if i < len(split_entities):
                    entity = split_entities[i]
                    a, b = sorted(split[entity])[:2]
                    other = next(r for r in by_customer[b]
                                 if self.labels.get(r["claim_id"], {}).get("entity") == entity)
                    emit(kind, "registered name and code of a company split in two customers",
                         copy_of(other, company_name=self.labels[other["claim_id"]]["entity_name"],
                                 credit_code=self.entity_codes.get(entity, other["credit_code"] or "")), [a, b])
                a, b = rng.choice(with_code), rng.choice(codeless)
                if a != b:
                    code = next(r for r in by_customer[a] if r["valid_code"])["credit_code"]
                    emit(kind, "credit code of A, name of B", copy_of(name_of(b), credit_code=code), [a, b])
                a, b = rng.choice(with_mobile), rng.choice(several)
                if a != b:
                    mobile = next(r for r in by_customer[a] if r["own_mobile"])
                    emit(kind, "mobile and contact of A, name of B",
                         copy_of(name_of(b), phone=mobile["phone"], contact_name=mobile["contact_name"] or ""), [a, b])
            else:
                a = biggest[i % len(biggest)]
                template, other = rng.choice(by_customer[a]), rng.choice(by_customer[a])
                emit(kind, "joins a big customer", copy_of(template, phone=other["phone"] or template["phone"] or "",
                                                           contact_name=other["contact_name"] or ""), [a])
                coded = [r for r in by_customer[a] if r["valid_code"]]
                b = rng.choice(codeless)
                if coded and b != a:
                    emit(kind, "credit code of big A, name of B",
                         copy_of(name_of(b), credit_code=coded[0]["credit_code"]), [a, b])
                mobiles = [r for r in by_customer[a] if r["own_mobile"]]
                b = rng.choice(several)
                if mobiles and b != a:
                    emit(kind, "mobile of big A, name of B", copy_of(name_of(b), phone=mobiles[0]["phone"]), [a, b])
        return events

    def leave(self, warehouse: Path) -> list[dict]:
        """A rep of median claim count taken off the roster: every claim of theirs is refused from
        tonight on (`rep_unknown`), so their customers lose claims all at once."""
        with duckdb.connect(str(warehouse), read_only=True) as con:
            counts = con.sql("select rep_id, count(*) n from claims group by all order by n, rep_id").fetchall()
            rep = counts[len(counts) // 2][0]
            claims = [r[0] for r in con.execute("select claim_id from claims where rep_id = ? order by claim_id",
                                                [rep]).fetchall()]
        self.departed.add(rep)
        return [{"event": f"rep {rep} left the roster", "claim_id": c} for c in claims]

    def decide(self, day: date, warehouse: Path) -> list[dict]:
        """Reviewers at work on last night's warehouse: `same` on the top of the review queue and
        `different` on the next pairs, `different` on links inside customers of three or more claims
        (cutting them apart), and a few such claims made customers of their own."""
        with duckdb.connect(str(warehouse), read_only=True) as con:
            queue = con.sql("select claim_id_l, claim_id_r from review_queue order by rank limit 6").fetchall()
            inside = con.sql(
                "select p.claim_id_l, p.claim_id_r from match_pairs p "
                "join claim_customer l on l.claim_id = p.claim_id_l join claim_customer r on r.claim_id = p.claim_id_r "
                "join (select customer_id as big from claim_customer group by all having count(*) >= 3) "
                "on big = l.customer_id "
                "where p.is_link and l.customer_id = r.customer_id order by all").fetchall()
        rng, events = self.rng, []
        cuts = rng.sample(inside, min(3, len(inside)))
        alone = [a for a, _ in rng.sample(inside, min(2, len(inside)))]
        answers = [("pair", a, b, "same" if i < 4 else "different", "review queue") for i, (a, b) in enumerate(queue)]
        answers += [("pair", a, b, "different", "linked pair cut") for a, b in cuts]
        answers += [("claim", a, "", "different", "claim made its own customer") for a in alone]
        earlier = [d for d in self.decisions if d["kind"] == "pair" and d["note"] != "decision reversed"]
        for first in (next((d for d in earlier if d["decision"] == x), None) for x in ("same", "different")):
            if first:  # a reviewer changes their mind: the later decision wins
                answers.append(("pair", first["claim_id_a"], first["claim_id_b"],
                                "different" if first["decision"] == "same" else "same", "decision reversed"))
        for kind, a, b, decision, why in answers:
            self.decisions.append({"decision_id": f"D9{len(self.decisions) + 1:05d}", "kind": kind, "claim_id_a": a,
                                   "claim_id_b": b, "decision": decision, "reviewer": "运营-评审",
                                   "decided_at": f"{day.isoformat()}T10:00:00+08:00", "note": why})
            events += [{"event": f"decision {decision} ({why})", "claim_id": c} for c in (a, b) if c]
        return events

    def edit(self, key: str, share: float, deletions: float, prefer: set[str]) -> list[dict]:
        """Rows of one file edited (phone, contact, typo fixed, credit code filled) and a few deleted,
        these among the claims in `prefer` first (those that may hold a customer together)."""
        file, kind = self.files[key], key.split(":")[0]
        col = {f: self.column(kind, f) for f in ("claim_id", "company_name", "contact_name", "phone", "credit_code")}
        rng, events = self.rng, []
        if not file.rows:
            return events
        order = rng.sample(range(len(file.rows)), len(file.rows))
        n_edit = min(len(order) - 1, max(3, round(share * len(file.rows))))
        n_delete = min(len(order) - n_edit, max(1, round(deletions * len(file.rows))))
        kinds = ("typo fixed", "credit code filled", "phone changed", "contact changed")
        wanted = Counter({k: -(-n_edit // len(kinds)) for k in kinds})
        edited = set()
        for i in order:  # each kind where it applies, the rest phones and contacts
            row = file.rows[i]
            claim = str(row[col["claim_id"]])
            label = self.labels.get(claim, {})
            if wanted["typo fixed"] and "typo" in label.get("tags", "").split("|"):
                what, column, value = "typo fixed", "company_name", label["entity_name"]
            elif (wanted["credit code filled"] and not row[col["credit_code"]]
                  and label.get("entity") in self.entity_codes):
                what, column, value = "credit code filled", "credit_code", self.entity_codes[label["entity"]]
            elif wanted["phone changed"] and row[col["phone"]]:
                what, column = "phone changed", "phone"
                value = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
            elif wanted["contact changed"]:
                what, column, value = "contact changed", "contact_name", rng.choice(self.contacts)
            else:
                continue
            events.append({"event": what, "file": file.path if key != "sheet" else SHEET_FILE, "claim_id": claim,
                           "before": row[col[column]], "after": value})
            row[col[column]] = value
            wanted[what] -= 1
            edited.add(i)
            if len(edited) >= n_edit:
                break
        rest = [i for i in order if i not in edited]
        rest.sort(key=lambda i: str(file.rows[i][col["claim_id"]]) not in prefer)  # stable: still shuffled
        gone = set(rest[:n_delete])
        for i in sorted(gone):
            events.append({"event": "row deleted", "file": file.path if key != "sheet" else SHEET_FILE,
                           "claim_id": str(file.rows[i][col["claim_id"]]), "before": file.rows[i][col["company_name"]]})
        file.rows = [r for i, r in enumerate(file.rows) if i not in gone]
        return events


def _bridging_claims(warehouse: Path) -> set[str]:
    """Claims of a customer of three or more whose company name no other claim of it carries: the
    ones most likely to hold it together, so deleting or editing them may split it."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {r[0] for r in con.sql(
            "select claim_id from (select c.claim_id, count(*) over (partition by cc.customer_id) n, "
            "count(*) over (partition by cc.customer_id, c.company_name) same_name "
            "from claims c join claim_customer cc using (claim_id)) where n >= 3 and same_name = 1").fetchall()}


# ---------------------------------------------------------------- running and comparing nights

def run_night(sources: Path, warehouse: Path, as_of: date, extra: list[str]) -> tuple[int, float, str]:
    """(exit code, wall seconds, output) of `recon run` as a user runs it, from the repository."""
    command = [sys.executable, "-m", "cli", "run", "--sources", str(sources), "--policy",
               str(REPO / "config" / "policy.yaml"), "--warehouse", str(warehouse), "--as-of", as_of.isoformat(),
               *extra]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    (warehouse.parent / "night_output.txt").write_text(output, encoding="utf-8")
    return done.returncode, seconds, output


def _published(code: int, output: str) -> bool:
    return code == 0 or (code == 1 and "The warehouse was published, but" in output)


def _rows(warehouse: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql).pl()


def compare(inc: Path, full: Path) -> dict:
    share, differing = agreement(inc, full)
    ids = "select claim_id, customer_id from claim_customer"
    joined = _rows(inc, ids).join(_rows(full, ids), on="claim_id", how="full", suffix="_full", coalesce=True)
    outcomes = "select claim_id, outcome from claim_outcomes"
    o_inc, o_full = _rows(inc, outcomes), _rows(full, outcomes)
    pairs = "select distinct least(claim_id_l, claim_id_r) l, greatest(claim_id_l, claim_id_r) r from review_queue"
    q_inc, q_full = _rows(inc, pairs), _rows(full, pairs)
    return {
        "claims": joined.height, "same_customer_share": share, "claims_differing": differing,
        "customer_id_differs": int((joined["customer_id"].ne_missing(joined["customer_id_full"])).sum()),
        "outcomes": (o_inc.height, o_full.height),
        "outcomes_differing": o_inc.join(o_full, on=["claim_id", "outcome"], how="anti").height
        + o_full.join(o_inc, on=["claim_id", "outcome"], how="anti").height,
        "review_pairs": (q_inc.height, q_full.height),
        "review_only_incremental": q_inc.join(q_full, on=["l", "r"], how="anti").height,
        "review_only_full": q_full.join(q_inc, on=["l", "r"], how="anti").height,
    } | _state_differences(inc, full)


def _state_differences(inc: Path, full: Path) -> dict:
    """Beyond the brief's figures: outcome rows differing in any column, published pairs
    (`match_pairs`) differing in decision, and kept pairs (`scored_pairs`) only one night holds
    (those at or above `review_floor` would matter; those below it are the kept margin)."""
    floor = yaml.safe_load((REPO / "config" / "policy.yaml").read_text(encoding="utf-8"))["matching"]["review_floor"]
    with duckdb.connect() as con:
        con.execute(f"attach '{inc}' as i (read_only)")
        con.execute(f"attach '{full}' as f (read_only)")

        def count(sql: str) -> int:
            return con.sql(sql).fetchall()[0][0]

        def both_ways(select: str) -> int:
            return sum(count(f"select count(*) from ({select.format(a)} except {select.format(b)})")
                       for a, b in (("i", "f"), ("f", "i")))

        kept = "select count(*) {} from {}.scored_pairs x anti join {}.scored_pairs y using (claim_id_l, claim_id_r)"
        return {
            "outcome_rows_differing": both_ways("select * from {}.claim_outcomes"),
            "match_pairs_differing": both_ways(
                "select claim_id_l, claim_id_r, decision_basis, is_link from {}.match_pairs"),
            "scored_only_incremental": count(kept.format("", "i", "f")),
            "scored_only_full": count(kept.format("", "f", "i")),
            "scored_one_side_above_floor": count(kept.format(f"filter (where match_probability >= {floor})", "i", "f"))
            + count(kept.format(f"filter (where match_probability >= {floor})", "f", "i")),
        }


def differences(inc: Path, full: Path, folder: Path, touched: set[str], last: Path | None = None) -> list[str]:
    """The claims whose customers differ, grouped by the union of their two customers; writes
    `differences.csv` (every claim) and `differences.md` (examples with the pairs between them, their
    probability in full: the clustering joins links in that order — and last night's, from `last`)."""
    joined = partition(inc).join(partition(full), on="claim_id", suffix="_full")
    diff = joined.filter(pl.col("members") != pl.col("members_full")).sort("claim_id")
    diff.write_csv(folder / "differences.csv")
    if diff.is_empty():
        (folder / "differences.md").write_text("No claim differs.\n", encoding="utf-8")
        return []
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for row in diff.iter_rows(named=True):  # one group per set of claims the two customers' members chain
        members = row["members"].split(",") + row["members_full"].split(",")
        for m in members[1:]:
            parent[root(m)] = root(members[0])
    by_root: dict[str, list[str]] = defaultdict(list)
    for m in parent:
        by_root[root(m)].append(m)
    groups = sorted((sorted(g) for g in by_root.values()), key=lambda g: (len(g), g))
    lines, printed = [f"# {diff.height} claims in a different customer, {len(groups)} groups\n"], []
    for n, members in enumerate(groups[:EXAMPLES], 1):
        quoted = ",".join(f"'{m}'" for m in members)
        sql = ("select c.claim_id, cc.customer_id, c.company_name, c.contact_name, c.phone, c.credit_code, "
               f"c.rep_id, c.submitted_at from claims c join claim_customer cc using (claim_id) "
               f"where claim_id in ({quoted}) order by claim_id")
        a, b = _rows(inc, sql), _rows(full, sql)
        fields = pl.concat([a.drop("customer_id"), b.drop("customer_id")]).unique("claim_id", keep="first")
        table = fields.join(a.select("claim_id", "customer_id"), on="claim_id", how="left").join(
            b.select("claim_id", pl.col("customer_id").alias("customer_full")), on="claim_id", how="left").sort(
            "claim_id").with_columns(
            pl.col("claim_id").is_in(list(touched)).alias("edited_or_new_tonight"))
        pair_sql = ("select claim_id_l, claim_id_r, match_probability p, decision_basis, is_link "
                    f"from match_pairs where claim_id_l in ({quoted}) and claim_id_r in ({quoted}) "
                    "order by claim_id_l, claim_id_r")
        p_inc, p_full = _rows(inc, pair_sql), _rows(full, pair_sql)
        pairs = p_inc.join(p_full, on=["claim_id_l", "claim_id_r"], how="full", suffix="_full", coalesce=True)
        if last is not None:
            before = _rows(last, pair_sql).select("claim_id_l", "claim_id_r", pl.col("p").alias("p_last_night"))
            pairs = pairs.join(before, on=["claim_id_l", "claim_id_r"], how="left")
        pairs = pairs.filter((pl.col("decision_basis").ne_missing(pl.col("decision_basis_full")))
                             | (pl.col("is_link").ne_missing(pl.col("is_link_full"))) | (pl.len() <= 12))
        block = [f"## group {n}: {len(members)} claims", "", "claims (customer_id: incremental / full):", "",
                 _table(table), "", "match_pairs between them (incremental / _full; only the differing "
                 "ones when more than 12):", "", _table(pairs), ""]
        lines += block
        if n <= 3:
            printed += "\n".join(block).splitlines()
    (folder / "differences.md").write_text("\n".join(lines), encoding="utf-8")
    return printed


def _table(frame: pl.DataFrame) -> str:
    cols = frame.columns
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.iter_rows():
        out.append("| " + " | ".join("" if v is None else str(v)[:40] for v in row) + " |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--nights", type=int, default=4, help="nights after the history night; the last has no file")
    parser.add_argument("--out", type=Path, required=True, help="scratch folder (emptied first)")
    args = parser.parse_args()
    if args.nights < 1:
        parser.error("--nights must be at least 1")

    out = args.out.resolve()
    shutil.rmtree(out, ignore_errors=True)
    inputs = out / "inputs"
    inputs.mkdir(parents=True)
    started = time.perf_counter()
    build(out / "batch", args.claims, args.seed)
    replay = Replay.start(out / "batch", inputs, args.claims, args.seed)
    history_end = LAST_DAY - timedelta(days=args.nights - 1)
    replay.split(history_end)
    replay.write_all()
    print(f"batch of {args.claims:,} claims (seed {args.seed}) built and split in "
          f"{time.perf_counter() - started:.0f} s; history up to {history_end}, "
          f"then {args.nights - 1} day(s) and a night with no file")

    sources = inputs / "sources.yaml"
    night0 = out / "night0" / "incremental"
    night0.mkdir(parents=True)
    code, seconds, output = run_night(sources, night0 / "warehouse.duckdb", history_end + timedelta(days=1), [])
    print(f"night 0 (history, full): {seconds:.0f} s, exit {code}, {matching_run(night0 / 'warehouse.duckdb')}")
    if not _published(code, output):
        print(output[-3000:], file=sys.stderr)
        return code or 1

    summary = []
    previous = night0
    for k in range(1, args.nights + 1):
        as_of = history_end + timedelta(days=k + 1)
        folder = out / f"night{k}"
        folder.mkdir()
        events: list[dict] = []
        if k < args.nights:
            day = history_end + timedelta(days=k)
            kinds = EVENTS[(k - 1) % len(EVENTS)]
            daily, added = replay.add_day(day)
            prefer = _bridging_claims(previous / "warehouse.duckdb")
            if "bridges" in kinds or "big" in kinds:
                events += replay.bridges(day, daily, previous / "warehouse.duckdb", big="big" in kinds)
            if "edits" in kinds:
                yesterday = f"form:{day - timedelta(days=1)}"
                events += replay.edit(yesterday if yesterday in replay.files else "form", 0.10, 0.05, prefer)
                events += replay.edit("crm", 0.01, 0.002, prefer)
                events += replay.edit("sheet", 0.005, 0.001, prefer)
            if "leaves" in kinds:
                events += replay.leave(previous / "warehouse.duckdb")
            if "decisions" in kinds:
                events += replay.decide(day, previous / "warehouse.duckdb")
            replay.write_all()
            what = f"{added} claims of {day} (new CSV files, workbook appended), " + ", ".join(
                f"{n} {e}" for e, n in Counter(e["event"] for e in events).items())
        else:
            what = "no new file"
        (folder / "events.json").write_text(json.dumps(events, ensure_ascii=False, indent=1, default=str),
                                            encoding="utf-8")
        print(f"\n== night {k}, as of {as_of}: {what}")
        runs = {}
        for mode, extra in (("incremental", []), ("full", ["--full"])):
            shutil.copytree(previous, folder / mode, ignore=shutil.ignore_patterns("*.lock", "night_output.txt"))
            code, seconds, output = run_night(sources, folder / mode / "warehouse.duckdb", as_of, extra)
            published = _published(code, output)
            runs[mode] = (seconds, matching_run(folder / mode / "warehouse.duckdb") if published else None)
            print(f"  {mode:<11} {seconds:5.0f} s, exit {code}; matching_runs: {runs[mode][1]}")
            if not published:
                print(output[-3000:], file=sys.stderr)
                return code or 1
        inc, full = folder / "incremental" / "warehouse.duckdb", folder / "full" / "warehouse.duckdb"
        figures = compare(inc, full) | {"night": k, "as_of": str(as_of), "what": what,
                                        "mode": runs["incremental"][1][0], "reason": runs["incremental"][1][1],
                                        "touched": runs["incremental"][1][4], "reclustered": runs["incremental"][1][5],
                                        "incremental_s": round(runs["incremental"][0], 1),
                                        "full_s": round(runs["full"][0], 1)}
        summary.append(figures)
        print(f"  same customer: {figures['same_customer_share']:.4%} of {figures['claims']:,} claims "
              f"({figures['claims_differing']} differ); customer_id differs: {figures['customer_id_differs']}; "
              f"outcomes differing: {figures['outcomes_differing']}; review pairs "
              f"{figures['review_pairs'][0]} / {figures['review_pairs'][1]} "
              f"(only incremental {figures['review_only_incremental']}, only full {figures['review_only_full']})")
        print(f"  outcome rows differing (all columns): {figures['outcome_rows_differing']}; match_pairs differing: "
              f"{figures['match_pairs_differing']}; scored_pairs only incremental / only full: "
              f"{figures['scored_only_incremental']} / {figures['scored_only_full']} "
              f"({figures['scored_one_side_above_floor']} of them at or above review_floor)")
        if figures["mode"] != "incremental":
            print(f"  ! the incremental night ran as {figures['mode']}: {figures['reason']}")
        ids = "select claim_id from claims"
        before = set(_rows(previous / "warehouse.duckdb", ids)["claim_id"])
        touched = {e["claim_id"] for e in events} | (set(_rows(inc, ids)["claim_id"]) - before)
        for line in differences(inc, full, folder, touched, previous / "warehouse.duckdb"):
            print("  " + line)
        previous = folder / "incremental"

    print("\nnight | as of | mode | touched | reclustered | same customer | differ | customer_id differs | "
          "outcomes differ | review pairs inc/full (only inc, only full) | scored_pairs only inc/full | inc s | full s")
    for f in summary:
        print(f"{f['night']} | {f['as_of']} | {f['mode']} | {f['touched']} | {f['reclustered']} | "
              f"{f['same_customer_share']:.4%} | {f['claims_differing']} | {f['customer_id_differs']} | "
              f"{f['outcomes_differing']} | {f['review_pairs'][0]}/{f['review_pairs'][1]} "
              f"({f['review_only_incremental']}, {f['review_only_full']}) | "
              f"{f['scored_only_incremental']}/{f['scored_only_full']} | {f['incremental_s']} | {f['full_s']}")
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"\nfolders, events and differences: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
