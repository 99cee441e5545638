"""Performance benchmarks; results are recorded in RESULTS.md."""
