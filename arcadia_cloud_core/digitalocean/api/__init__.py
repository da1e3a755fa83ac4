"""The client's endpoint methods, one module per API area (mixed into ``DOClient``)."""

#: Nothing is re-exported here: import from the modules.
__all__: list[str] = []
