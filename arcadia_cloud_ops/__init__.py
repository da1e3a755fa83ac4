"""The `arcadia_cloud_ops` code location: saga jobs, hooks and sensors (see `definitions`)."""

#: Nothing is re-exported here: import from the modules.
__all__: list[str] = []
