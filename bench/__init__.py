"""Benchmarks: `python -m bench <scenario or prefix>` (see bench/README.md)."""
