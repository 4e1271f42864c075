"""Seeded generator of realistic sample inputs (claim files of every source, roster, follow-ups,
reviewer decisions) and of the truth labels that benchmarks score the pipeline against."""

from samplegen.generate import generate

__all__ = ["generate"]
