"""Benchmarks that print figures (python -m benchmarks); tests never assert on time."""
