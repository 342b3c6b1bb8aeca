"""Results: tables, summary with intervals, manifest, save/load and comparison of runs."""
