"""Key accounts in the generator: a few companies (the 华为 family first) claimed hundreds of times
by dozens of reps, only when asked for; the default output is unchanged (test_samplegen pins it)."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from samplegen import generate
from samplegen.cli import DEFAULT_END_DATE, DEFAULT_SEED
from samplegen.key_accounts import key_account_count, key_account_sizes


def _rows(path: Path, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))[1:]


def test_auto_scales_with_the_claims():
    assert [key_account_count(n, "auto") for n in (400, 100_000, 200_000, 1_000_000)] == [4, 8, 16, 80]
    assert key_account_count(5_000, 3) == 3
    with pytest.raises(ValueError):
        key_account_count(5_000, -1)


def test_sizes_stay_within_bounds_and_shrink_on_small_runs():
    sizes = key_account_sizes(1_000_000, 80, random.Random(1))
    assert min(sizes) >= 200 and max(sizes) <= 2_000 and max(sizes) > 1_000
    assert sum(key_account_sizes(400, 4, random.Random(1))) <= 400 / 3


def test_key_accounts_get_hundreds_of_claims_by_dozens_of_reps(tmp_path: Path):
    paths = generate(tmp_path, 6_000, DEFAULT_SEED, DEFAULT_END_DATE, key_accounts=3)
    truth = {row[0]: (row[1], row[2]) for row in _rows(paths["truth"], "utf-8")}
    per_company = Counter(company for company, _ in truth.values())
    top = [company for company, _ in per_company.most_common(3)]
    assert all(per_company[c] >= 200 for c in top)
    assert per_company.most_common(4)[3][1] <= 12  # every other company as before
    # the curated 华为 family (three sister entities) is chosen first
    assert all(hard == "true" for company, hard in truth.values() if company in top)
    reps = defaultdict(set)
    for path, encoding in ((paths["form"], "utf-8-sig"), (paths["crm"], "gb18030")):
        for row in _rows(path, encoding):
            company = truth.get(row[0], ("", ""))[0]
            if company in top:
                reps[company].add(row[2])
    assert all(20 <= len(reps[c]) <= 80 for c in top), {c: len(r) for c, r in reps.items()}
