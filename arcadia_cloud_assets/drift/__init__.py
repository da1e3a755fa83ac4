"""Drift: desired spec vs live inventory, as the `drift/drift` asset (the operator's inbox)."""
