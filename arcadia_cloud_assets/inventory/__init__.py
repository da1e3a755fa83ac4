"""Inventory: every DO resource kind as an asset in group `inventory`."""

#: Nothing is re-exported here: import from the modules.
__all__: list[str] = []
