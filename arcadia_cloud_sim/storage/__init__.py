"""Storage: snapshots (droplet and volume), block-storage volumes and the container registry
(Spaces would go here)."""
