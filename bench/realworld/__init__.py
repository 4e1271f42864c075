"""A labelled batch of registrations built from real reference data, for an independent
evaluation of matching (bench/realworld_eval.py).

The project's sample generator (samplegen) shaped the model; this package shares none of
its company lists or spelling rules. Companies come from /work/shared/data/reference (real
listed companies, real divisions), a handful of real group families written by hand, and
invented small companies; every claim carries the phenomena it exhibits as labels.
"""

from bench.realworld.batch import Batch, build

__all__ = ["Batch", "build"]
