"""arcadia-cloud's domain core: plain, unit-testable Python (only `resources` imports Dagster)."""

#: Nothing is re-exported here: import from the modules.
__all__: list[str] = []
