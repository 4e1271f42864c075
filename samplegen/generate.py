"""generate(): one seeded run that writes every sample file.

Order of work: reference data -> companies -> roster -> claim plan -> stream the claims, in time
order, into the three source files while writing truth labels, defects and follow-ups alongside
-> reviewer decisions and the roster. One random.Random(seed) drives it all, so a seed fixes
every byte.
"""

from __future__ import annotations

import random
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from samplegen.activity import (
    DECISION_HEADER,
    FOLLOWUP_HEADER,
    DecisionCandidates,
    Followups,
    decision_rows,
)
from samplegen.defects import DEFECT_KINDS, DEFECT_REASONS, apply_defect
from samplegen.key_accounts import key_account_count, key_account_sizes, with_key_accounts
from samplegen.place_columns import PlaceColumns
from samplegen.plan import CLAIMS_PER_COMPANY, SOURCES, Plan, build_plan
from samplegen.reference_data import load_reference
from samplegen.render import ClaimIds, ClaimRenderer
from samplegen.roster import Rep, build_roster, roster_size
from samplegen.run_config import write_run_config
from samplegen.sampling import Window
from samplegen.universe import Universe, build_universe
from samplegen.variants import VARIANT_KINDS
from samplegen.writers import ClaimFiles, open_table

if TYPE_CHECKING:
    from _csv import _writer as CsvWriter

WINDOW_DAYS = 208  # 2026-05-01 .. 2026-11-25 for the default end date
MIN_CLAIMS = 100  # below this the hard-negative sets alone would outnumber the claims
TRUTH_HEADER = ("claim_id", "company_key", "is_hard_negative_group")
DEFECT_HEADER = ("source", "claim_id", "defect", "reason")
ROSTER_HEADER = ("rep_id", "rep_name", "team", "manager", "manager_email", "quota")


def generate(
    out_dir: Path, n_claims: int, seed: int, end_date: date, key_accounts: int | str = 0
) -> dict[str, Path]:
    """Write a full, deterministic sample set of about n_claims claims under out_dir.

    `key_accounts` (a count or "auto", see `key_accounts.py`) adds companies with hundreds of
    claims by dozens of reps; 0 keeps the output of earlier versions byte for byte.
    Returns the path of each file by name: form, crm, sheet, reps, followups, decisions,
    truth, defects, and the sources.yaml that runs the nightly job on them (with empty appeals
    and extensions files where none exist).
    """
    if n_claims < MIN_CLAIMS:
        raise ValueError(f"n_claims must be at least {MIN_CLAIMS}, got {n_claims}")
    out_dir = Path(out_dir)
    rng = random.Random(seed)
    window = Window(end_date - timedelta(days=WINDOW_DAYS), end_date)
    sizes = key_account_sizes(n_claims, key_account_count(n_claims, key_accounts), rng)
    n_companies = round((n_claims - sum(sizes)) / CLAIMS_PER_COMPANY) + len(sizes)
    universe = build_universe(load_reference(), n_companies, rng)
    accounts = {}
    if sizes:
        universe, accounts = with_key_accounts(universe, sizes, roster_size(n_claims)[0], rng)
    reps = build_roster(n_claims, rng, universe.phonetics)
    plan = build_plan(universe.companies, reps, n_claims, window, rng, accounts)
    paths = {
        "reps": out_dir / "reps.csv",
        "followups": out_dir / "followups.csv",
        "decisions": out_dir / "decisions.csv",
        "truth": out_dir / "labels" / "claims_truth.csv",
        "defects": out_dir / "labels" / "defects.csv",
    }
    places = PlaceColumns(seed)
    candidates = _write_claims(out_dir, end_date, plan, universe, reps, window, rng, places, paths)
    handle, writer = open_table(paths["decisions"], DECISION_HEADER)
    with handle:
        writer.writerows(decision_rows(candidates, window, rng))
    handle, writer = open_table(paths["reps"], ROSTER_HEADER)
    with handle:
        writer.writerows(
            (r.rep_id, r.rep_name, r.team, r.manager, r.manager_email, r.quota) for r in reps
        )
    return paths | write_run_config(out_dir)


def _write_claims(
    out_dir: Path,
    end_date: date,
    plan: Plan,
    universe: Universe,
    reps: tuple[Rep, ...],
    window: Window,
    rng: random.Random,
    places: PlaceColumns,
    paths: dict[str, Path],
) -> DecisionCandidates:
    """Stream each planned claim into its source file, with its truth, defect and follow-up rows."""
    renderer = ClaimRenderer(universe, reps, rng)
    ids = ClaimIds(window, rng)
    followups = Followups(window, rng)
    candidates = DecisionCandidates()
    with ExitStack() as stack:
        files = ClaimFiles(out_dir, end_date, window, rng)
        stack.callback(files.close)
        truth = _table(stack, paths["truth"], TRUTH_HEADER)
        defects = _table(stack, paths["defects"], DEFECT_HEADER)
        activity = _table(stack, paths["followups"], FOLLOWUP_HEADER)
        for i in range(len(plan)):
            company = universe.companies[plan.company[i]]
            source = plan.source[i]
            claim_id = ids.next(source, plan.moment[i])
            province, city, address = places.draw(company.spec.home)
            claim = renderer.render(plan, i)._replace(province=province, city=city, address=address)
            if plan.defect[i] >= 0:
                kind = DEFECT_KINDS[plan.defect[i]]
                claim = apply_defect(claim, kind, company.spec.full_name, company.credit_code, rng)
                defects.writerow((SOURCES[source], claim_id, kind, DEFECT_REASONS[kind]))
                if kind == "duplicate_claim_id":
                    files.write(source, claim_id, claim)
            files.write(source, claim_id, claim)
            truth.writerow((claim_id, company.key, "true" if company.is_hard_negative else "false"))
            if plan.defect[i] < 0:
                role = "first" if plan.is_first[i] else "reclaim" if plan.is_reclaim[i] else "other"
                activity.writerows(followups.for_claim(claim_id, claim.rep_id, claim.moment, role))
                candidates.observe(
                    plan.company[i], claim_id, claim.moment, VARIANT_KINDS[plan.kind[i]],
                    company.spec.group_key, company.spec.group_kind,
                )
    paths.update(files.paths)
    return candidates


def _table(stack: ExitStack, path: Path, header: tuple[str, ...]) -> CsvWriter:
    handle, writer = open_table(path, header)
    stack.enter_context(handle)
    return writer
