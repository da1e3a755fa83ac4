"""Managed databases: clusters, replicas, connection pools and trusted sources."""
