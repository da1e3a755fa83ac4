"""arcadia-cloud's domain core: plain, unit-testable Python (only `resources` imports Dagster)."""
