"""The server's batcher: concurrent lookups are answered together, each gets its own answer, and
a query that breaks a batch fails alone."""

import threading
from concurrent.futures import ThreadPoolExecutor

import polars as pl
import pytest

from matching.prepare import claims_for_matching
from service.batching import LookupBatcher
from service.query import LookupQuery, QueryError, queries_prepared
from transforms.standardise import standardise_claims


class RecordingLookup:
    """Answers each query with its own name; a name "boom" breaks any batch it is in, "bad" is refused."""

    def __init__(self) -> None:
        self.batches: list[list[str | None]] = []
        self.release = threading.Event()

    def answer_many(self, queries):
        self.release.wait(timeout=10)
        self.batches.append([q.name for q in queries])
        if any(q.name == "boom" for q in queries):
            raise RuntimeError("broken query")
        return [QueryError("不行", "refused") if q.name == "bad" else {"name": q.name} for q in queries]


def _answers(batcher: LookupBatcher, names: list[str]) -> list[object]:
    def one(name):
        try:
            return batcher.answer(LookupQuery(name=name))
        except Exception as exc:
            return type(exc).__name__

    with ThreadPoolExecutor(len(names)) as pool:
        futures = [pool.submit(one, name) for name in names]
        return [f.result() for f in futures]


def test_waiting_queries_are_answered_as_one_batch_each_with_its_own_answer():
    lookup = RecordingLookup()
    batcher = LookupBatcher(lookup)
    names = [f"n{i}" for i in range(12)]
    threading.Timer(0.5, lookup.release.set).start()  # all twelve wait while the first is answered
    assert _answers(batcher, names) == [{"name": n} for n in names]
    assert sorted(n for batch in lookup.batches for n in batch) == sorted(names)
    assert len(lookup.batches) < len(names)  # answered together, not one by one
    assert max(len(b) for b in lookup.batches) > 1


def test_a_query_breaking_the_batch_fails_alone_and_a_refused_one_is_refused():
    lookup = RecordingLookup()
    lookup.release.set()
    batcher = LookupBatcher(lookup)
    lookup.release.clear()
    threading.Timer(0.5, lookup.release.set).start()
    answers = _answers(batcher, ["a", "boom", "bad", "b", "c"])
    assert answers == [{"name": "a"}, "RuntimeError", "QueryError", {"name": "b"}, {"name": "c"}]


@pytest.mark.parametrize("size", [1, 3])
def test_batches_never_exceed_the_limit(size):
    lookup = RecordingLookup()
    batcher = LookupBatcher(lookup, max_batch=size)
    threading.Timer(0.3, lookup.release.set).start()
    _answers(batcher, [f"n{i}" for i in range(7)])
    assert max(len(b) for b in lookup.batches) <= size


def test_queries_prepared_together_are_prepared_as_each_alone():
    """claims_for_matching reads a frame's rows together (a core name twice is common, a trade name
    takes another row's pinyin): queries of one batch must not change each other."""
    names = ["北京字节跳动科技有限公司", "字节跳动科技有限公司", "字节跳动有限公司", "字节跳动网络技术有限公司",
             "德长机械有限公司", "德长有限公司", "苏州明远精密机械有限公司", None]
    raw = pl.DataFrame({"claim_id": [f"q{n}" for n in range(len(names))], "company_name": names}).with_columns(
        pl.lit(None, pl.String).alias(c) for c in ("contact_name", "phone", "email", "website", "credit_code"))
    queries = standardise_claims(raw).with_columns(pl.lit(False).alias("is_shared_phone"))
    together = queries_prepared(queries).sort("claim_id")
    alone = pl.concat([claims_for_matching(queries[n:n + 1]) for n in range(queries.height)]).sort("claim_id")
    assert together.to_dicts() == alone.to_dicts()
    assert not claims_for_matching(queries).sort("claim_id").equals(alone)  # read together, they would differ
