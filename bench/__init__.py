"""Benchmarks of Dasbor KLA (run with `make bench`; never timed assertions in tests)."""
