"""Every ```sql block of README.md runs on the samples warehouse and returns rows."""

import re
from pathlib import Path

import duckdb
import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
QUERIES = re.findall(r"^```sql\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.DOTALL | re.MULTILINE)


def test_the_readme_shows_three_analyst_queries():
    assert len(QUERIES) == 3


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("query", QUERIES, ids=[q.splitlines()[0].lstrip("- ")[:40] for q in QUERIES])
def test_a_readme_query_runs_and_returns_rows(samples_run, query):
    _, warehouse = samples_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(query).fetchall()
    assert rows
