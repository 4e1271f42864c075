"""The rows of each file's current version: a changed file's new version supersedes the old rows,
a version that held no rows supersedes nothing, and other files are untouched."""

import duckdb

from adapters.sql_files import QUERIES, sql_text


def test_the_latest_version_with_rows_of_each_file_is_current():
    con = duckdb.connect()
    con.execute("create table ingested_files (ingest_seq bigint, source varchar, file_name varchar, "
                "file_sha256 varchar, rows_read bigint)")
    con.execute("create table raw_claims (raw_row_id varchar, source varchar, file_name varchar, "
                "file_sha256 varchar, raw_record varchar)")
    con.execute("insert into ingested_files values (1, 'crm', 'a.csv', 'v1', 2), (2, 'webform', 'a.csv', 'w1', 1), "
                "(3, 'crm', 'a.csv', 'v2', 1), (4, 'crm', 'b.csv', 'b1', 1), (5, 'crm', 'b.csv', 'b2', 0)")
    con.execute("insert into raw_claims values ('1-1', 'crm', 'a.csv', 'v1', '{}'), "
                "('1-2', 'crm', 'a.csv', 'v1', '{}'), ('2-1', 'webform', 'a.csv', 'w1', '{}'), "
                "('3-1', 'crm', 'a.csv', 'v2', '{}'), "
                "('4-1', 'crm', 'b.csv', 'b1', '{}')")
    rows = con.execute(f"select raw_row_id from ({sql_text(QUERIES, 'current_raw_claims')}) order by 1").fetchall()
    assert [r[0] for r in rows] == ["2-1", "3-1", "4-1"]
    columns = [d[0] for d in con.execute(sql_text(QUERIES, "current_raw_claims")).description]
    assert "raw_record" not in columns
