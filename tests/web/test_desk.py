"""The desk (adapters.desk_store) and how a night lays it over the side files (transforms.desk_rulings)."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from adapters.desk_store import DeskStore
from transforms.desk_rulings import appeals_with_rulings, decisions_from_desk, extensions_with_rulings
from web.sessions import (
    SignInFailures,
    password_matches,
    session_closed,
    session_for,
    session_opened,
    set_password,
)

UTC_TIME = pl.Datetime("us", "UTC")


def test_answers_are_appended_never_overwritten(tmp_path):
    store = DeskStore(tmp_path / "desk.sqlite")
    assert store.decisions().is_empty()  # no file yet: nothing decided
    first = store.record_pair("L-2", "L-1", "same", "运营-陈静", "ops", "同一法人")
    second = store.record_pair("L-1", "L-2", "different", "运营-刘洋", "ops2", None)
    store.record_pair("L-3", "L-4", "skip", "运营-陈静", "ops", None)
    rows = store.decisions()
    desk_id = first.split("-")[1]
    assert rows["decision_id"].to_list() == [first, second, f"WEB-{desk_id}-D000003"]
    assert first == f"WEB-{desk_id}-D000001" and len(desk_id) == 6
    # another desk (made anew, or another --desk) never reuses an id a warehouse may have recorded
    assert DeskStore(tmp_path / "other.sqlite").record_pair("L-1", "L-2", "same", "甲", "a", None) != first
    assert rows.select("claim_id_a", "claim_id_b").unique().height == 2  # the pair is stored in one order
    decisions = decisions_from_desk(rows)
    assert decisions["decision"].to_list() == ["same", "different"]  # a skip decides nothing
    assert decisions.schema["decided_at"] == UTC_TIME


def _appeals() -> pl.DataFrame:
    return pl.DataFrame({
        "appeal_id": ["AP-1", "AP-2", "AP-3", "AP-4"], "kind": ["conflict"] * 3 + ["same_customer"],
        "decision": [None, "uphold", "uphold", None], "reviewer": [None, "甲", "甲", None],
        "decided_at": [None, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 5, tzinfo=UTC), None],
        "decision_note": [None, "原判", "原判", None],
    }, schema_overrides={"decided_at": UTC_TIME})


def test_the_latest_desk_ruling_on_an_appeal_stands_unless_the_file_ruled_later():
    rulings = pl.DataFrame({
        "ruling_id": [f"WEB-abc123-A{n:06d}" for n in range(1, 6)],
        "appeal_id": ["AP-1", "AP-1", "AP-2", "AP-3", "AP-4"],
        # AP-4's kind was corrected to same_customer after it was ruled as a conflict: that ruling is left out
        "decision": ["uphold", "overturn", "overturn", "overturn", "uphold"],
        "reviewer": ["乙", "丙", "丙", "丙", "丙"], "login": ["b", "c", "c", "c", "c"],
        "decided_at": [datetime(2026, 12, 1, h, tzinfo=UTC) for h in (1, 2, 3, 4, 5)],
        "note": ["a", "b", "c", "d", "e"],
    }, schema_overrides={"decided_at": UTC_TIME})
    merged = appeals_with_rulings(_appeals(), rulings)
    assert merged.columns == _appeals().columns
    assert merged["decision"].to_list() == ["overturn", "overturn", "uphold", None]
    assert merged["reviewer"].to_list() == ["丙", "丙", "甲", None]
    assert merged["decision_note"].to_list() == ["b", "c", "原判", None]


def test_an_awaiting_extension_takes_the_desks_latest_approval_or_refusal():
    extensions = pl.DataFrame({"request_id": ["E1", "E2"], "approved": [None, True], "approver": [None, "郭"],
                               "note": ["预算", "续"]}, schema_overrides={"approved": pl.Boolean})
    rulings = pl.DataFrame({"ruling_id": ["WEB-abc123-E000001", "WEB-abc123-E000002", "WEB-abc123-E000003"],
                            "request_id": ["E1", "E1", "E2"], "approved": [False, True, False],
                            "approver": ["郭", "邓", "邓"]})
    merged = extensions_with_rulings(extensions, rulings)
    # E2 was ruled in extensions.csv afterwards: the file's ruling stands
    assert merged.rows() == [("E1", True, "邓", "预算"), ("E2", True, "郭", "续")]


def test_passwords_are_hashed_and_sessions_end_at_sign_out(tmp_path):
    store = DeskStore(tmp_path / "desk.sqlite")
    set_password(store, "ops", "correct horse battery")
    assert password_matches(store, "ops", "correct horse battery")
    assert not password_matches(store, "ops", "wrong horse battery")
    assert not password_matches(store, "nobody", "correct horse battery")
    assert b"correct horse" not in (tmp_path / "desk.sqlite").read_bytes()
    token, session = session_opened(store, "ops", hours=1)
    assert session_for(store, token) == session
    assert token.encode() not in (tmp_path / "desk.sqlite").read_bytes()  # only its SHA-256 is kept
    session_closed(store, token)
    assert session_for(store, token) is None
    token, _ = session_opened(store, "ops", hours=1)
    set_password(store, "ops", "a brand new password")  # a reset signs the person out everywhere
    assert session_for(store, token) is None


def test_guessing_a_password_is_stopped_after_a_few_tries():
    failures = SignInFailures(limit=3, window_seconds=60)
    for _ in range(3):
        assert not failures.locked("ops")
        failures.failed("ops")
    assert failures.locked("ops") and not failures.locked("other")
    failures.succeeded("ops")
    assert not failures.locked("ops")
