"""Benchmarks: a seeded workspace generator and the timing harness; see docs/performance.md."""
