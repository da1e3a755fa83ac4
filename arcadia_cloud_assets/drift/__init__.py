"""Drift: desired spec vs live inventory, as the `drift/drift` asset (the operator's inbox)."""

#: Nothing is re-exported here: import from the modules.
__all__: list[str] = []
