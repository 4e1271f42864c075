"""Concurrent lookups answered together, for `recon serve-lookup`.

Each request thread hands its query to one answering thread and waits. That thread takes every
query waiting when it becomes free, and those arriving while it gathers them (until none comes for
GATHER_SECONDS, so a lone client waits 10 ms more), and answers them as one batch
(`Lookup.answer_many`). A batch of twenty costs little more than one query, so under load the
server's throughput grows with the queue instead of twenty threads fighting over the GIL for one
query each.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

from service.query import Lookup, LookupQuery, QueryError

MAX_BATCH = 32
# a batch is closed when no query arrives for this long: clients answered by the last batch send
# their next queries within a few milliseconds, and a batch is ~100 ms of fixed cost, so waiting
# for them beats answering the first two alone and the other eighteen after
GATHER_SECONDS = 0.010
# The answering thread holds the GIL for most of a batch; a request thread needs it for moments
# (to read its request, queue it, write the reply), and at Python's default switch interval of
# 5 ms each such moment could wait 5 ms: under 20 clients at 1M claims p50 was 238 ms, at 1 ms 189 ms.
GIL_SWITCH_SECONDS = 0.001


# answered once as a server starts: a process's first lookup of a Chinese and of an English name
# loads name tables (~0.2 and ~0.6 s), which its first clients would otherwise wait for
WARM_UP_QUERIES = (
    LookupQuery(name="北京示例网络科技有限公司", phone="13800138000", email="info@example.cn"),
    LookupQuery(name="Example Network Technology Co., Ltd."),
)


class LookupBatcher:
    """Answers `answer(query)` calls from many threads through `lookup.answer_many`, a batch at a time."""

    def __init__(self, lookup: Lookup, max_batch: int = MAX_BATCH, gather_seconds: float = GATHER_SECONDS) -> None:
        self.lookup = lookup
        self.max_batch = max_batch
        self.gather_seconds = gather_seconds
        self._waiting: queue.SimpleQueue[tuple[LookupQuery, Future[dict]]] = queue.SimpleQueue()
        threading.Thread(target=self._answer_forever, name="lookup-batcher", daemon=True).start()

    def answer(self, query: LookupQuery) -> dict:
        """The answer `lookup.answer(query)` gives, or the exception it raises."""
        answered: Future[dict] = Future()
        self._waiting.put((query, answered))
        return answered.result()

    def _answer_forever(self) -> None:
        while True:
            batch = [self._waiting.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._waiting.get(timeout=self.gather_seconds))
                except queue.Empty:
                    break
            self._answer(batch)

    def _answer(self, batch: list[tuple[LookupQuery, Future[dict]]]) -> None:
        try:
            answers = self.lookup.answer_many([query for query, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            # one query that breaks the batch must not fail the others: each alone says whose it is
            for one in batch:
                self._answer([one])
            return
        for (_, answered), answer in zip(batch, answers, strict=True):
            if isinstance(answer, QueryError):
                answered.set_exception(answer)
            else:
                answered.set_result(answer)
