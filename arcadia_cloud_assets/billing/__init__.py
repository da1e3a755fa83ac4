"""Billing: balance, invoices, sensor-driven cost lines, finance push, cost views."""

#: Nothing is re-exported here: import from the modules.
__all__: list[str] = []
