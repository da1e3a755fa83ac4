"""Inventory: every DO resource kind as an asset in group `inventory`."""
