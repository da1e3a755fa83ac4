"""Account: the account and catalog endpoints (regions, sizes), projects with their resources,
SSH keys and tags."""
