"""Billing: balance, invoices, sensor-driven cost lines, finance push, cost views."""
