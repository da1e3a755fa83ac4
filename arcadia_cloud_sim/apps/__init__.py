"""App Platform: apps and their alerts."""
