"""Account: the account and catalog endpoints (regions, sizes, images) and projects with their
resources (SSH keys and tags would go here)."""
