"""Every ```sql block of README.md, and the inline `owner_on` example, runs on the warehouse
`make run` builds (the samples as of 2026-11-25) and returns rows."""

import re
from pathlib import Path

import duckdb
import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
TEXT = README.read_text(encoding="utf-8")
QUERIES = re.findall(r"^```sql\n(.*?)^```", TEXT, flags=re.DOTALL | re.MULTILINE)
QUERIES += re.findall(r"`(select \* from owner_on\(.*?\))`", TEXT)


def test_the_readme_shows_four_analyst_queries_and_owner_on():
    assert len(QUERIES) == 5


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("query", QUERIES, ids=[q.splitlines()[0].lstrip("- ")[:40] for q in QUERIES])
def test_a_readme_query_runs_and_returns_rows(samples_run, query):
    _, warehouse = samples_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(query).fetchall()
    assert rows
