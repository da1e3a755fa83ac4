"""The `arcadia_cloud_assets` code location: inventory, billing and drift (see `definitions`)."""

#: Nothing is re-exported here: import from the modules.
__all__: list[str] = []
