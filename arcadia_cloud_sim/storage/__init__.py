"""Storage: snapshots (droplet and volume) and block-storage volumes (Spaces would go here)."""
