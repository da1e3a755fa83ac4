"""Kubernetes (DOKS): clusters with their node pools; the nodes are droplets."""
