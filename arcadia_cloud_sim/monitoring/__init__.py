"""Monitoring: alert policies (``/v2/monitoring/alerts``) and uptime checks (``/v2/uptime``)."""
